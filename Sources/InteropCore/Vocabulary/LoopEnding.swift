/// How a cell's event loop ended, one value from the loop to the report: the raw value is the name traces,
/// `results.json` (`ending`) and expectations (`loopEnding`) use.
public enum LoopEnding: String, Sendable, Equatable, Codable {
    case completed
    /// The deadline passed with participants still busy.
    case deadlineExpired = "timeout"
    /// Every participant waited on an in-memory condition no one could satisfy: a deadlock, found at once.
    case stalled
    /// A signal stopped the run (`RunInterruption`) while participants were busy.
    case interrupted
}
