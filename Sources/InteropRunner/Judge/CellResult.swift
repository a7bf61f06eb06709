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

    public init(field: String, expected: String, observed: String, passed: Bool) {
        self.field = field
        self.expected = expected
        self.observed = observed
        self.passed = passed
    }
}

/// Everything a report needs about one cell.
public struct CellResult: Sendable {
    public var cell: Cell
    public var status: CellStatus
    /// One line: expected vs observed, the divergence, or the reason for skipping.
    public var message: String
    public var checks: [Check]
    public var divergence: Divergence?
    public var serverConnections: [ConnectionRecord]
    public var clients: [ConnectionRecord]
    public var observation: CellObservation?
    public var seed: UInt64
    public var duration: Duration
    public var deadlineExpired: Bool
    /// `completed`, `timeout` (the deadline passed) or `stalled` (an in-memory conversation could not progress).
    public var ending: LoopEnding = .completed
    /// How each peer process was started and ended, with its stderr (out-of-process and external modes).
    public var peerOutput: [String] = []
    /// The command that runs this cell again alone; the matrix runner sets it with the run's options.
    public var reproduceCommand: String

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
