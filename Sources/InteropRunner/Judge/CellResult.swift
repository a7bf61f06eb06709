import InteropCore

/// How a cell fared against its expectation.
public enum CellStatus: String, Sendable, Hashable, Codable {
    case passed
    /// Met the expectation except where a documented divergence says this library does otherwise, exactly as recorded.
    case divergent
    case failed
    case skipped
    /// The harness itself could not run the cell (no socket, …).
    case error
    /// A signal stopped the run while this cell was in flight: its peers were killed, so it is not judged.
    case interrupted
}

/// One expectation field compared with what was observed.
public struct Check: Sendable, Hashable {
    public var field: String
    public var expected: String
    public var observed: String
    public var passed: Bool
    /// Nobody could see it (a target server's side): neither met nor failed, and reported as such.
    public var notObservable: Bool

    public init(field: String, expected: String, observed: String, passed: Bool, notObservable: Bool = false) {
        self.field = field
        self.expected = expected
        self.observed = observed
        self.passed = passed
        self.notObservable = notObservable
    }

    /// `ok`, `MISMATCH` or `not observable`, as reports mark it.
    public var mark: String { notObservable ? "not observable" : passed ? "ok" : "MISMATCH" }
}

/// Everything a report needs about one cell: made by the judging step (`CellVerdict`), read-only outside this module.
public struct CellResult: Sendable {
    public internal(set) var cell: Cell
    public internal(set) var status: CellStatus
    /// One line: expected vs observed, the divergence, or the reason for skipping.
    public internal(set) var message: String
    public internal(set) var checks: [Check]
    public internal(set) var divergence: Divergence?
    public internal(set) var serverConnections: [ConnectionRecord]
    public internal(set) var clients: [ConnectionRecord]
    public internal(set) var observation: CellObservation?
    public internal(set) var seed: UInt64
    public internal(set) var duration: Duration
    public internal(set) var deadlineExpired: Bool
    /// `completed`, `timeout` (the deadline passed) or `stalled` (an in-memory conversation could not progress).
    public internal(set) var ending: LoopEnding = .completed
    /// How each peer process was started and ended, with its stderr (out-of-process and external modes).
    public internal(set) var peerOutput: [String] = []
    /// The command that runs this cell again alone; the matrix runner sets it with the run's options.
    public internal(set) var reproduceCommand: String
    /// The cell's capture and key log (in-memory links), when the run keeps wire evidence.
    public internal(set) var evidence: CellEvidence?

    public init(
        cell: Cell, status: CellStatus, message: String, checks: [Check], divergence: Divergence?,
        serverConnections: [ConnectionRecord], clients: [ConnectionRecord], observation: CellObservation?, seed: UInt64,
        duration: Duration, deadlineExpired: Bool
    ) {
        self.cell = cell
        self.status = status
        self.message = message
        self.checks = checks
        self.divergence = divergence
        self.serverConnections = serverConnections
        self.clients = clients
        self.observation = observation
        self.seed = seed
        self.duration = duration
        self.deadlineExpired = deadlineExpired
        self.reproduceCommand = cell.reproduceCommand(seed: seed)
    }
}

extension CellResult {
    /// Whether reports show this cell's whole trace: a reader investigates what failed, diverged or was cut short;
    /// a passed or not-applicable cell's trace is one `tls-interop explain` away.
    public var deservesFullTrace: Bool {
        ![.passed, .skipped].contains(status)
    }
}
