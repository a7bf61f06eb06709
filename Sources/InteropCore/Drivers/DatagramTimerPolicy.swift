/// DTLS: the application drives the library's retransmission timer (`DTLSv1_get_timeout` / `DTLSv1_handle_timeout`,
/// `gnutls_dtls_get_timeout`). While a handshake or cookie exchange waits, the wait also ends when the timer
/// expires; outside the handshake the timer is not trusted (R8 shows why). What the timer and direction calls say is
/// recorded, with the hazards a loop that trusted them would meet: a stall (no timer while a flight may be lost) or
/// a spin (a timer due at once, or expiring again and again with nothing to retransmit).
final class DatagramTimerPolicy {
    private let timers: (any RetransmissionTimerControl)?
    private let datagrams: any DatagramTransport
    /// When the library's retransmission timer expires, if it runs.
    private var timerDeadline: ContinuousClock.Instant?
    private var readBeforeHandshake = false
    /// How many datagrams this endpoint had sent when its timer last ended a wait, until the next call shows whether
    /// that expiry had anything to retransmit.
    private var sentWhenTimerFired: Int?
    /// Waits the timer ended with nothing to retransmit, and when the handshake's first wait began.
    private var idleTimerWakeups = 0
    private var handshakeWaitStart: ContinuousClock.Instant?

    /// More idle wake-ups than a handshake's few flights could explain.
    private static let spinningIdleWakeups = 3

    /// Nil unless the endpoint's I/O goes through a datagram transport.
    init?(session: any TLSSession, transport: (any ByteTransport)?) {
        guard let datagrams = transport as? any DatagramTransport else { return nil }
        self.datagrams = datagrams
        timers = session as? any RetransmissionTimerControl
    }

    private var reading: String { timers?.timerReading ?? "no timer" }

    /// Before the first handshake call: what the timer says before anything was sent.
    func noteBeforeFirstFlight(_ record: inout ConnectionRecord) {
        guard !readBeforeHandshake else { return }
        readBeforeHandshake = true
        record.timerReadings.append("before the first flight: \(reading)")
    }

    /// A wait that also ends when the timer expires, during the steps where the timer is trusted.
    func withTimer(_ readiness: Readiness, during action: EndpointAction) -> Readiness {
        timerDeadline = nil
        guard [.handshake, .handshakeOnce, .listen].contains(action), let remaining = timers?.retransmissionTimer else {
            return readiness
        }
        // At least a millisecond: GnuTLS may report 0 ms left while its retried call still finds the window
        // unexpired (both round to milliseconds differently); waking at once would spin until the next millisecond.
        let deadline = ContinuousClock.now.advanced(by: max(remaining, .milliseconds(1)))
        timerDeadline = deadline
        return .until(deadline, readiness)
    }

    /// When the timer has expired, lets the library retransmit (`DTLSv1_handle_timeout`; GnuTLS does it in the
    /// retried call) and marks what is sent meanwhile as retransmission, until `endStep`.
    func handleExpiredTimer(before action: EndpointAction, record: inout ConnectionRecord) {
        // Woken with nothing to read while a timer ran: the timer ended the wait (the library's clock and the loop's
        // may differ by a fraction of a millisecond, so the datagram queue decides, not the clock).
        guard let deadline = timerDeadline, ContinuousClock.now >= deadline || !datagrams.hasInboundDatagram else {
            timerDeadline = nil
            return
        }
        timerDeadline = nil
        record.timeoutsHandled += 1
        sentWhenTimerFired = datagrams.datagramLog.count
        datagrams.inTimeoutHandling = true
        record.log("timer", timers?.handleTimeout() ?? StepResult(.localError, raw: RawResult(call: "\(action) (this session has no timer)", returnValue: -1)))
    }

    func endStep() {
        datagrams.inTimeoutHandling = false
    }

    /// After a handshake call, whether the timer expiry before it retransmitted anything (OpenSSL does in
    /// `DTLSv1_handle_timeout`, GnuTLS in the retried call). An expiry with nothing to retransmit only woke the loop.
    func countIdleWakeup() {
        if handshakeWaitStart == nil { handshakeWaitStart = .now }
        guard let before = sentWhenTimerFired else { return }
        sentWhenTimerFired = nil
        if datagrams.datagramLog.count == before { idleTimerWakeups += 1 }
    }

    /// The idle wake-ups of the handshake and their rate, recorded once the handshake has ended; a timer that keeps
    /// expiring with nothing to retransmit is what a loop trusting it spins on.
    func reportIdleWakeups(_ record: inout ConnectionRecord) {
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

    /// (R8) what the timer and direction calls say while the handshake waits and once it is done, and whether a loop
    /// that trusted them would stall or spin.
    func readTimers(after outcome: Outcome, record: inout ConnectionRecord) {
        switch outcome {
        case .wantRead, .wantWrite:
            guard record.timerReadings.count < 2 else { return }
            record.timerReadings.append("while waiting: \(reading)")
            // Before it has sent anything an endpoint has nothing to retransmit: a loss is the peer's timer's to repair.
            if timers?.retransmissionTimer == nil && !datagrams.datagramLog.isEmpty {
                record.timerHazards.append("no timer while waiting for the peer's flight: a loss would stall a loop that trusts it")
            }
        case .ok:
            reportIdleWakeups(&record)
            record.timerReadings.append("after the handshake: \(reading)")
            if let remaining = timers?.retransmissionTimer, remaining <= .milliseconds(1) {
                record.timerHazards.append("timer reported due (\(remaining)) after the handshake: a loop that trusts it would spin")
            }
        default:
            break
        }
    }

    /// A request to wait for write although nothing refused a write: the library really waits for the peer or its
    /// timer (GnuTLS DTLS reports direction 1 after a retransmission); a loop that believed it would spin on
    /// writability. Returns true when that is the case, so the driver waits for reading instead.
    func writeWaitIsSpurious(refusalsBefore: Int, record: inout ConnectionRecord) -> Bool {
        guard datagrams.refusalCount == refusalsBefore else { return false }
        let hazard = "asked to wait for write although nothing refused a write (a loop that trusts it spins)"
        if !record.timerHazards.contains(hazard) { record.timerHazards.append(hazard) }
        return true
    }
}
