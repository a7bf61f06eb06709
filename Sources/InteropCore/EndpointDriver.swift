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
    private let timerControl: (any RetransmissionTimerControl)?
    private let streams: (any StreamSession)?
    private let connection: any RawConnection
    private let transport: (any ByteTransport)?
    private let actions: [EndpointAction]
    private let payload: [UInt8]
    private let expectedInbound: Int
    private var actionIndex = 0
    private var writeOffset = 0
    private var awaited = false
    private var received: [UInt8] = []
    private var readDigest = PayloadDigest()
    private var writeDigest = PayloadDigest()
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)
    /// State of a `writeRetry` step: its stable buffer (pointers matter to OpenSSL's retry check) and whether the
    /// first write was interrupted.
    private var retryBuffer: UnsafeMutableRawBufferPointer?
    private var movedBuffer: UnsafeMutableRawBufferPointer?
    private var retryInterrupted = false
    private static let retryExtra = 128
    /// DTLS: when the library's retransmission timer expires, if it runs.
    private var timerDeadline: ContinuousClock.Instant?
    private var readTimerBeforeHandshake = false
    /// DTLS: how many datagrams this endpoint had sent when its timer last ended a wait, until the next call shows
    /// whether that expiry had anything to retransmit.
    private var sentWhenTimerFired: Int?
    /// DTLS: waits the timer ended with nothing to retransmit, and when the handshake's first wait began.
    private var idleTimerWakeups = 0
    private var handshakeWaitStart: ContinuousClock.Instant?
    /// QUIC: when the library's event timer (`SSL_get_event_timeout`) ends the current wait.
    private var eventTimerDeadline: ContinuousClock.Instant?
    /// QUIC: the current concluding write has ended the stream.
    private var streamConcluded = false
    /// QUIC: consecutive waits of one step on an event timer that was already due.
    private var dueTimerRun = (action: -1, count: 0)

    /// - Parameters:
    ///   - payload: what `send` writes.
    ///   - expectedInbound: how many bytes `readExactly` waits for (the peer's payload).
    public init(
        session: any TLSSession, connection: any RawConnection, transport: (any ByteTransport)?,
        actions: [EndpointAction], payload: [UInt8], expectedInbound: Int, record: ConnectionRecord
    ) {
        self.session = session
        timerControl = session as? any RetransmissionTimerControl
        streams = session as? any StreamSession
        self.connection = connection
        self.transport = transport
        self.actions = actions
        self.payload = payload
        self.expectedInbound = expectedInbound
        self.record = record
    }

    deinit {
        retryBuffer?.deallocate()
        movedBuffer?.deallocate()
    }

    public func advance() -> Progress {
        while actionIndex < actions.count {
            let action = actions[actionIndex]
            let result: StepResult
            let refusalsBefore = transport?.refusalCount ?? 0
            handleExpiredTimer(before: action)
            handleExpiredEventTimer()
            defer { (transport as? any DatagramTransport)?.inTimeoutHandling = false }
            switch action {
            case .listen:
                result = (session as? any StatelessCookieExchange)?.listen()
                    ?? Self.missing(action, "this session has no stateless cookie exchange")
                countIdleWakeup()
            case .handshake, .handshakeOnce:
                if !readTimerBeforeHandshake, transport is any DatagramTransport {
                    readTimerBeforeHandshake = true
                    record.timerReadings.append("before the first flight: \(timerControl?.timerReading ?? "no timer")")
                }
                result = session.handshake()
                if !result.outcome.isRetry { record.handshake = result.outcome }
                countIdleWakeup()
                readTimers(after: result.outcome)
                if action == .handshakeOnce && result.outcome.isRetry {
                    record.log(action, result)
                    actionIndex += 1
                    continue
                }
            case .awaitReadable:
                if awaited {
                    awaited = false
                    actionIndex += 1
                    continue
                }
                awaited = true
                return .waiting(connection.readiness(.read))
            case .send, .echo, .sendConcluding, .echoConcluding:
                let bytes = action == .send || action == .sendConcluding ? payload : received
                let concluding = action.needsStreams
                guard writeOffset < bytes.count || (concluding && !streamConcluded) else {
                    writeOffset = 0
                    streamConcluded = false
                    actionIndex += 1
                    continue
                }
                if bytes.isEmpty {
                    // Nothing to write: end the stream on its own, as a concluding write of no bytes would.
                    result = streams?.concludeStream() ?? Self.noStreams(action)
                    if case .ok = result.outcome {
                        streamConcluded = true
                        record.log(action, result)
                        continue
                    }
                } else {
                    result = bytes.withUnsafeBytes { buffer in
                        let rest = UnsafeRawBufferPointer(rebasing: buffer[writeOffset...])
                        guard concluding else { return session.write(rest) }
                        return streams?.writeConcluding(rest) ?? Self.noStreams(action)
                    }
                    if case .ok(let count) = result.outcome, count > 0 {
                        bytes.withUnsafeBytes { writeDigest.update(UnsafeRawBufferPointer(rebasing: $0[writeOffset..<writeOffset + count])) }
                        writeOffset += count
                        if concluding && writeOffset == bytes.count { streamConcluded = true }
                        record.log(action, result)
                        continue
                    }
                }
            case .conclude:
                result = streams?.concludeStream() ?? Self.noStreams(action)
            case .readToEnd, .readExactly:
                if action == .readExactly && received.count >= expectedInbound {
                    actionIndex += 1
                    continue
                }
                result = scratch.withUnsafeMutableBytes { session.read(into: $0) }
                if case .ok(let count) = result.outcome, count > 0 {
                    scratch.withUnsafeBytes { readDigest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    received.append(contentsOf: scratch[0..<count])
                    record.log(action, result)
                    continue
                }
                if !result.outcome.isRetry { record.endOfStream = result.outcome }
                if action == .readExactly && result.outcome == .eof(.clean) {
                    // The peer concluded before its whole payload arrived: data was lost.
                    record.log(action, result)
                    stop(after: action, with: result.outcome)
                    continue
                }
            case .shutdown(let mode):
                result = session.shutdown(mode)
                if !result.outcome.isRetry { record.shutdown = result.outcome }
            case .keyUpdate:
                result = session.requestKeyUpdate()
            case .writeRetry(let variant):
                switch writeRetry(variant) {
                case .waiting(let readiness): return .waiting(readiness)
                case .finished: continue
                }
            case .readInChunks(let size, let pollFirst):
                if received.count >= expectedInbound {
                    awaited = false
                    actionIndex += 1
                    continue
                }
                if !awaited {
                    let pending = session.pendingBytes
                    if pollFirst || pending == 0 {
                        awaited = true
                        return .waiting(connection.readiness(.read))
                    }
                    if connection.wouldBlock(.read) { record.pendingReads += 1 }
                }
                awaited = false
                result = scratch.withUnsafeMutableBytes { session.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min(size, $0.count)])) }
                if case .ok(let count) = result.outcome, count > 0 {
                    scratch.withUnsafeBytes { readDigest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    received.append(contentsOf: scratch[0..<count])
                    record.log(action, result)
                    continue
                }
                if result.outcome.isRetry {
                    // The library asked to wait: that wait is the loop's poll, so do not poll a second time.
                    awaited = true
                } else {
                    record.endOfStream = result.outcome
                    if result.outcome == .eof(.clean) {
                        record.log(action, result)
                        stop(after: action, with: result.outcome)
                        continue
                    }
                }
            case .probeRead, .probeWrite:
                let probe: StepResult
                if action == .probeRead {
                    probe = scratch.withUnsafeMutableBytes { session.read(into: $0) }
                } else {
                    probe = Array("probe".utf8).withUnsafeBytes { session.write($0) }
                }
                record.log(action, probe)
                record.probes.append("\(action)=\(probe.outcome)")
                actionIndex += 1
                continue
            case .finish, .reset, .sendTruncatedRecord, .refuseWrites, .drainRaw, .close:
                if let wait = performSocketStep(action) { return wait }
                continue
            }
            record.log(action, result)
            if result.outcome.isRetry || (result.outcome == .closeNotifySent && action == .shutdown(.bidirectional)),
                let interest = streams?.networkInterest
            {
                return eventDrivenWait(interest, after: result.outcome)
            }
            switch result.outcome {
            case .wantRead:
                record.wantReadCount += 1
                checkDirection(.read, action: action, refusalsBefore: refusalsBefore)
                return .waiting(withTimer(connection.readiness(.read), during: action))
            case .wantWrite:
                record.wantWriteCount += 1
                checkDirection(.write, action: action, refusalsBefore: refusalsBefore)
                if let datagrams = transport as? any DatagramTransport, datagrams.refusalCount == refusalsBefore {
                    // Nothing refused a write: the library is really waiting for the peer or its timer. GnuTLS DTLS
                    // reports direction 1 after a retransmission; a loop that believed it would spin on writability.
                    let hazard = "asked to wait for write although nothing refused a write (a loop that trusts it spins)"
                    if !record.timerHazards.contains(hazard) { record.timerHazards.append(hazard) }
                    return .waiting(withTimer(connection.readiness(.read), during: action))
                }
                return .waiting(withTimer(connection.readiness(.write), during: action))
            case .closeNotifySent where action == .shutdown(.bidirectional):
                // OpenSSL's SSL_shutdown returns 0 once its close_notify is out; calling it again waits for the peer's.
                continue
            case let outcome where action.establishesConnection && !outcome.isCompletion:
                // A handshake that ended any other way (even in a clean EOF, which SSL_OP_IGNORE_UNEXPECTED_EOF turns
                // an EOF mid-handshake into) did not complete: nothing after it can run on this connection.
                stop(after: action, with: outcome)
            case let outcome where outcome.allowsContinuation:
                actionIndex += 1
            default:
                stop(after: action, with: result.outcome)
            }
        }
        finish()
        return .finished
    }

    /// QUIC: the library does its own socket I/O and keeps its own timers, so a retry outcome (or a shutdown still in
    /// progress) waits for what `SSL_net_read_desired` / `SSL_net_write_desired` / `SSL_get_event_timeout` say, as the
    /// QUIC guides' loops do. The socket's readiness says nothing about one stream, so no direction check applies.
    private func eventDrivenWait(_ interest: NetworkInterest, after outcome: Outcome) -> Progress {
        if outcome == .wantRead { record.wantReadCount += 1 }
        if outcome == .wantWrite { record.wantWriteCount += 1 }
        if record.timerReadings.count < 4 { record.timerReadings.append("after \(outcome): \(interest)") }
        noteDueTimer(interest.timer)
        let readiness = interest.readiness(on: connection.fileDescriptor)
        eventTimerDeadline = readiness.timer
        return .waiting(readiness)
    }

    /// QUIC: a timer reported as already due, again and again while the same call makes no progress, is what a loop
    /// that trusts `SSL_get_event_timeout` spins on; the longest such run per step becomes a timer hazard.
    private func noteDueTimer(_ timer: Duration?) {
        guard let timer, timer < .milliseconds(1) else {
            dueTimerRun = (actionIndex, 0)
            return
        }
        dueTimerRun = dueTimerRun.action == actionIndex ? (actionIndex, dueTimerRun.count + 1) : (actionIndex, 1)
        guard dueTimerRun.count >= Self.spinningRun else { return }
        let action = actions[actionIndex]
        let hazard = "SSL_get_event_timeout reported the timer due \(dueTimerRun.count) times in a row during \(action) "
            + "(a loop that trusts it spins; the harness waits at least 1 ms)"
        record.timerHazards.removeAll { $0.hasPrefix("SSL_get_event_timeout reported the timer due") && $0.contains("during \(action) ") }
        record.timerHazards.append(hazard)
    }

    private static let spinningRun = 10

    /// QUIC: woken by the library's event timer rather than the socket: let it handle its timers
    /// (`SSL_handle_events`) before the call is repeated.
    private func handleExpiredEventTimer() {
        guard let deadline = eventTimerDeadline else { return }
        eventTimerDeadline = nil
        guard ContinuousClock.now >= deadline else { return }
        record.timeoutsHandled += 1
        record.log("timer", timerControl?.handleTimeout() ?? Self.missing(.handshake, "this session has no timer"))
    }

    private static func noStreams(_ action: EndpointAction) -> StepResult {
        missing(action, "this protocol has no streams")
    }

    /// The step's result when the session lacks the capability it needs: a local error naming what is missing.
    private static func missing(_ action: EndpointAction, _ what: String) -> StepResult {
        StepResult(.localError, raw: RawResult(call: "\(action) (\(what))", returnValue: -1))
    }

    /// DTLS: while a handshake or cookie exchange waits, the wait also ends when the library's retransmission timer
    /// expires. Outside the handshake the timer is not trusted (R8 shows why).
    private func withTimer(_ readiness: Readiness, during action: EndpointAction) -> Readiness {
        timerDeadline = nil
        guard transport is any DatagramTransport, [.handshake, .handshakeOnce, .listen].contains(action),
            let remaining = timerControl?.retransmissionTimer
        else { return readiness }
        // At least a millisecond: GnuTLS may report 0 ms left while its retried call still finds the window
        // unexpired (both round to milliseconds differently); waking at once would spin until the next millisecond.
        let deadline = ContinuousClock.now.advanced(by: max(remaining, .milliseconds(1)))
        timerDeadline = deadline
        return .until(deadline, readiness)
    }

    /// DTLS: when the timer has expired, let the library retransmit (`DTLSv1_handle_timeout`; GnuTLS does it in the
    /// retried call) and mark what is sent meanwhile as retransmission.
    private func handleExpiredTimer(before action: EndpointAction) {
        // Woken with nothing to read while a timer ran: the timer ended the wait (the library's clock and the
        // loop's may differ by a fraction of a millisecond, so the datagram queue decides, not the clock).
        guard let deadline = timerDeadline, let datagrams = transport as? any DatagramTransport,
            ContinuousClock.now >= deadline || !datagrams.hasInboundDatagram
        else {
            timerDeadline = nil
            return
        }
        timerDeadline = nil
        record.timeoutsHandled += 1
        sentWhenTimerFired = datagrams.datagramLog.count
        datagrams.inTimeoutHandling = true
        record.log("timer", timerControl?.handleTimeout() ?? Self.missing(action, "this session has no timer"))
        _ = action
    }

    /// DTLS: after a handshake call, whether the timer expiry before it retransmitted anything (OpenSSL does in
    /// `DTLSv1_handle_timeout`, GnuTLS in the retried call). An expiry with nothing to retransmit only woke the loop.
    private func countIdleWakeup() {
        guard let datagrams = transport as? any DatagramTransport else { return }
        if handshakeWaitStart == nil { handshakeWaitStart = .now }
        guard let before = sentWhenTimerFired else { return }
        sentWhenTimerFired = nil
        if datagrams.datagramLog.count == before { idleTimerWakeups += 1 }
    }

    /// DTLS: the idle wake-ups of the handshake and their rate, recorded once the handshake has ended; a timer that
    /// keeps expiring with nothing to retransmit is what a loop trusting it spins on.
    private func reportIdleWakeups() {
        guard idleTimerWakeups > 0, let start = handshakeWaitStart else { return }
        let elapsed = start.duration(to: .now)
        let milliseconds = max(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15, 0.001)
        let rate = Int((Double(idleTimerWakeups) / milliseconds * 1000).rounded())
        record.timerReadings.append("idle timer wake-ups: \(idleTimerWakeups) in \(Int(milliseconds.rounded())) ms (~\(rate)/s)")
        if idleTimerWakeups >= Self.spinningIdleWakeups {
            // The counts are in the timer readings; the hazard's text stays the same from run to run.
            record.timerHazards.append(
                "the retransmission timer kept expiring with nothing to retransmit: a loop that trusts it spins")
        }
        idleTimerWakeups = 0
    }

    /// More idle wake-ups than a handshake's few flights could explain.
    private static let spinningIdleWakeups = 3

    /// DTLS (R8): what the timer and direction calls say while the handshake waits and once it is done, and whether
    /// a loop that trusted them would stall (no timer while waiting for a flight that may be lost) or spin (a timer
    /// due at once after the handshake).
    private func readTimers(after outcome: Outcome) {
        guard transport is any DatagramTransport else { return }
        switch outcome {
        case .wantRead, .wantWrite:
            guard record.timerReadings.count < 2 else { return }
            record.timerReadings.append("while waiting: \(timerControl?.timerReading ?? "no timer")")
            // Before it has sent anything an endpoint has nothing to retransmit: a loss is the peer's timer's to repair.
            let hasSent = !((transport as? any DatagramTransport)?.datagramLog.isEmpty ?? true)
            if timerControl?.retransmissionTimer == nil && hasSent {
                record.timerHazards.append("no timer while waiting for the peer's flight: a loss would stall a loop that trusts it")
            }
        case .ok:
            reportIdleWakeups()
            record.timerReadings.append("after the handshake: \(timerControl?.timerReading ?? "no timer")")
            if let remaining = timerControl?.retransmissionTimer, remaining <= .milliseconds(1) {
                record.timerHazards.append("timer reported due (\(remaining)) after the handshake: a loop that trusts it would spin")
            }
        default:
            break
        }
    }

    /// The R4 step: write the payload from a stable buffer; if the library asks to retry, wait as asked, then resume
    /// the way `variant` says and record what the resumed call returned. Bytes the caller believes written go into
    /// the write digest, so the peer's digest shows whether the two agree.
    private func writeRetry(_ variant: RetryVariant) -> Progress {
        let action = EndpointAction.writeRetry(variant)
        let count = payload.count
        let buffer: UnsafeMutableRawBufferPointer
        if let existing = retryBuffer {
            buffer = existing
        } else {
            buffer = .allocate(byteCount: count + Self.retryExtra, alignment: 16)
            payload.withUnsafeBytes { buffer.copyMemory(from: $0) }
            let extra = SeededGenerator.payload(count: Self.retryExtra, seed: 0x4E7A)
            extra.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[count...]).copyMemory(from: $0) }
            retryBuffer = buffer
            var candidates: [String: String] = [:]
            func digest(_ bytes: UnsafeRawBufferPointer) -> String {
                var digest = PayloadDigest()
                digest.update(bytes)
                return digest.hexDigest
            }
            candidates["original"] = digest(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            candidates["firstHalf"] = digest(UnsafeRawBufferPointer(rebasing: buffer[0..<count / 2]))
            candidates["longer"] = digest(UnsafeRawBufferPointer(buffer))
            let changed = payload.map { $0 ^ 0x5A }
            candidates["changed"] = changed.withUnsafeBytes { digest($0) }
            record.writeCandidates = candidates
        }
        let refusalsBefore = transport?.refusalCount ?? 0
        let result: StepResult
        var written: UnsafeRawBufferPointer = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        if !retryInterrupted {
            result = session.write(written)
        } else {
            switch variant {
            case .sameBuffer:
                result = session.write(written)
            case .shorter:
                written = UnsafeRawBufferPointer(rebasing: buffer[0..<count / 2])
                result = session.write(written)
            case .longer:
                written = UnsafeRawBufferPointer(buffer)
                result = session.write(written)
            case .movedCopy:
                let moved = movedBuffer ?? {
                    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                    copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    movedBuffer = copy
                    return copy
                }()
                written = UnsafeRawBufferPointer(moved)
                result = session.write(written)
            case .changedContents:
                result = session.write(written)
            case .withoutData:
                result = (session as? any ResumableWrite)?.resumeWriteWithoutData()
                    ?? StepResult(.localError, raw: RawResult(call: "resume without data (not offered by this library)", returnValue: -1))
            case .discardQueued:
                result = (session as? any ResumableWrite)?.discardQueuedWrite()
                    ?? StepResult(.localError, raw: RawResult(call: "discard queued (not offered by this library)", returnValue: -1))
            }
        }
        record.log(action, result)
        switch result.outcome {
        case .wantRead, .wantWrite:
            let direction: TransportDirection = result.outcome == .wantRead ? .read : .write
            if direction == .read { record.wantReadCount += 1 } else { record.wantWriteCount += 1 }
            checkDirection(direction, action: action, refusalsBefore: refusalsBefore)
            if !retryInterrupted && variant == .changedContents {
                // The caller reuses its buffer before retrying: exactly what the guides forbid.
                for index in 0..<count { buffer[index] ^= 0x5A }
            }
            retryInterrupted = true
            return .waiting(connection.readiness(direction))
        case .ok(let moved):
            if !retryInterrupted {
                record.retryOutcome = "notInterrupted"
            } else {
                record.retryOutcome = result.outcome.description
            }
            if variant == .discardQueued && retryInterrupted {
                // Nothing the caller wrote is meant to arrive.
            } else if variant == .withoutData && retryInterrupted {
                writeDigest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<min(moved, count)]))
            } else {
                writeDigest.update(UnsafeRawBufferPointer(rebasing: written[0..<min(moved, written.count)]))
            }
            actionIndex += 1
        default:
            record.retryOutcome = result.outcome.description
            stop(after: action, with: result.outcome)
        }
        return .finished
    }

    /// Compares the direction the library asked to wait for with what really blocked. With a harness transport the
    /// refusal during the call says which direction blocked; a request for the other direction is a mismatch (a loop
    /// that trusts it waits on the wrong event). A request to wait although nothing blocked — nothing was refused, or
    /// on the library's own socket I/O the socket was already ready in that direction — is a spurious wait: harmless
    /// to a poll loop (it wakes at once) but worth knowing. Nothing else runs between the call and the check, so the
    /// socket's state is the one the library saw.
    private func checkDirection(_ asked: TransportDirection, action: EndpointAction, refusalsBefore: Int) {
        record.directionChecks += 1
        if let transport {
            guard transport.refusalCount > refusalsBefore, let refused = transport.lastRefusal else {
                record.spuriousWaits.append("\(action): asked to wait for \(asked) although the transport refused nothing")
                return
            }
            if refused != asked {
                record.directionMismatches.append("\(action): asked to wait for \(asked), transport refused \(refused)")
            }
        } else if !connection.wouldBlock(asked) {
            record.spuriousWaits.append("\(action): asked to wait for \(asked) although the socket was ready for it")
        }
    }

    /// Steps that act on the socket or the transport rather than on the TLS session. Returns a wait, or nil when the
    /// step is done (or the script stopped).
    private func performSocketStep(_ action: EndpointAction) -> Progress? {
        switch action {
        case .finish:
            do {
                try connection.finishWriting()
                record.log(action, StepResult(.ok(0), raw: RawResult(call: "shutdown(SHUT_WR)", returnValue: 0)))
            } catch {
                record.log(action, StepResult(.reset, raw: RawResult(call: "shutdown(SHUT_WR)", returnValue: -1, osError: error.code)))
            }
        case .reset:
            do {
                try connection.closeWithReset()
                record.log(action, StepResult(.ok(0), raw: RawResult(call: "close with SO_LINGER 0", returnValue: 0)))
            } catch {
                record.log(action, StepResult(.localError, raw: RawResult(call: "setsockopt(SO_LINGER)", returnValue: -1, osError: error.code)))
            }
        case .sendTruncatedRecord:
            // An application-data record header announcing 64 bytes, followed by only 32 of them.
            var record = [UInt8]([0x17, 0x03, 0x03, 0x00, 0x40])
            record += SeededGenerator.payload(count: 32, seed: 0x7255)
            let sent = record.withUnsafeBytes { connection.sendRaw($0) }
            switch sent {
            case .transferred(let count):
                self.record.log(action, StepResult(.ok(count), raw: RawResult(call: "send", returnValue: count)))
            case .wouldBlock:
                return .waiting(connection.readiness(.write))
            case .endOfStream, .failed:
                let code: Int32 = if case .failed(let code) = sent { code } else { 0 }
                self.record.log(action, StepResult(.reset, raw: RawResult(call: "send", returnValue: -1, osError: code)))
            }
        case .refuseWrites(let count):
            guard let transport else {
                record.log(action, StepResult(.localError, raw: RawResult(call: "refuseWrites", returnValue: -1)))
                stop(after: action, with: .localError)
                return nil
            }
            transport.writeRefusalsPending += count
        case .drainRaw:
            while true {
                let result = scratch.withUnsafeMutableBytes { connection.receiveRaw(into: $0) }
                switch result {
                case .endOfStream:
                    record.log(action, StepResult(.eof(.unexpected), raw: RawResult(call: "recv", returnValue: 0)))
                case .transferred(let count):
                    record.log(action, StepResult(.ok(count), raw: RawResult(call: "recv", returnValue: count)))
                    continue
                case .wouldBlock:
                    return .waiting(connection.readiness(.read))
                case .failed(let code):
                    record.log(action, StepResult(.reset, raw: RawResult(call: "recv", returnValue: -1, osError: code)))
                }
                break
            }
        case .close:
            connection.close()
        default:
            preconditionFailure("\(action) is not a socket step")
        }
        actionIndex += 1
        return nil
    }

    /// Ends the script where it stands because the cell's deadline passed or the loop found it stalled.
    public func expire(reason: String) {
        guard actionIndex < actions.count else { return finish() }
        let action = actions[actionIndex]
        record.log(action, StepResult(.timeout, raw: RawResult(call: reason, returnValue: 0)))
        if action == .readToEnd || action == .readExactly { record.endOfStream = .timeout }
        if case .shutdown = action { record.shutdown = .timeout }
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
        reportIdleWakeups()
        connection.close()
        record.negotiatedALPN = session.negotiatedALPN
        record.negotiatedVersion = session.negotiatedVersion
        record.alerts = session.alerts
        record.notes = session.notes
        record.bytesRead = readDigest.byteCount
        record.readDigest = readDigest.hexDigest
        record.bytesWritten = writeDigest.byteCount
        record.writtenDigest = writeDigest.hexDigest
        record.completed = record.failure == nil
        if let transport {
            record.transportRefusals = Dictionary(uniqueKeysWithValues: transport.refusals.map { ($0.key.rawValue, $0.value) })
            record.injectedRefusals = Dictionary(uniqueKeysWithValues: transport.injectedRefusals.map { ($0.key.rawValue, $0.value) })
        }
        if let memory = connection as? MemoryConnection {
            record.largestTransportDelivery = memory.largestDelivery
        }
        if let datagrams = transport as? any DatagramTransport {
            record.datagramLog = datagrams.datagramLog
            record.unfiredDatagramFaults = datagrams.unfiredFaults
            record.retransmissions = datagrams.datagramLog.filter(\.retransmission).count
        }
    }
}
