/// How the cells of the other modes compare with the in-process cell of the same scenario, pairing and protocol:
/// the same verdict and the same judged observations, or what differs.
public enum ModeComparison {
    public struct Difference: Sendable {
        public var result: CellResult
        public var inProcess: CellResult
        public var summary: String
    }

    public static func differences(in report: RunReport) -> [Difference] {
        var inProcess: [String: CellResult] = [:]
        for result in report.results where result.cell.mode == .inProcess {
            inProcess[key(result.cell)] = result
        }
        var differences: [Difference] = []
        // A real program is not the in-process cell's twin (it is compared with its other builds instead).
        for result in report.results where result.cell.mode != .inProcess && result.status != .skipped && result.cell.endpoint == nil {
            guard let reference = inProcess[key(result.cell)], reference.status != .skipped else { continue }
            var changes: [String] = []
            if reference.status != result.status {
                changes.append("verdict \(reference.status.rawValue) → \(result.status.rawValue)")
            }
            let fields = Set(result.checks.map(\.field)).intersection(reference.checks.map(\.field))
            for field in fields.sorted() {
                let before = reference.checks.first { $0.field == field }?.observed ?? "?"
                let after = result.checks.first { $0.field == field }?.observed ?? "?"
                if before != after { changes.append("\(field) \(before) → \(after)") }
            }
            if !changes.isEmpty {
                differences.append(Difference(result: result, inProcess: reference, summary: changes.joined(separator: "; ")))
            }
        }
        return differences
    }

    static func key(_ cell: Cell) -> String {
        "\(cell.scenario.id)/\(cell.server.rawValue)-\(cell.client.rawValue)/\(cell.protocolVersion.rawValue)"
    }
}
