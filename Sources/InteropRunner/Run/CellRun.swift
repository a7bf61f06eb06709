import InteropCore

/// What running one cell produced, before any judgement: the endpoints' records, how the loop ended, and what the
/// runner itself saw go wrong. Runners return this plain value; `CellVerdict` alone turns it into a result.
public struct CellRun: Sendable {
    public var serverConnections: [ConnectionRecord] = []
    public var clients: [ConnectionRecord] = []
    public var ending: LoopEnding = .completed
    /// Why the cell cannot run in its mode with its libraries; nothing ran.
    public var notApplicable: String?
    /// What kept the harness from running or finishing the cell (no socket, a listener that failed); the cell is a
    /// harness error, judged on whatever records exist.
    public var harnessError: String?
    /// What the peers did that fails the cell whatever their records say (crashed, printed garbage, outlived the
    /// deadline), in the order seen.
    public var problems: [String] = []
    /// How each peer process was started and ended, with its stderr (out-of-process and external modes).
    public var peerOutput: [String] = []
    /// What the program standing for one side cannot show (an endpoint adapter's `blindTo` and the observations it
    /// has no pattern for): judged as not observable rather than as passed or failed.
    public var unobservable: Set<ObservedField> = []
    public var duration: Duration = .zero
    /// The bytes and secrets of an in-memory cell, when the run keeps wire evidence.
    public var evidence: CellEvidence?

    public init() {}

    public static func notApplicable(_ reason: String) -> CellRun {
        var run = CellRun()
        run.notApplicable = reason
        return run
    }

    public static func harnessError(_ reason: String, after duration: Duration = .zero) -> CellRun {
        var run = CellRun()
        run.harnessError = reason
        run.duration = duration
        return run
    }

    var hasRecords: Bool { !serverConnections.isEmpty || !clients.isEmpty }
}
