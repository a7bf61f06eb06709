/// QUIC: the library does its own socket I/O and keeps its own timers, so a retry outcome (or a shutdown still in
/// progress) waits for what `SSL_net_read_desired` / `SSL_net_write_desired` / `SSL_get_event_timeout` say, as the
/// QUIC guides' loops do, and a wake-up by the event timer lets the library handle it (`SSL_handle_events`) before
/// the call is repeated. The socket's readiness says nothing about one stream, so no direction check applies.
final class QUICEventPolicy {
    private let streams: any StreamSession
    private let timers: (any RetransmissionTimerControl)?
    /// When the library's event timer (`SSL_get_event_timeout`) ends the current wait.
    private var eventTimerDeadline: ContinuousClock.Instant?
    /// Consecutive waits of one step on an event timer that was already due.
    private var dueTimerRun = (step: -1, count: 0)
    private static let spinningRun = 10
    /// Enough for a handshake's probe timeouts and a close; a long transfer's waits add nothing to the cross-check.
    static let keptWaits = 32

    /// Nil unless the session is a stream session.
    init?(session: any TLSSession) {
        guard let streams = session as? any StreamSession else { return nil }
        self.streams = streams
        timers = session as? any RetransmissionTimerControl
    }

    var networkInterest: NetworkInterest { streams.networkInterest }

    /// Woken by the library's event timer rather than the socket: let it handle its timers first.
    func handleExpiredEventTimer(_ record: inout ConnectionRecord) {
        guard let deadline = eventTimerDeadline else { return }
        eventTimerDeadline = nil
        guard ContinuousClock.now >= deadline else { return }
        record.timeoutsHandled += 1
        record.log("timer", timers?.handleTimeout() ?? StepResult(.localError, raw: RawResult(call: "handshake (this session has no timer)", returnValue: -1)))
    }

    /// The wait after `outcome` at step number `step`, as the library's network interest says.
    func wait(
        for interest: NetworkInterest, after outcome: Outcome, step: Int, action: EndpointAction, on connection: any RawConnection,
        record: inout ConnectionRecord
    ) -> Readiness {
        if outcome == .wantRead { record.wantReadCount += 1 }
        if outcome == .wantWrite { record.wantWriteCount += 1 }
        if record.timerReadings.count < 4 { record.timerReadings.append("after \(outcome): \(interest)") }
        if record.timerWaits?.count ?? 0 < Self.keptWaits {
            let milliseconds = interest.timer.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
            record.timerWaits = (record.timerWaits ?? []) + [
                TimerWait(at: WallClock.microseconds, milliseconds: milliseconds, step: "\(action)")
            ]
        }
        noteDueTimer(interest.timer, step: step, action: action, record: &record)
        let readiness = interest.readiness(on: connection.fileDescriptor)
        eventTimerDeadline = readiness.timer
        return readiness
    }

    /// A timer reported as already due, again and again while the same call makes no progress, is what a loop that
    /// trusts `SSL_get_event_timeout` spins on; the longest such run per step becomes a timer hazard.
    private func noteDueTimer(_ timer: Duration?, step: Int, action: EndpointAction, record: inout ConnectionRecord) {
        guard let timer, timer < .milliseconds(1) else {
            dueTimerRun = (step, 0)
            return
        }
        dueTimerRun = dueTimerRun.step == step ? (step, dueTimerRun.count + 1) : (step, 1)
        guard dueTimerRun.count >= Self.spinningRun else { return }
        let hazard = "SSL_get_event_timeout reported the timer due \(dueTimerRun.count) times in a row during \(action) "
            + "(a loop that trusts it spins; the harness waits at least 1 ms)"
        record.timerHazards.removeAll { $0.hasPrefix("SSL_get_event_timeout reported the timer due") && $0.contains("during \(action) ") }
        record.timerHazards.append(hazard)
    }
}
