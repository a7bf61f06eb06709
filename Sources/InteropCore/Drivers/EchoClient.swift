/// A client after the nonblocking TLS client guide, on any backend: set the session up, connect, then run the
/// client script. The session is configured before connecting, so a locally rejected setting sends nothing.
public final class EchoClient: LoopParticipant {
    public private(set) var record: ConnectionRecord
    /// Where the session's secrets go, when the cell keeps wire evidence.
    public var secretLog: SecretLog?
    /// Told as each step of the script begins (`EndpointDriver.onActionStarted`).
    public var onActionStarted: ((EndpointAction) -> Void)?
    private let backend: any TLSBackend
    private let settings: EndpointSettings
    private let actions: [EndpointAction]
    private let payload: [UInt8]
    private let dialer: any ConnectionDialer
    private let expectedInbound: Int
    private var state: State = .notStarted
    /// The client whose session this one resumes: it starts once that one has finished.
    public var resumesAfter: EchoClient?
    /// A session to resume that another process made (a peer's `--resume-session`), when there is no `resumesAfter`.
    public var resumeWith: [UInt8]?
    private var session: (any TLSSession)?
    /// This client's session serialized for the next client to resume, once it finished.
    public private(set) var resumptionData: [UInt8]?

    private enum State {
        case notStarted
        case connecting(any RawConnection, any TLSSession, (any ByteTransport)?)
        case running(EndpointDriver)
        case finished
    }

    public init(
        backend: any TLSBackend, settings: EndpointSettings, actions: [EndpointAction], payload: [UInt8],
        dialer: any ConnectionDialer, ordinal: Int, expectedInbound: Int = 0
    ) {
        self.backend = backend
        self.settings = settings
        self.actions = actions
        self.payload = payload
        self.dialer = dialer
        self.expectedInbound = expectedInbound
        self.record = ConnectionRecord(role: .client, library: backend.library, ordinal: ordinal)
        record.dtlsMTU = settings.dtlsMTU
    }

    /// A client of a loopback TCP server.
    public convenience init(
        backend: any TLSBackend, settings: EndpointSettings, actions: [EndpointAction], payload: [UInt8],
        address: LoopbackAddress, ordinal: Int, expectedInbound: Int = 0
    ) {
        self.init(
            backend: backend, settings: settings, actions: actions, payload: payload, dialer: TCPDialer(address: address),
            ordinal: ordinal, expectedInbound: expectedInbound)
    }

    public var isSettled: Bool {
        if case .finished = state { return true }
        return false
    }

    public func advance() -> Readiness? {
        while true {
            switch state {
            case .notStarted:
                var settings = settings
                if let previous = resumesAfter {
                    guard previous.isSettled else { return .condition { previous.isSettled } }
                    settings.resumeWith = previous.resumptionData
                } else if settings.resume, let resumeWith {
                    settings.resumeWith = resumeWith
                }
                let connection: any RawConnection
                do {
                    connection = try dialer.open()
                } catch {
                    return fail("socket", StepResult(.localError, raw: RawResult(call: "socket", returnValue: -1, osError: error.code)))
                }
                let session: any TLSSession
                let transport = libraryTransport(for: connection, settings: settings, link: record.ordinal)
                do {
                    session = try backend.makeSession(settings, socket: connection.fileDescriptor, transport: transport)
                    self.session = session
                    if let secretLog { (session as? any SecretLogging)?.logSecrets(to: secretLog) }
                } catch {
                    connection.close()
                    record.notes.append(error.message)
                    return fail("setup", StepResult(.localError, raw: error.raw))
                }
                let wait: Readiness?
                do {
                    wait = try dialer.connect(connection)
                } catch {
                    return fail("connect", StepResult(.reset, raw: RawResult(call: "connect", returnValue: -1, osError: error.code)))
                }
                state = .connecting(connection, session, transport)
                if let wait { return wait }
            case .connecting(let connection, let session, let transport):
                let pending = dialer.connectError(connection)
                guard pending == 0 else {
                    connection.close()
                    return fail("connect", StepResult(.reset, raw: RawResult(call: "connect", returnValue: -1, osError: pending)))
                }
                state = .running(
                    EndpointDriver(
                        session: session, connection: connection, transport: transport, actions: actions,
                        payload: payload, expectedInbound: expectedInbound, record: record,
                        renegotiationPolicy: settings.renegotiation, earlyDataPolicy: settings.earlyData,
                        answersCertificateRequests: settings.clientCertificateOffer != .neverAnswers))
                if case .running(let driver) = state { driver.onActionStarted = onActionStarted }
            case .running(let driver):
                switch driver.advance() {
                case .waiting(let readiness): return readiness
                case .finished:
                    record = driver.record
                    noteResumption()
                    state = .finished
                }
            case .finished:
                return nil
            }
        }
    }

    public func expire(reason: String) {
        switch state {
        case .running(let driver):
            driver.expire(reason: reason)
            record = driver.record
            noteResumption()
        case .connecting(let connection, _, _):
            connection.close()
            record.failure = .timeout
            record.failedAction = "connect"
        case .notStarted, .finished:
            break
        }
        state = .finished
    }

    /// Keeps the session for the next client and records whether this one resumed, in scenarios whose clients do.
    private func noteResumption() {
        guard settings.resume, let session else { return }
        resumptionData = session.resumptionData
        record.resumed = session.wasResumed
    }

    private func fail(_ action: String, _ result: StepResult) -> Readiness? {
        record.trace.append(TraceEntry(action: action, outcome: result.outcome, raw: result.raw))
        record.failure = result.outcome
        record.failedAction = action
        record.skippedActions = actions.filter { $0 != .close }.map(\.description)
        state = .finished
        return nil
    }
}
