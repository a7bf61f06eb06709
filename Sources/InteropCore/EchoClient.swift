/// A client after the nonblocking TLS client guide, on any backend: set the session up, connect, then run the
/// client script. The session is configured before connecting, so a locally rejected setting sends nothing.
public final class EchoClient: LoopParticipant {
    public private(set) var record: ConnectionRecord
    private let backend: any TLSBackend
    private let settings: EndpointSettings
    private let actions: [EndpointAction]
    private let payload: [UInt8]
    private let address: LoopbackAddress
    private let expectedInbound: Int
    private var state: State = .notStarted

    private enum State {
        case notStarted
        case connecting(SocketDescriptor, any TLSSession, InterposedTransport?)
        case running(EndpointDriver)
        case finished
    }

    public init(
        backend: any TLSBackend, settings: EndpointSettings, actions: [EndpointAction], payload: [UInt8],
        address: LoopbackAddress, ordinal: Int, expectedInbound: Int = 0
    ) {
        self.expectedInbound = expectedInbound
        self.backend = backend
        self.settings = settings
        self.actions = actions
        self.payload = payload
        self.address = address
        self.record = ConnectionRecord(role: .client, library: backend.library, ordinal: ordinal)
    }

    public var isSettled: Bool {
        if case .finished = state { return true }
        return false
    }

    public func advance() -> Readiness? {
        while true {
            switch state {
            case .notStarted:
                let socket: SocketDescriptor
                do {
                    socket = try SocketDescriptor.tcp(family: address.socketFamily)
                } catch {
                    return fail("socket", StepResult(.localError, raw: RawResult(call: "socket", returnValue: -1, osError: error.code)))
                }
                let session: any TLSSession
                let transport = settings.interposedStyle.map { InterposedTransport(socket: socket, style: $0) }
                do {
                    session = try backend.makeSession(settings, socket: socket.fileDescriptor, transport: transport)
                } catch {
                    socket.close()
                    record.notes.append(error.message)
                    return fail("setup", StepResult(.localError, raw: error.raw))
                }
                do {
                    try startConnect(socket, to: address)
                } catch {
                    return fail("connect", StepResult(.reset, raw: RawResult(call: "connect", returnValue: -1, osError: error.code)))
                }
                state = .connecting(socket, session, transport)
                return .writable(socket.fileDescriptor)
            case .connecting(let socket, let session, let transport):
                let pending = socket.pendingError()
                guard pending == 0 else {
                    socket.close()
                    return fail("connect", StepResult(.reset, raw: RawResult(call: "connect", returnValue: -1, osError: pending)))
                }
                state = .running(
                    EndpointDriver(
                        session: session, socket: socket, transport: transport, actions: actions, payload: payload,
                        expectedInbound: expectedInbound, record: record))
            case .running(let driver):
                switch driver.advance() {
                case .waiting(let readiness): return readiness
                case .finished:
                    record = driver.record
                    state = .finished
                }
            case .finished:
                return nil
            }
        }
    }

    public func expire() {
        switch state {
        case .running(let driver):
            driver.expire()
            record = driver.record
        case .connecting(let socket, _, _):
            socket.close()
            record.failure = .timeout
            record.failedAction = "connect"
        case .notStarted, .finished:
            break
        }
        state = .finished
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
