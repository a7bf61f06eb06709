/// One call into a library as the trace shows it; identical consecutive calls are folded into one entry.
public struct TraceEntry: Sendable, Hashable, Codable {
    public var action: String
    public var outcome: Outcome
    public var raw: RawResult
    public var repeats: Int
    /// In a summarized trace (`TraceSummary`): how many calls of the same step were left out just before this one.
    public var omittedBefore: Int?

    public init(action: String, outcome: Outcome, raw: RawResult, repeats: Int = 1) {
        self.action = action
        self.outcome = outcome
        self.raw = raw
        self.repeats = repeats
    }

    public var line: String {
        let times = repeats > 1 ? " ×\(repeats)" : ""
        return "\(action): \(outcome) [\(raw)]\(times)"
    }
}
