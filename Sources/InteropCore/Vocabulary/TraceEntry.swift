/// One call into a library as the trace shows it; identical consecutive calls are folded into one entry.
public struct TraceEntry: Sendable, Hashable, Codable {
    public var action: String
    public var outcome: Outcome
    public var raw: RawResult
    public var repeats: Int

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
