/// The echo server of the guides, on any backend: one listener, one client at a time, each connection running
/// the server script (handshake, read until the client concludes, echo, shut down, close), then the next.
public final class EchoServer: LoopParticipant {
    public let listener: TCPListener
    public private(set) var connections: [ConnectionRecord] = []
    /// Set when accepting failed; the server stops.
    public private(set) var listenerFailure: String?
    private let backend: any TLSBackend
    private let settings: EndpointSettings
    private let actions: [EndpointAction]
    private let payload: [UInt8]
    private let expectedInbound: Int
    private var current: EndpointDriver?

    /// - Parameters:
    ///   - payload: what a `send` step writes on each connection.
    ///   - expectedInbound: the client's payload size, for `readExactly`.
    public init(
        backend: any TLSBackend, settings: EndpointSettings, actions: [EndpointAction], listener: TCPListener,
        payload: [UInt8] = [], expectedInbound: Int = 0
    ) {
        self.backend = backend
        self.settings = settings
        self.actions = actions
        self.listener = listener
        self.payload = payload
        self.expectedInbound = expectedInbound
    }

    public var isSettled: Bool { current == nil }

    public func advance() -> Readiness? {
        while listenerFailure == nil {
            if let driver = current {
                switch driver.advance() {
                case .waiting(let readiness): return readiness
                case .finished:
                    connections.append(driver.record)
                    current = nil
                }
            }
            let accepted: SocketDescriptor?
            do {
                accepted = try listener.accept()
            } catch {
                listenerFailure = error.description
                return nil
            }
            guard let socket = accepted else { return .readable(listener.socket.fileDescriptor) }
            current = makeDriver(for: socket)
        }
        return nil
    }

    public func expire() {
        guard let driver = current else { return }
        driver.expire()
        connections.append(driver.record)
        current = nil
    }

    private func makeDriver(for socket: SocketDescriptor) -> EndpointDriver {
        let record = ConnectionRecord(role: .server, library: backend.library, ordinal: connections.count + 1)
        let transport = settings.interposedStyle.map { InterposedTransport(socket: socket, style: $0) }
        let session: any TLSSession
        do {
            session = try backend.makeSession(settings, socket: socket.fileDescriptor, transport: transport)
        } catch {
            session = UnusableSession(error)
        }
        return EndpointDriver(
            session: session, socket: socket, transport: transport, actions: actions, payload: payload,
            expectedInbound: expectedInbound, record: record)
    }
}
