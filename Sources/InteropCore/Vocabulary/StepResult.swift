/// One call's neutral outcome and the raw library values it was mapped from.
public struct StepResult: Sendable, Hashable {
    public var outcome: Outcome
    public var raw: RawResult

    public init(_ outcome: Outcome, raw: RawResult) {
        self.outcome = outcome
        self.raw = raw
    }
}
