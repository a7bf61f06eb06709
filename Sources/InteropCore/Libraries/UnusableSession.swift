/// Stands in for a session whose setup failed, so the failure shows in the trace like any other step: every call
/// the real session could have been asked for fails with the setup error.
final class UnusableSession: TLSSession, RetransmissionTimerControl, StatelessCookieExchange, ResumableWrite {
    private let error: SessionSetupError

    init(_ error: SessionSetupError) {
        self.error = error
    }

    private var failure: StepResult { StepResult(.localError, raw: error.raw) }

    func handshake() -> StepResult { failure }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StepResult { failure }
    func write(_ bytes: UnsafeRawBufferPointer) -> StepResult { failure }
    func shutdown(_ mode: ShutdownMode) -> StepResult { failure }
    func requestKeyUpdate() -> StepResult { failure }
    func resumeWriteWithoutData() -> StepResult { failure }
    func discardQueuedWrite() -> StepResult { failure }
    var pendingBytes: Int { 0 }
    func listen() -> StepResult { failure }
    var retransmissionTimer: Duration? { nil }
    var timerReading: String { "no session" }
    func handleTimeout() -> StepResult { failure }
    var negotiatedALPN: String? { nil }
    var negotiatedVersion: ProtocolVersion? { nil }
    var alerts: [AlertEvent] { [] }
    var notes: [String] { [error.message] }
}
