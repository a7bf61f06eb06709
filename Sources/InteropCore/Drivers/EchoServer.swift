/// The echo server of the guides, on any backend: one listener, one client at a time, each connection running
/// the server script (handshake, read until the client concludes, echo, shut down, close), then the next.
public final class EchoServer: LoopParticipant {
    public let listener: any ConnectionListener
    public private(set) var connections: [ConnectionRecord] = []
    /// Where each session's secrets go, when the cell keeps wire evidence. A listener that completes handshakes
    /// itself (QUIC) is told too: its connections' first secrets come before they are accepted.
    public var secretLog: SecretLog? {
        didSet { if let secretLog { (listener as? any SecretLogging)?.logSecrets(to: secretLog) } }
    }
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
    /// How long one connection may take before it is given up (its unfinished steps are timeouts) and the next is
    /// served: a long-running server (`tls-interop serve`) must not be held by one client that hangs. Nil: no limit
    /// of its own (a cell's loop has a deadline).
    public var connectionDeadline: Duration?
    private var currentEnds: ContinuousClock.Instant?

    public var isSettled: Bool { current == nil && connections.count >= requiredConnections }
    /// A connection is in progress.
    public var isServing: Bool { current != nil }

    public func advance() -> Readiness? {
        while listenerFailure == nil {
            if let driver = current {
                if let ends = currentEnds, ContinuousClock.now >= ends {
                    finishCurrent(expiring: "connection deadline")
                    continue
                }
                switch driver.advance() {
                case .waiting(let readiness): return currentEnds.map { .until($0, readiness) } ?? readiness
                case .finished:
                    finishCurrent()
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
            currentEnds = connectionDeadline.map { ContinuousClock.now.advanced(by: $0) }
        }
        return nil
    }

    public func expire(reason: String) {
        finishCurrent(expiring: reason)
    }

    /// Records the current connection (expired first, with `reason`, when it did not finish) and clears it.
    private func finishCurrent(expiring reason: String? = nil) {
        guard let driver = current else { return }
        if let reason { driver.expire(reason: reason) }
        connections.append(driver.record)
        onConnectionFinished?(driver.record)
        current = nil
        currentEnds = nil
    }

    private func makeDriver(for connection: any RawConnection) -> EndpointDriver {
        var record = ConnectionRecord(role: .server, library: backend.library, ordinal: connections.count + 1)
        record.dtlsMTU = settings.dtlsMTU
        let transport = libraryTransport(for: connection, settings: settings, link: connections.count + 1)
        let session: any TLSSession
        if let carrying = connection as? any SessionCarryingConnection {
            session = carrying.session
        } else {
            do {
                session = try backend.makeSession(settings, socket: connection.fileDescriptor, transport: transport)
                if let secretLog { (session as? any SecretLogging)?.logSecrets(to: secretLog) }
            } catch {
                session = UnusableSession(error)
            }
        }
        return EndpointDriver(
            session: session, connection: connection, transport: transport, actions: actions, payload: payload,
            expectedInbound: expectedInbound, record: record, renegotiationPolicy: settings.renegotiation,
            earlyDataPolicy: settings.earlyData)
    }
}
