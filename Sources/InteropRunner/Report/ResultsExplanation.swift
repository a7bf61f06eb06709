import InteropCore

/// One cell of a results file as text: what was expected, what was seen, both endpoints' traces with raw values,
/// and the command that runs it again.
public enum ResultsExplanation {
    public static func render(_ cell: ResultsDocument.CellRecord, libraries: [String: String]) -> String {
        var lines = [
            "cell: \(cell.name)", "id: \(cell.id)", "status: \(cell.status.rawValue) — \(cell.message)",
            "libraries: server \(libraries[cell.server.rawValue] ?? "?"), client \(libraries[cell.client.rawValue] ?? "?")",
            "seed: \(cell.seed)", "loop ended: \(cell.ending.rawValue)", "reproduce: \(cell.reproduce)", "expectation and checks:",
        ]
        for check in cell.checks {
            lines.append("  [\(check.mark)] \(check.field): expected \(check.expected), observed \(check.observed)")
        }
        if let divergence = cell.divergence { lines.append("documented divergence: \(divergence)") }
        if let files = cell.evidence { lines.append(CellReportText.evidenceLine(files)) }
        lines += cell.peerOutput
        for record in cell.clients + cell.serverConnections { lines += CellReportText.recordLines(record) }
        return lines.joined(separator: "\n")
    }
}
