import InteropCore

/// The matrix as a person reads it at a glance on a terminal or in a CI log, then every failure and divergence.
public enum ConsoleSummary {
    /// One character per cell: `.` passed, `F` failed, `D` divergent, `-` not applicable, `E` harness error, `I`
    /// interrupted.
    static func mark(_ status: CellStatus) -> String {
        switch status {
        case .passed: "."
        case .failed: "F"
        case .divergent: "D"
        case .skipped: "-"
        case .error: "E"
        case .interrupted: "I"
        }
    }

    public static func render(_ report: RunReport) -> String {
        var lines: [String] = []
        let versions = report.libraries.map(\.version).joined(separator: ", ")
        lines.append("TLSInterop — \(versions) — seed \(report.seed)")
        let pairings = report.pairings
        let protocols = ProtocolVersion.allCases.filter { version in report.results.contains { $0.cell.protocolVersion == version } }
        let modes = ExecutionMode.allCases.filter { mode in report.results.contains { $0.cell.mode == mode } }
        let scenarioWidth = max(24, (report.results.map { "\($0.cell.scenario.id) \($0.cell.scenario.name)".count }.max() ?? 0) + 2)
        // One lookup per matrix position rather than a scan of every result.
        let byCell = Dictionary(report.results.map { ($0.cell.id, $0) }, uniquingKeysWith: { first, _ in first })
        for mode in modes {
            var header = pad("scenario (\(mode.rawValue))", scenarioWidth)
            var legend = pad("server/client:", scenarioWidth)
            for version in protocols {
                header += pad(version.rawValue, 14)
                legend += pad(pairings.map { $0.server.matrixMark + $0.client.matrixMark }.joined(separator: " "), 14)
            }
            lines.append("")
            lines.append(header)
            lines.append(legend)
            var seen: Set<String> = []
            for result in report.results where result.cell.mode == mode && !seen.contains(result.cell.scenario.id) {
                let scenario = result.cell.scenario
                seen.insert(scenario.id)
                var line = pad("\(scenario.id) \(scenario.name)", scenarioWidth)
                for version in protocols {
                    let marks = pairings.map { pairing -> String in
                        let match = byCell[
                            Cell(scenario: scenario, server: pairing.server.library, client: pairing.client.library,
                                protocolVersion: version, mode: mode).id]
                        return " " + (match.map { mark($0.status) } ?? " ")
                    }
                    line += pad(marks.joined(separator: " "), 14)
                }
                lines.append(line)
            }
        }
        lines.append("")
        lines.append("legend: . passed  F failed  D documented divergence  - not applicable  E harness error; "
            + "pairs are server+client, " + report.libraries.map { "\($0.matrixMark) = \($0.displayName)" }.joined(separator: ", "))
        let divergent = report.results.filter { $0.status == .divergent }
        if !divergent.isEmpty {
            lines.append("")
            lines.append("divergences (\(divergent.count) cells):")
            let byDivergence = Dictionary(grouping: divergent) { $0.divergence?.id ?? "?" }
            for id in byDivergence.keys.sorted() {
                let cells = byDivergence[id]!
                lines.append("  \(id): \(cells[0].divergence?.reason ?? "")")
                for result in cells { lines.append("    \(result.cell.id)") }
            }
        }
        let modesRun = Set(report.results.map(\.cell.mode))
        if modesRun.contains(.inProcess) && modesRun.count > 1 {
            let differences = ModeComparison.differences(in: report)
            lines.append("")
            let compared = report.results.filter { $0.cell.mode != .inProcess && $0.status != .skipped && $0.cell.endpoint == nil }.count
            lines.append("compared with in-process: \(compared - differences.count) of \(compared) cells in other modes agree")
            for difference in differences {
                lines.append("  \(difference.result.cell.id): \(difference.summary)")
            }
        }
        let programRows = ProgramComparison.rows(in: report)
        for (endpoint, count, differing) in ProgramComparison.programsOnSeveralBuilds(programRows) {
            lines.append("")
            lines.append("\(endpoint) on its TLS libraries: \(differing) of \(count) comparisons differ")
            for row in programRows where row.endpoint == endpoint && row.differs {
                lines.append("  \(row.scenario.id)/\(row.protocolVersion.rawValue)/\(row.mode.rawValue), Swift \(row.peer.rawValue) peer: \(row.differences)")
            }
        }
        let failed = report.results.filter { $0.status == .failed || $0.status == .error }
        if !failed.isEmpty {
            lines.append("")
            lines.append("failures (\(failed.count)):")
            for result in failed {
                lines.append("  \(result.cell.displayName)")
                lines.append("    \(result.message)")
                lines.append("    reproduce: \(result.reproduceCommand)")
            }
        }
        let slowest = report.results.filter { $0.status != .skipped }.sorted { $0.duration > $1.duration }.prefix(3)
        if !slowest.isEmpty {
            lines.append("")
            lines.append("slowest cells: " + slowest.map { "\($0.cell.id) \(JUnitReport.seconds($0.duration)) s" }.joined(separator: ", "))
        }
        if let losses = report.coverageLosses, !losses.isEmpty {
            lines.append("")
            lines.append("coverage lost since the baseline (\(report.unexcusedLosses.count) of \(losses.count) not allowed by fixtures/coverage.yaml):")
            for loss in losses {
                lines.append("  \(loss.id): \(loss.summary)" + (loss.allowedBecause.map { " — allowed: \($0)" } ?? ""))
            }
        }
        lines.append("")
        lines.append("coverage: \(report.coverage.summary)")
        lines.append("\(report.count(.divergent)) divergent (documented in fixtures/divergences.yaml; not counted as passed)")
        lines.append(counts(report))
        return lines.joined(separator: "\n")
    }

    /// The summary's last line, all `--quiet` prints: "P passed, D divergent, F failed, S skipped".
    public static func counts(_ report: RunReport) -> String {
        "\(report.count(.passed)) passed, \(report.count(.divergent)) divergent, \(report.count(.failed) + report.count(.error)) failed, "
            + "\(report.count(.skipped)) skipped"
            + (report.count(.interrupted) > 0 ? ", \(report.count(.interrupted)) interrupted" : "")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
