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
    /// The session's capabilities beyond the core protocol, asked once.
    private let streams: (any StreamSession)?
    /// How waits are chosen beyond the socket's readiness: the DTLS retransmission timer or QUIC's event timer.
    private let datagramTimers: DatagramTimerPolicy?
    private let quicEvents: QUICEventPolicy?
    private let audit: DirectionAudit
    private let connection: any RawConnection
    private let transport: (any ByteTransport)?
    private let actions: [EndpointAction]
    private let payload: [UInt8]
    private let expectedInbound: Int
    private var actionIndex = 0
    private var writeOffset = 0
    private var awaited = false
    /// Every byte read, in order: what `echo` writes back and what the read digest is made of at the end.
    private var received: [UInt8] = []
    private var written = WrittenBytes()
    /// `echoEach`: how much of `received` has been written back.
    private var echoed = 0
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)
    /// The `writeRetry` step's experiment, while the step runs and after.
    private var retryExperiment: WriteRetryExperiment?
    /// QUIC: the current concluding write has ended the stream.
    private var streamConcluded = false
    /// TLS 1.2 renegotiation: the session's calls for it, what this endpoint answers a peer's request with, whether
    /// an answer is under way (it runs before the interrupted step is repeated), and whether any was asked for.
    private let renegotiation: (any Renegotiation)?
    private let renegotiationPolicy: RenegotiationPolicy
    /// The peer's request being answered (it runs before the interrupted step is repeated), if any.
    private var answering: PeerRequest?
    private let authentication: (any PostHandshakeAuthentication)?
    /// Whether a certificate request the library hands over is answered, or the interrupted read repeated as if
    /// nothing had come.
    private let answersCertificateRequests: Bool
    /// TLS 1.3 early data: the session's calls, this endpoint's policy, and how far it has gone.
    private let earlyData: (any EarlyDataExchange)?
    private let earlyDataPolicy: EarlyDataPolicy?
    private var earlyDataPhase = EarlyDataPhase.due
    private var handshakeCompleted = false
    /// Writes in a row that returned 0 bytes without an error.
    private var zeroWrites = 0
    private var renegotiationSeen = false

    /// - Parameters:
    ///   - payload: what `send` writes.
    ///   - expectedInbound: how many bytes `readExactly` waits for (the peer's payload).
    public init(
        session: any TLSSession, connection: any RawConnection, transport: (any ByteTransport)?,
        actions: [EndpointAction], payload: [UInt8], expectedInbound: Int, record: ConnectionRecord,
        renegotiationPolicy: RenegotiationPolicy = .accept, earlyDataPolicy: EarlyDataPolicy? = nil,
        answersCertificateRequests: Bool = true
    ) {
        self.answersCertificateRequests = answersCertificateRequests
        self.session = session
        streams = session as? any StreamSession
        renegotiation = session as? any Renegotiation
        authentication = session as? any PostHandshakeAuthentication
        earlyData = session as? any EarlyDataExchange
        self.earlyDataPolicy = earlyDataPolicy
        self.renegotiationPolicy = renegotiationPolicy
        datagramTimers = DatagramTimerPolicy(session: session, transport: transport)
        quicEvents = QUICEventPolicy(session: session)
        audit = DirectionAudit(connection: connection, transport: transport)
        self.connection = connection
        self.transport = transport
        self.actions = actions
        self.payload = payload
        self.expectedInbound = expectedInbound
        self.record = record
    }

    /// Told as each step begins (once, however often it waits): how a runner lets a relay act at a step.
    public var onActionStarted: ((EndpointAction) -> Void)?
    private var announcedIndex = -1

    /// The step cursor: runs steps until one must wait or the script ends; each pass of a step says how it came out
    /// in one `StepProgress`.
    public func advance() -> Progress {
        while actionIndex < actions.count {
            let action = actions[actionIndex]
            if actionIndex != announcedIndex {
                announcedIndex = actionIndex
                onActionStarted?(action)
            }
            let refusalsBefore = transport?.refusalCount ?? 0
            datagramTimers?.handleExpiredTimer(before: action, record: &record)
            quicEvents?.handleExpiredEventTimer(&record)
            defer { datagramTimers?.endStep() }
            switch perform(action, refusalsBefore: refusalsBefore) {
            case .done: actionIndex += 1
            case .again: continue
            case .waiting(let readiness): return .waiting(readiness)
            case .stopped(let outcome): stop(after: action, with: outcome)
            }
        }
        finish()
        return .finished
    }

    /// One pass of `action`.
    private func perform(_ action: EndpointAction, refusalsBefore: Int) -> StepProgress {
        if let answering {
            return answer(answering, during: action, refusalsBefore: refusalsBefore)
        }
        switch action {
        case .listen:
            let result = (session as? any StatelessCookieExchange)?.listen()
                ?? Self.missing(action, "this session has no stateless cookie exchange")
            datagramTimers?.countIdleWakeup()
            return interpret(result, of: action, refusalsBefore: refusalsBefore)
        case .handshake, .handshakeOnce:
            if earlyDataPhase != .done {
                if let progress = exchangeEarlyData(during: action, refusalsBefore: refusalsBefore) { return progress }
                if handshakeCompleted { return .done }
            }
            datagramTimers?.noteBeforeFirstFlight(&record)
            let result = session.handshake()
            if !result.outcome.isRetry { record.handshake = result.outcome }
            if result.outcome == .ok(0) && earlyDataPhase != .done {
                // What is left of early data (its fate, or reading it) happens on the next pass.
                handshakeCompleted = true
                record.log(action, result)
                return .again
            }
            datagramTimers?.countIdleWakeup()
            datagramTimers?.readTimers(after: result.outcome, record: &record)
            if action == .handshakeOnce && result.outcome.isRetry {
                record.log(action, result)
                return .done
            }
            return interpret(result, of: action, refusalsBefore: refusalsBefore)
        case .awaitReadable:
            awaited.toggle()
            return awaited ? .waiting(connection.readiness(.read)) : .done
        case .send, .echo, .sendConcluding, .echoConcluding:
            return write(action, refusalsBefore: refusalsBefore)
        case .conclude:
            return interpret(streams?.concludeStream() ?? Self.noStreams(action), of: action, refusalsBefore: refusalsBefore)
        case .echoEach:
            return echoEach(refusalsBefore: refusalsBefore)
        case .readToEnd, .readExactly:
            if action == .readExactly && received.count >= expectedInbound { return .done }
            let result = scratch.withUnsafeMutableBytes { session.read(into: $0) }
            if let progress = took(result, in: action) { return progress }
            switch result.outcome {
            // A retry, a warning or a request handed to the caller (the read is repeated once it is answered) is not
            // the end of the stream.
            case .wantRead, .wantWrite, .warningReceived, .renegotiationRequested, .certificateRequested: break
            default: record.endOfStream = result.outcome
            }
            if action == .readExactly && result.outcome == .eof(.clean) {
                // The peer concluded before its whole payload arrived: data was lost.
                record.log(action, result)
                return .stopped(result.outcome)
            }
            return interpret(result, of: action, refusalsBefore: refusalsBefore)
        case .shutdown(let mode):
            let result = session.shutdown(mode)
            if !result.outcome.isRetry { record.shutdown = result.outcome }
            return interpret(result, of: action, refusalsBefore: refusalsBefore)
        case .keyUpdate:
            return interpret(session.requestKeyUpdate(), of: action, refusalsBefore: refusalsBefore)
        case .keyUpdateNotRequested:
            return interpret(session.sendKeyUpdateNotRequested(), of: action, refusalsBefore: refusalsBefore)
        case .sendTicket:
            return interpret(session.sendSessionTicket(), of: action, refusalsBefore: refusalsBefore)
        case .warningAlert(let code):
            return interpret(session.sendWarningAlert(code), of: action, refusalsBefore: refusalsBefore)
        case .renegotiate:
            renegotiationSeen = true
            let result = renegotiation?.renegotiate() ?? Self.missing(action, "this session cannot renegotiate")
            if case .warningReceived = result.outcome {
                // The peer's no_renegotiation warning: the request was refused, and the connection goes on.
                record.log(action, result)
                return .done
            }
            return interpret(result, of: action, refusalsBefore: refusalsBefore)
        case .requestCertificate:
            let result = authentication?.requestClientCertificate()
                ?? Self.missing(action, "this session has no post-handshake authentication")
            switch result.outcome {
            case .ok: record.clientCertificate = authentication?.clientCertificateStatus
            case .wantRead, .wantWrite, .applicationDataInHandshake: break
            case let outcome: record.clientCertificate = "requestFailed(\(outcome))"
            }
            return interpret(result, of: action, refusalsBefore: refusalsBefore)
        case .writeRetry(let variant):
            let experiment = retryExperiment ?? WriteRetryExperiment(variant, payload: payload, record: &record)
            retryExperiment = experiment
            return experiment.step(session: session, audit: audit, transport: transport, record: &record, delivered: &written)
        case .readInChunks(let size, let pollFirst):
            return readInChunks(action, size: size, pollFirst: pollFirst, refusalsBefore: refusalsBefore)
        case .probeRead, .probeWrite:
            let probe: StepResult
            if action == .probeRead {
                probe = scratch.withUnsafeMutableBytes { session.read(into: $0) }
            } else {
                probe = Array("probe".utf8).withUnsafeBytes { session.write($0) }
            }
            record.log(action, probe)
            record.probes.append("\(action)=\(probe.outcome)")
            return .done
        case .finish, .reset, .sendTruncatedRecord, .refuseWrites, .drainRaw, .close:
            return RawSocketStep.perform(action, connection: connection, transport: transport, scratch: &scratch, record: &record)
        }
    }

    /// `send`/`echo` (and their concluding forms on QUIC): the payload or what was read, written until all of it went.
    private func write(_ action: EndpointAction, refusalsBefore: Int) -> StepProgress {
        let bytes = action == .send || action == .sendConcluding ? payload : received
        let concluding = action.needsStreams
        guard writeOffset < bytes.count || (concluding && !streamConcluded) else {
            writeOffset = 0
            streamConcluded = false
            return .done
        }
        let result: StepResult
        if bytes.isEmpty {
            // Nothing to write: end the stream on its own, as a concluding write of no bytes would.
            result = streams?.concludeStream() ?? Self.noStreams(action)
            if case .ok = result.outcome {
                streamConcluded = true
                record.log(action, result)
                return .again
            }
        } else {
            result = bytes.withUnsafeBytes { buffer in
                let rest = UnsafeRawBufferPointer(rebasing: buffer[writeOffset...])
                guard concluding else { return session.write(rest) }
                return streams?.writeConcluding(rest) ?? Self.noStreams(action)
            }
            if case .ok(let count) = result.outcome, count > 0 {
                zeroWrites = 0
                written.append(bytes, range: writeOffset..<writeOffset + count)
                writeOffset += count
                if concluding && writeOffset == bytes.count { streamConcluded = true }
                record.log(action, result)
                return .again
            }
            if result.outcome == .ok(0) && zeroWrites < Self.zeroWriteLimit {
                // A write that took none of the bytes without an error (GnuTLS's resumed gnutls_record_send that only
                // finished flushing a queued post-handshake message) is called again, as a careful caller does.
                zeroWrites += 1
                record.log(action, result)
                return .again
            }
        }
        return interpret(result, of: action, refusalsBefore: refusalsBefore)
    }

    /// How many writes in a row may take no bytes before the step gives up on the library.
    static let zeroWriteLimit = 1000

    /// `echoEach`: what arrived and is not yet echoed goes back first (a write the library asked to retry is retried
    /// with the same bytes before anything more is read, so `received` does not move under it); then the next read.
    private func echoEach(refusalsBefore: Int) -> StepProgress {
        let action = EndpointAction.echoEach
        if echoed < received.count {
            let result = received.withUnsafeBytes { session.write(UnsafeRawBufferPointer(rebasing: $0[echoed...])) }
            guard case .ok(let count) = result.outcome, count > 0 else { return interpret(result, of: action, refusalsBefore: refusalsBefore) }
            // Copied: a slice of `received` would be copied whole by the next read's append.
            received.withUnsafeBytes { written.append(copying: UnsafeRawBufferPointer(rebasing: $0[echoed..<echoed + count])) }
            echoed += count
            record.log(action, result)
            return .again
        }
        let result = scratch.withUnsafeMutableBytes { session.read(into: $0) }
        if let progress = took(result, in: action) { return progress }
        if !result.outcome.isRetry && !Self.isRequest(result.outcome) { record.endOfStream = result.outcome }
        return interpret(result, of: action, refusalsBefore: refusalsBefore)
    }

    /// A peer's request the library hands to the caller, who answers it and repeats the read.
    private static func isRequest(_ outcome: Outcome) -> Bool {
        outcome == .renegotiationRequested || outcome == .certificateRequested
    }

    /// `readInChunks`: reads of at most `size` bytes, polling first (or only when the library holds nothing).
    private func readInChunks(_ action: EndpointAction, size: Int, pollFirst: Bool, refusalsBefore: Int) -> StepProgress {
        if received.count >= expectedInbound {
            awaited = false
            return .done
        }
        if !awaited {
            if pollFirst || session.pendingBytes == 0 {
                awaited = true
                return .waiting(connection.readiness(.read))
            }
            if connection.wouldBlock(.read) { record.pendingReads += 1 }
        }
        awaited = false
        let result = scratch.withUnsafeMutableBytes { session.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min(size, $0.count)])) }
        if let progress = took(result, in: action) { return progress }
        if result.outcome.isRetry {
            // The library asked to wait: that wait is the loop's poll, so do not poll a second time.
            awaited = true
        } else {
            record.endOfStream = result.outcome
            if result.outcome == .eof(.clean) {
                record.log(action, result)
                return .stopped(result.outcome)
            }
        }
        return interpret(result, of: action, refusalsBefore: refusalsBefore)
    }

    /// A read that delivered bytes: kept, and the step goes on reading.
    private func took(_ result: StepResult, in action: EndpointAction) -> StepProgress? {
        guard case .ok(let count) = result.outcome, count > 0 else { return nil }
        if received.isEmpty && expectedInbound > 0 { received.reserveCapacity(expectedInbound) }
        scratch.withUnsafeBufferPointer { received.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<count])) }
        record.log(action, result)
        return .again
    }

    /// What a library call's result means for its step: wait as the library asked (checking the direction it
    /// named), call again, move on, or stop the script.
    private func interpret(_ result: StepResult, of action: EndpointAction, refusalsBefore: Int) -> StepProgress {
        record.log(action, result)
        if result.outcome.isRetry || (result.outcome == .closeNotifySent && action == .shutdown(.bidirectional)), let quicEvents {
            return .waiting(
                quicEvents.wait(
                    for: quicEvents.networkInterest, after: result.outcome, step: actionIndex, action: action, on: connection,
                    record: &record))
        }
        switch result.outcome {
        case .wantRead:
            record.wantReadCount += 1
            audit.check(.read, action: action, refusalsBefore: refusalsBefore, record: &record)
            return .waiting(withTimer(connection.readiness(.read), during: action))
        case .wantWrite:
            record.wantWriteCount += 1
            audit.check(.write, action: action, refusalsBefore: refusalsBefore, record: &record)
            if datagramTimers?.writeWaitIsSpurious(refusalsBefore: refusalsBefore, record: &record) == true {
                return .waiting(withTimer(connection.readiness(.read), during: action))
            }
            return .waiting(withTimer(connection.readiness(.write), during: action))
        case .warningReceived:
            // A warning is not the end (RFC 8446 §6, RFC 5246 §7.2): as a careful caller does, call again.
            return .again
        case .renegotiationRequested:
            // The library hands the peer's request to the caller (GNUTLS_E_REHANDSHAKE): answer it as this
            // endpoint's policy says, then repeat the interrupted call.
            renegotiationSeen = true
            answering = .renegotiation
            return .again
        case .certificateRequested:
            // GnuTLS hands the server's CertificateRequest to the caller (GNUTLS_E_REAUTH_REQUEST): answer it with
            // gnutls_reauth, then repeat the interrupted call (or, for a caller that never answers, just repeat it).
            if answersCertificateRequests { answering = .certificateRequest }
            return .again
        case .applicationDataInHandshake:
            // Data that arrived during the new handshake is read first (GNUTLS_E_GOT_APPLICATION_DATA); then the
            // handshake call is repeated.
            let data = scratch.withUnsafeMutableBytes { session.read(into: $0) }
            if let progress = took(data, in: action) { return progress }
            return interpret(data, of: action, refusalsBefore: refusalsBefore)
        case .closeNotifySent where action == .shutdown(.bidirectional):
            // OpenSSL's SSL_shutdown returns 0 once its close_notify is out; calling it again waits for the peer's.
            return .again
        case let outcome where action.establishesConnection && !outcome.isCompletion:
            // A handshake that ended any other way (even in a clean EOF, which SSL_OP_IGNORE_UNEXPECTED_EOF turns an
            // EOF mid-handshake into) did not complete: nothing after it can run on this connection.
            return .stopped(outcome)
        case let outcome where outcome.allowsContinuation:
            return .done
        default:
            return .stopped(result.outcome)
        }
    }

    /// Where early data stands: due before the handshake, written (this many bytes) or read up to the handshake, or
    /// done with.
    private enum EarlyDataPhase: Equatable {
        case due
        case written(Int)
        case readBeforeHandshake
        case done
    }

    /// Early data around the handshake: a client writes it before the first handshake call and learns its fate after
    /// the handshake (rejected data goes again with `send`); a server reads it before or after, as its library
    /// requires, into what `readExactly` and `echo` see. Nil when there is nothing to do before the next handshake
    /// call (or, once the handshake completed, nothing more at all).
    private func exchangeEarlyData(during action: EndpointAction, refusalsBefore: Int) -> StepProgress? {
        let handshakeDone = handshakeCompleted
        guard let policy = earlyDataPolicy, let earlyData else {
            earlyDataPhase = .done
            return nil
        }
        if policy.isServerPolicy {
            guard earlyData.readsEarlyDataBeforeHandshake != handshakeDone, earlyDataPhase == .due else {
                if handshakeDone { earlyDataPhase = .done }
                return nil
            }
            let result = scratch.withUnsafeMutableBytes { earlyData.readEarlyData(into: $0) }
            guard case .ok(let count) = result.outcome else { return interpret(result, of: action, refusalsBefore: refusalsBefore) }
            guard count == 0 else { return took(result, in: action) }
            record.log(action, result)
            record.earlyDataRead = received.count
            earlyDataPhase = handshakeDone ? .done : .readBeforeHandshake
            return nil
        }
        switch earlyDataPhase {
        case .due:
            let allowance = earlyData.earlyDataAllowance
            guard allowance > 0 else {
                record.earlyData = EarlyDataStatus.notOffered.rawValue
                earlyDataPhase = .done
                return nil
            }
            let count = policy == .all ? payload.count : min(payload.count, allowance)
            let result = payload.withUnsafeBytes { earlyData.writeEarlyData(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if result.outcome.isRetry { return interpret(result, of: action, refusalsBefore: refusalsBefore) }
            record.log(action, result)
            guard case .ok(let written) = result.outcome else {
                // The library refused the early write: the handshake goes on without early data.
                record.earlyData = "refused(\(result.outcome))"
                earlyDataPhase = .done
                return nil
            }
            earlyDataPhase = .written(written)
            return nil
        case .written(let count) where handshakeDone:
            let status = earlyData.earlyDataStatus
            record.earlyData = status.rawValue
            if status == .accepted {
                written.append(payload, range: 0..<count)
                writeOffset = count
            }
            earlyDataPhase = .done
            return nil
        default:
            return nil
        }
    }

    /// A request the peer made that the library handed to the caller, answered before the interrupted step goes on.
    private enum PeerRequest {
        case renegotiation
        case certificateRequest
    }

    /// The answer to the peer's request, run in place of the interrupted step until it is done.
    private func answer(_ request: PeerRequest, during action: EndpointAction, refusalsBefore: Int) -> StepProgress {
        let result = switch request {
        case .renegotiation:
            renegotiation?.answerRenegotiation(renegotiationPolicy) ?? Self.missing(action, "this session cannot renegotiate")
        case .certificateRequest:
            authentication?.answerCertificateRequest() ?? Self.missing(action, "this session has no post-handshake authentication")
        }
        if result.outcome == .ok(0) {
            record.log(action, result)
            answering = nil
            return .again
        }
        if action.readsToTheEnd && !result.outcome.allowsContinuation {
            // The answer ended the connection: that is how the interrupted read's stream ended.
            record.endOfStream = result.outcome
        }
        return interpret(result, of: action, refusalsBefore: refusalsBefore)
    }

    private func withTimer(_ readiness: Readiness, during action: EndpointAction) -> Readiness {
        datagramTimers?.withTimer(readiness, during: action) ?? readiness
    }

    private static func noStreams(_ action: EndpointAction) -> StepResult {
        missing(action, "this protocol has no streams")
    }

    /// The step's result when the session lacks the capability it needs: a local error naming what is missing.
    private static func missing(_ action: EndpointAction, _ what: String) -> StepResult {
        StepResult(.localError, raw: RawResult(call: "\(action) (\(what))", returnValue: -1))
    }

    /// Ends the script where it stands because the cell's deadline passed or the loop found it stalled.
    public func expire(reason: String) {
        guard actionIndex < actions.count else { return finish() }
        let action = actions[actionIndex]
        record.log(action, StepResult(.timeout, raw: RawResult(call: reason, returnValue: 0)))
        if action == .readToEnd || action == .readExactly { record.endOfStream = .timeout }
        if case .shutdown = action { record.shutdown = .timeout }
        if action == .requestCertificate { record.clientCertificate = "requestFailed(timeout)" }
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
        datagramTimers?.reportIdleWakeups(&record)
        connection.close()
        record.negotiatedALPN = session.negotiatedALPN
        record.negotiatedVersion = session.negotiatedVersion
        record.alerts = session.alerts
        record.notes = session.notes
        record.bytesRead = received.count
        record.readDigest = received.withUnsafeBytes { KnownDigests.hex(of: $0) }
        record.bytesWritten = written.count
        record.writtenDigest = written.hexDigest
        record.completed = record.failure == nil
        if let renegotiation, renegotiationSeen || renegotiation.completedHandshakes > 1 {
            record.renegotiations = max(0, renegotiation.completedHandshakes - 1)
        }
        if let transport {
            record.transportRefusals = Dictionary(uniqueKeysWithValues: transport.refusals.map { ($0.key.rawValue, $0.value) })
            record.injectedRefusals = Dictionary(uniqueKeysWithValues: transport.injectedRefusals.map { ($0.key.rawValue, $0.value) })
        }
        if let memory = connection as? MemoryConnection {
            record.largestTransportDelivery = memory.largestDelivery
        } else if let socket = transport as? InterposedTransport, socket.injectsFaults {
            record.largestTransportDelivery = socket.largestDelivery
        }
        if let datagrams = transport as? any DatagramTransport {
            record.datagramLog = datagrams.datagramLog
            record.unfiredDatagramFaults = datagrams.unfiredFaults
            let unfiredMessages = datagrams.unfiredMessageFaults
            if !unfiredMessages.isEmpty { record.unfiredMessageFaults = unfiredMessages.map(\.rawValue) }
            record.retransmissions = datagrams.datagramLog.filter(\.retransmission).count
        }
    }
}
