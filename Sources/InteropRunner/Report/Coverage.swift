/// How much of what a run planned it really ran: the counts every report states, so that a run that quietly got
/// smaller (cells turned not applicable, a filter that selects less) is seen.
public struct Coverage: Sendable, Codable, Equatable {
    public var planned: Int
    public var ran: Int
    public var notApplicable: Int
    /// Not-applicable cells by their reason, most frequent first.
    public var notApplicableReasons: [ReasonCount]

    public struct ReasonCount: Sendable, Codable, Equatable {
        public var reason: String
        public var cells: Int
    }

    /// - Parameter planned: the cells the run set out to run (more than the results when a signal stopped it).
    public init(results: [CellResult], planned: Int? = nil) {
        self.init(verdicts: results.map { ($0.status, $0.message) }, planned: planned ?? results.count)
    }

    public init(records: [ResultsDocument.CellRecord], planned: Int) {
        self.init(verdicts: records.map { ($0.status, $0.message) }, planned: planned)
    }

    private init(verdicts: [(status: CellStatus, message: String)], planned: Int) {
        self.planned = planned
        let skipped = verdicts.filter { $0.status == .skipped }
        notApplicable = skipped.count
        ran = verdicts.filter { $0.status != .skipped && $0.status != .interrupted }.count
        var counts: [String: Int] = [:]
        for verdict in skipped { counts[Self.reason(verdict.message), default: 0] += 1 }
        notApplicableReasons = counts.map { ReasonCount(reason: $0.key, cells: $0.value) }
            .sorted { $0.cells != $1.cells ? $0.cells > $1.cells : $0.reason < $1.reason }
    }

    static func reason(_ message: String) -> String {
        message.hasPrefix("not applicable: ") ? String(message.dropFirst("not applicable: ".count)) : message
    }

    /// One line: "1832 planned, 1430 ran, 402 not applicable (most often: …)".
    public var summary: String {
        var text = "\(planned) planned, \(ran) ran, \(notApplicable) not applicable"
        if let first = notApplicableReasons.first {
            text += " (most often, \(first.cells) cells: \(first.reason))"
        }
        return text
    }
}
