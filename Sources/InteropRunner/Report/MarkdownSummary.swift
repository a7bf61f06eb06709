import InteropCore

/// `reports/summary.md`: the matrix as Markdown for a CI job summary (GitHub's step summary, GitLab's reports).
public enum MarkdownSummary {
    static func mark(_ status: CellStatus) -> String {
        switch status {
        case .passed: "✅"
        case .failed: "❌"
        case .divergent: "🟡"
        case .skipped: "➖"
        case .error: "💥"
        case .interrupted: "⏹"
        }
    }

    /// The summary of a run that stopped at a configuration error before any cell ran.
    public static func renderConfigurationError(_ message: String) -> String {
        "# TLSInterop interop matrix\n\n> **Configuration error**: \(MarkdownText.inline(message))\n\nNo cell ran.\n"
    }

    public static func render(_ report: RunReport, baselineChanges: [ResultsDiff.Change]? = nil) -> String {
        var lines: [String] = ["# TLSInterop interop matrix", ""]
        if let interruption = report.interruption {
            lines += ["> **Partial report**: the run was \(MarkdownText.inline(interruption)).", ""]
        }
        let versions = report.libraries.map(\.version).joined(separator: ", ")
        lines.append("\(MarkdownText.inline(versions)) · seed \(report.seed) · \(report.results.count) cells")
        lines.append("")
        lines.append(
            "**\(report.count(.passed)) passed · \(report.count(.failed) + report.count(.error)) failed · "
                + "\(report.count(.divergent)) divergent · \(report.count(.skipped)) not applicable"
                + (report.count(.interrupted) > 0 ? " · \(report.count(.interrupted)) interrupted**" : "**"))
        lines.append("")
        lines.append("Coverage: \(MarkdownText.inline(report.coverage.summary))")
        lines.append("")
        lines.append("✅ passed · ❌ failed · 🟡 documented divergence · ➖ not applicable · 💥 harness error; "
            + "columns are server → client")
        let pairings = report.pairings
        for mode in ExecutionMode.allCases {
            for version in ProtocolVersion.allCases {
                // Real programs have their own section below; the matrix is the libraries' endpoints and tools.
                let block = report.results.filter { $0.cell.mode == mode && $0.cell.protocolVersion == version && $0.cell.endpoint == nil }
                guard !block.isEmpty else { continue }
                lines += ["", "## \(mode.rawValue) · \(version.rawValue)", ""]
                lines.append("| scenario | " + pairings.map { MarkdownText.inline("\($0.server.displayName) → \($0.client.displayName)") }.joined(separator: " | ") + " |")
                lines.append("|---|" + pairings.map { _ in ":-:" }.joined(separator: "|") + "|")
                var seen: [String] = []
                for result in block where !seen.contains(result.cell.scenario.id) {
                    seen.append(result.cell.scenario.id)
                    let marks = pairings.map { pairing -> String in
                        block.first { $0.cell.scenario.id == result.cell.scenario.id && $0.cell.server == pairing.server.library && $0.cell.client == pairing.client.library }
                            .map { mark($0.status) } ?? " "
                    }
                    lines.append(
                        "| \(MarkdownText.inline(result.cell.scenario.id + " " + result.cell.scenario.name)) | " + marks.joined(separator: " | ") + " |")
                }
            }
        }
        lines += programSection(report)
        let failed = report.results.filter { $0.status == .failed || $0.status == .error }
        if !failed.isEmpty {
            lines += ["", "## Failures", ""]
            for result in failed {
                lines.append("- **\(MarkdownText.inline(result.cell.displayName))**: \(MarkdownText.inline(result.message))  ")
                lines.append("  \(MarkdownText.code(result.reproduceCommand))")
            }
        }
        let divergent = Dictionary(grouping: report.results.filter { $0.status == .divergent }) { $0.divergence?.id ?? "?" }
        if !divergent.isEmpty {
            lines += ["", "## Documented divergences", ""]
            for id in divergent.keys.sorted() {
                let cells = divergent[id]!
                lines.append("- **\(MarkdownText.inline(id))** (\(cells.count) cells): \(MarkdownText.inline(cells[0].divergence?.reason ?? ""))")
            }
        }
        if let baselineChanges {
            lines += ["", "## Changed since the baseline", ""]
            lines += baselineChanges.isEmpty
                ? ["No cell changed."] : baselineChanges.map { "- \(MarkdownText.code($0.id)): \(MarkdownText.inline($0.summary))" }
        }
        lines += coverageSection(report)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Not-applicable cells by reason, and the baseline's cells this run lost (each allowed one with its reason).
    static func coverageSection(_ report: RunReport) -> [String] {
        var lines: [String] = []
        if let losses = report.coverageLosses {
            lines += ["", "## Coverage lost since the baseline", ""]
            lines += losses.isEmpty ? ["No cell lost."] : losses.map { loss in
                "- \(loss.allowedBecause == nil ? "❌" : "➖") \(MarkdownText.code(loss.id)): \(MarkdownText.inline(loss.summary))"
                    + (loss.allowedBecause.map { " — allowed: \(MarkdownText.inline($0))" } ?? "")
            }
        }
        let reasons = report.coverage.notApplicableReasons
        if !reasons.isEmpty {
            lines += ["", "## Not applicable, by reason", "", "| cells | reason |", "|--:|---|"]
            lines += reasons.map { "| \($0.cells) | \(MarkdownText.inline($0.reason)) |" }
        }
        return lines
    }

    /// Real programs (fixtures/endpoints/) against the Swift peers: one table per program, its builds side by side.
    static func programSection(_ report: RunReport) -> [String] {
        let rows = ProgramComparison.rows(in: report)
        guard !rows.isEmpty else { return [] }
        var lines = ["", "## Real programs", ""]
        for (endpoint, count, differing) in ProgramComparison.programsOnSeveralBuilds(rows) {
            lines.append("- **\(MarkdownText.inline(endpoint))** on its TLS libraries: \(differing) of \(count) comparisons differ")
        }
        for endpoint in Array(Set(rows.map(\.endpoint))).sorted() {
            let own = rows.filter { $0.endpoint == endpoint }
            let libraries = own.flatMap { $0.builds.map(\.library) }.reduce(into: [TLSLibrary]()) { if !$0.contains($1) { $0.append($1) } }
            lines += ["", "### \(MarkdownText.inline(endpoint))", ""]
            lines.append("| mode | scenario | protocol | Swift peer | " + libraries.map { MarkdownText.inline("on \(report.libraries.displayName(of: $0))") }.joined(separator: " | ") + " | builds differ |")
            lines.append("|---|---|---|---|" + libraries.map { _ in "---" }.joined(separator: "|") + "|---|")
            for row in own {
                let cells = libraries.map { library -> String in
                    guard let build = row.builds.first(where: { $0.library == library }) else { return " " }
                    return mark(build.result.status) + " " + MarkdownText.inline(row.outline(build.result))
                }
                lines.append(
                    "| \(row.mode.rawValue) | \(MarkdownText.inline(row.scenario.id + " " + row.scenario.name)) | \(row.protocolVersion.rawValue) | "
                        + "\(MarkdownText.inline(report.libraries.displayName(of: row.peer))) | " + cells.joined(separator: " | ")
                        + " | \(row.differs ? MarkdownText.inline(row.differences) : "") |")
            }
        }
        return lines
    }
}
