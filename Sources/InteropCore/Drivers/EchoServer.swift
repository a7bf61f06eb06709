/// The echo server of the guides, on any backend: one listener, one client at a time, each connection running
/// the server script (handshake, read until the client concludes, echo, shut down, close), then the next.
public final class EchoServer: LoopParticipant {
    public let listener: any ConnectionListener
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
        backend: any TLSBackend, settings: EndpointSettings, actions: [EndpointAction], listener: any ConnectionListener,
        payload: [UInt8] = [], expectedInbound: Int = 0
    ) {
        self.backend = backend
        self.settings = settings
        self.actions = actions
        self.listener = listener
        self.payload = payload
        self.expectedInbound = expectedInbound
    }

    /// Connections to serve before the server counts as done; 0 means it may be left waiting at any time (the
    /// in-process loop ends when the clients do). A peer process serving alone sets it to the clients it expects.
    public var requiredConnections = 0
    /// Called with each connection's record as soon as it is complete (a peer process prints it at once).
    public var onConnectionFinished: ((ConnectionRecord) -> Void)?

    public var isSettled: Bool { current == nil && connections.count >= requiredConnections }

    public func advance() -> Readiness? {
        while listenerFailure == nil {
            if let driver = current {
                switch driver.advance() {
                case .waiting(let readiness): return readiness
                case .finished:
                    connections.append(driver.record)
                    onConnectionFinished?(driver.record)
                    current = nil
                }
            }
            let accepted: (any RawConnection)?
            do {
                accepted = try listener.accept()
            } catch {
                listenerFailure = error.description
                return nil
            }
            guard let connection = accepted else { return listener.acceptReadiness }
            current = makeDriver(for: connection)
        }
        return nil
    }

    public func expire(reason: String) {
        guard let driver = current else { return }
        driver.expire(reason: reason)
        connections.append(driver.record)
        onConnectionFinished?(driver.record)
        current = nil
    }

    private func makeDriver(for connection: any RawConnection) -> EndpointDriver {
        let record = ConnectionRecord(role: .server, library: backend.library, ordinal: connections.count + 1)
        let transport = libraryTransport(for: connection, settings: settings)
        let session: any TLSSession
        if let carrying = connection as? any SessionCarryingConnection {
            session = carrying.session
        } else {
            do {
                session = try backend.makeSession(settings, socket: connection.fileDescriptor, transport: transport)
            } catch {
                session = UnusableSession(error)
            }
        }
        return EndpointDriver(
            session: session, connection: connection, transport: transport, actions: actions, payload: payload,
            expectedInbound: expectedInbound, record: record)
    }
}
