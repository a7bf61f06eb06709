/// Runs one endpoint's script over one TLS session without blocking.
///
/// `advance()` makes every call it can; when the library asks for a retry it returns the readiness the library
/// asked for, and the next `advance()` repeats exactly the same call, as the nonblocking guides require.
public final class EndpointDriver {
    public enum Progress {
        case waiting(Readiness)
        case finished
    }

    public private(set) var record: ConnectionRecord
    private let session: any TLSSession
    private let socket: SocketDescriptor
    private let actions: [EndpointAction]
    private let payload: [UInt8]
    private var actionIndex = 0
    private var writeOffset = 0
    private var received: [UInt8] = []
    private var readDigest = PayloadDigest()
    private var writeDigest = PayloadDigest()
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    public init(
        session: any TLSSession, socket: SocketDescriptor, actions: [EndpointAction], payload: [UInt8],
        record: ConnectionRecord
    ) {
        self.session = session
        self.socket = socket
        self.actions = actions
        self.payload = payload
        self.record = record
    }

    public var isFinished: Bool { actionIndex >= actions.count && !socket.isOpen }

    public func advance() -> Progress {
        while actionIndex < actions.count {
            let action = actions[actionIndex]
            let result: StepResult
            switch action {
            case .handshake:
                result = session.handshake()
                if !result.outcome.isRetry { record.handshake = result.outcome }
            case .send, .echo:
                let bytes = action == .send ? payload : received
                guard writeOffset < bytes.count else {
                    writeOffset = 0
                    actionIndex += 1
                    continue
                }
                result = bytes.withUnsafeBytes { session.write(UnsafeRawBufferPointer(rebasing: $0[writeOffset...])) }
                if case .ok(let count) = result.outcome {
                    bytes.withUnsafeBytes { writeDigest.update(UnsafeRawBufferPointer(rebasing: $0[writeOffset..<writeOffset + count])) }
                    writeOffset += count
                    record.log(action, result)
                    continue
                }
            case .readToEnd:
                result = scratch.withUnsafeMutableBytes { session.read(into: $0) }
                if case .ok(let count) = result.outcome {
                    scratch.withUnsafeBytes { readDigest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    received.append(contentsOf: scratch[0..<count])
                    record.log(action, result)
                    continue
                }
                if !result.outcome.isRetry { record.endOfStream = result.outcome }
            case .shutdown:
                guard case .shutdown(let mode) = action else { preconditionFailure() }
                result = session.shutdown(mode)
            case .close:
                socket.close()
                actionIndex += 1
                continue
            }
            record.log(action, result)
            switch result.outcome {
            case .wantRead:
                record.wantReadCount += 1
                return .waiting(.readable(socket.fileDescriptor))
            case .wantWrite:
                record.wantWriteCount += 1
                return .waiting(.writable(socket.fileDescriptor))
            case .closeNotifySent where action == .shutdown(.bidirectional):
                // OpenSSL's SSL_shutdown returns 0 once its close_notify is out; calling it again waits for the peer's.
                continue
            case let outcome where outcome.allowsContinuation:
                actionIndex += 1
            default:
                stop(after: action, with: result.outcome)
            }
        }
        finish()
        return .finished
    }

    /// Ends the script where it stands because the cell's deadline passed.
    public func expire() {
        guard actionIndex < actions.count else { return finish() }
        let action = actions[actionIndex]
        record.log(action, StepResult(.timeout, raw: RawResult(call: "deadline", returnValue: 0)))
        stop(after: action, with: .timeout)
        finish()
    }

    private func stop(after action: EndpointAction, with outcome: Outcome) {
        record.failure = outcome
        record.failedAction = action.description
        record.skippedActions = actions[(actionIndex + 1)...].filter { $0 != .close }.map(\.description)
        actionIndex = actions.count
    }

    private func finish() {
        socket.close()
        record.negotiatedALPN = session.negotiatedALPN
        record.negotiatedVersion = session.negotiatedVersion
        record.alerts = session.alerts
        record.notes = session.notes
        record.bytesRead = readDigest.byteCount
        record.readDigest = readDigest.hexDigest
        record.bytesWritten = writeDigest.byteCount
        record.writtenDigest = writeDigest.hexDigest
        record.completed = record.failure == nil
    }
}
