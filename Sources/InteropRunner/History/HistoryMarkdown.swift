import Foundation
import InteropCore

/// The history as Markdown: `history.md` (runs, flaky cells, divergences that appeared or went away, every changed
/// cell's outcomes) and the block sized for a pull-request comment (`comment.md`).
public enum HistoryMarkdown {
    /// Lines of one list before the rest is counted instead of shown.
    static let listLimit = 500

    public static func render(_ history: RunHistory) -> String {
        let changed = history.changedCells
        let flaky = history.flakyCells
        var lines = ["# TLSInterop history", ""]
        lines.append("\(history.runs.count) runs, \(history.cells.count) cells: \(changed.count) changed, \(flaky.count) flaky.")
        lines += ["", "## Runs", "", "| run | started | commit | branch | builds | seed | passed | failed | divergent | not applicable |", "|---|---|---|---|---|--:|--:|--:|--:|--:|"]
        for run in history.runs {
            let cells = run.document.cells
            func count(_ statuses: Set<CellStatus>) -> Int { cells.filter { statuses.contains($0.status) }.count }
            lines.append(
                "| #\(run.number) | \(RunHistory.minute(run.document.startedAt)) | \(run.commit.map { MarkdownText.code(String($0.prefix(12))) } ?? "?") | "
                    + "\(run.branch.map(MarkdownText.inline) ?? "?") | \(MarkdownText.inline(run.builds)) | \(run.document.seed) | \(count([.passed])) | "
                    + "\(count([.failed, .error])) | \(count([.divergent])) | \(count([.skipped])) |")
        }
        lines += ["", "## Flaky cells", "", "Outcome changed between runs of the same commit, library builds and seed.", ""]
        lines += flaky.isEmpty ? ["None."] : limited(flaky.map { "- \(MarkdownText.code($0.id)): \(MarkdownText.inline($0.sequence)) (runs \($0.flakyIn.map { "#\($0)" }.joined(separator: ", ")))" })
        lines += ["", "## Divergences that appeared or went away", ""]
        let events = history.divergenceEvents
        lines += events.isEmpty ? ["None."] : limited(events.map(eventLine))
        lines += ["", "## Changed cells", ""]
        lines += changed.isEmpty ? ["No cell's outcome changed."] : limited(changed.map { "- \(MarkdownText.code($0.id)): \(MarkdownText.inline($0.sequence))" + ($0.flakyIn.isEmpty ? "" : " — flaky") })
        return lines.joined(separator: "\n") + "\n"
    }

    static func eventLine(_ event: RunHistory.DivergenceEvent) -> String {
        let shown = event.cells.prefix(5).map(MarkdownText.code).joined(separator: ", ") + (event.cells.count > 5 ? ", …" : "")
        return "- run #\(event.run): **\(MarkdownText.inline(event.divergence))** \(event.appeared ? "appeared on" : "went away from") "
            + "\(event.cells.count) cell\(event.cells.count == 1 ? "" : "s"): \(shown)"
    }

    static func limited(_ lines: [String], to limit: Int = listLimit) -> [String] {
        lines.count <= limit ? lines : Array(lines.prefix(limit)) + ["- … and \(lines.count - limit) more"]
    }

    /// GitHub refuses comments over 65,536 characters; the block stays well under.
    public static let commentLimit = 60_000

    /// What changed in the newest run against the base branch's last run before it (or the run before it when no run
    /// of that branch is there): new failures, fixes, divergences that appeared or went away, coverage lost, and the
    /// changed cells the history knows to be flaky, marked so.
    public static func comment(_ history: RunHistory, baseBranch: String?) -> String {
        guard let head = history.runs.last else { return "" }
        let earlier = history.runs.dropLast()
        let base = baseBranch.flatMap { branch in earlier.last { $0.branch == branch } } ?? earlier.last
        var lines = ["### TLSInterop: \(MarkdownText.inline(head.label))" + (base.map { " against \(MarkdownText.inline($0.label))" } ?? ""), ""]
        let cells = head.document.cells
        func count(_ document: ResultsDocument, _ statuses: Set<CellStatus>) -> Int { document.cells.filter { statuses.contains($0.status) }.count }
        let counts = "\(count(head.document, [.passed])) passed · \(count(head.document, [.failed, .error])) failed · "
            + "\(count(head.document, [.divergent])) divergent · \(count(head.document, [.skipped])) not applicable"
        guard let base else {
            return (lines + ["**\(counts)** (\(cells.count) cells; no earlier run to compare with)"]).joined(separator: "\n") + "\n"
        }
        lines.append("**\(counts)** (\(cells.count) cells; base: \(count(base.document, [.failed, .error])) failed, \(count(base.document, [.divergent])) divergent)")
        if base.builds != head.builds { lines += ["", "Library builds changed: \(MarkdownText.inline(base.builds)) → \(MarkdownText.inline(head.builds))"] }
        let before = Dictionary(base.document.cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let flaky = Set(history.flakyCells.map(\.id))
        func mark(_ id: String) -> String { flaky.contains(id) ? " _(flaky in this history)_" : "" }
        let failedNow = cells.filter { [.failed, .error].contains($0.status) && ![.failed, .error].contains(before[$0.id]?.status ?? .passed) }
        let fixed = cells.filter { ![.failed, .error].contains($0.status) && [.failed, .error].contains(before[$0.id]?.status ?? .passed) }
        var sections: [(String, [String])] = [
            ("New failures", failedNow.map { "- \(MarkdownText.code($0.id)): \(MarkdownText.inline($0.message))\(mark($0.id))" }),
            ("Fixed", fixed.map { "- \(MarkdownText.code($0.id)): now \($0.status.rawValue)\(mark($0.id))" }),
        ]
        let events = RunHistory([base, head].enumerated().map { RunHistory.Run(path: $0.element.path, document: $0.element.document, number: $0.offset + 1) })
            .divergenceEvents
        sections.append(("Divergences", events.map { event in
            let shown = event.cells.prefix(5).map(MarkdownText.code).joined(separator: ", ") + (event.cells.count > 5 ? ", …" : "")
            return "- **\(MarkdownText.inline(event.divergence))** \(event.appeared ? "appeared on" : "went away from") \(event.cells.count) cells: \(shown)"
        }))
        let losses = CoverageGuard.losses(baseline: base.document, current: head.document, selected: head.document.shard == nil ? Set(cells.map(\.id)) : nil)
        sections.append(("Coverage lost", losses.map { "- \(MarkdownText.code($0.id)): \(MarkdownText.inline($0.summary))" }))
        let listed = Set(failedNow.map(\.id)).union(fixed.map(\.id)).union(losses.map(\.id))
        let others = ResultsDiff.changes(from: base.document, to: head.document).filter { !listed.contains($0.id) }
        sections.append(("Other changes", others.map { "- \(MarkdownText.code($0.id)): \(MarkdownText.inline($0.summary))\(mark($0.id))" }))
        if sections.allSatisfy({ $0.1.isEmpty }) { lines += ["", "No cell changed."] }
        var size = lines.joined(separator: "\n").utf8.count
        for (title, items) in sections where !items.isEmpty {
            lines += ["", "**\(title)** (\(items.count))", ""]
            for (index, item) in items.enumerated() {
                // Each section keeps its head; the budget cuts the rest, saying how much.
                if size + item.utf8.count + 200 > commentLimit || index >= 50 {
                    lines.append("- … and \(items.count - index) more (see history.md)")
                    break
                }
                lines.append(item)
                size += item.utf8.count + 1
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
