import Foundation
import InteropCore

/// The same matrix run on several builds of the libraries (a version matrix: e.g. OpenSSL {3.0 system, 3.5} ×
/// GnuTLS {3.7 system, 3.8}, or a candidate package against the installed one): one report with the build as a
/// dimension, listing every cell whose outcome changed from the first run (the reference) to each other run.
public struct VersionComparison: Sendable {
    public struct Side: Sendable {
        public var path: String
        public var document: ResultsDocument
        public var report: RunReport
        /// The builds this run differs in, as they report themselves, e.g. `OpenSSL 3.5.7 9 Jun 2026 (build …)`.
        public var label: String
        /// `OpenSSL 3.5.7`, or `OpenSSL 3.5.7 × GnuTLS 3.8.9`, for headings and suite names.
        public var shortLabel: String
    }

    /// The runs, the reference first.
    public var sides: [Side]
    /// For each run after the reference: the cells whose verdict or judged observations differ from the reference's,
    /// and cells run on one of the two only.
    public var changes: [[ResultsDiff.Change]]

    /// The libraries whose build differs between runs, and their names as reports show them, e.g. `OpenSSL`.
    public var varying: [TLSLibrary]
    public var varyingNames: [String]
    /// The versions every run shares, e.g. `GnuTLS 3.7.9`.
    public var shared: String

    public var reference: Side { sides[0] }
    /// The two-run form's names for its sides.
    public var older: Side { sides[0] }
    public var newer: Side { sides[sides.count - 1] }

    /// Reads every run's results, refusing a set that compares nothing: fewer than two runs, two runs of the same
    /// builds, or different seeds.
    public static func load(_ paths: [String], libraries: LibraryRegistry) throws(ConfigurationError) -> VersionComparison {
        guard paths.count >= 2 else { throw ConfigurationError("give at least two results.json files to compare") }
        var documents: [ResultsDocument] = []
        for path in paths { documents.append(try ResultsDocument.load(path)) }
        let names = Set(documents.flatMap(\.libraries.keys)).sorted {
            libraries.order(of: TLSLibrary($0)) < libraries.order(of: TLSLibrary($1))
        }
        for (index, document) in documents.enumerated() {
            if let earlier = documents[..<index].firstIndex(where: { $0.libraries == document.libraries }) {
                let versions = names.compactMap { document.libraries[$0] }.joined(separator: ", ")
                throw ConfigurationError(
                    "\(paths[earlier]) and \(paths[index]) both ran \(versions): there is no version to compare between them")
            }
            if document.seed != documents[0].seed {
                throw ConfigurationError("\(paths[index]) ran with seed \(document.seed), \(paths[0]) with \(documents[0].seed)")
            }
        }
        let changing = names.filter { name in Set(documents.map { $0.libraries[name] ?? "" }).count > 1 }
        func side(_ path: String, _ document: ResultsDocument) -> Side {
            var report = RunReport(
                results: document.cells.map(ShardMerge.result), libraries: libraries.reported(versions: document.libraries),
                seed: document.seed, startedAt: document.startedAt, duration: .milliseconds(Int64(document.durationSeconds * 1000)))
            report.hostname = document.hostname
            report.interruption = document.interrupted
            let labels = changing.map { document.libraries[$0] ?? "no \($0)" }
            let short = labels.map { label -> String in
                // "OpenSSL 3.5.7 9 Jun 2026 (build .deps/openssl-3.5)" → "OpenSSL 3.5.7 (build .deps/openssl-3.5)"
                let build = label.range(of: " (build ").map { String(label[$0.lowerBound...]) } ?? ""
                return label.split(separator: " ").prefix(2).joined(separator: " ") + build
            }
            return Side(
                path: path, document: document, report: report, label: labels.joined(separator: " · "),
                shortLabel: short.joined(separator: " × "))
        }
        let sides = zip(paths, documents).map { side($0, $1) }
        return VersionComparison(
            sides: sides, changes: documents.dropFirst().map { ResultsDiff.changes(from: documents[0], to: $0) },
            varying: changing.map { TLSLibrary($0) }, varyingNames: changing.map { libraries.displayName(for: TLSLibrary($0)) },
            shared: names.filter { !changing.contains($0) }.compactMap { documents[0].libraries[$0] }.joined(separator: ", "))
    }

    /// The changes in three groups a reader wants apart: cells that ran on both builds with another outcome, cells
    /// that only the other build can run (not applicable on the reference: a capability arrived), and the reverse.
    public struct Groups: Sendable {
        public var changedOutcome: [ResultsDiff.Change] = []
        public var nowRunnable: [ResultsDiff.Change] = []
        public var noLongerRunnable: [ResultsDiff.Change] = []
    }

    /// The groups of run `index` (1…) against the reference.
    public func groups(_ index: Int) -> Groups {
        let before = Dictionary(reference.document.cells.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(sides[index].document.cells.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first })
        var groups = Groups()
        for change in changes[index - 1] {
            let was = before[change.id]
            let now = after[change.id]
            if (was == nil || was == .skipped), let now, now != .skipped {
                groups.nowRunnable.append(ResultsDiff.Change(id: change.id, summary: now.rawValue))
            } else if let was, was != .skipped, now == nil || now == .skipped {
                groups.noLongerRunnable.append(ResultsDiff.Change(id: change.id, summary: "was \(was.rawValue)"))
            } else {
                groups.changedOutcome.append(change)
            }
        }
        return groups
    }

    private func groupSections(_ index: Int) -> [(title: String, changes: [ResultsDiff.Change])] {
        let groups = groups(index)
        let (was, now) = (reference.shortLabel, sides[index].shortLabel)
        return [
            ("Outcome changed (run on both)", groups.changedOutcome),
            ("Runs only on \(now) (not applicable on \(was))", groups.nowRunnable),
            ("Runs only on \(was) (not applicable on \(now))", groups.noLongerRunnable),
        ]
    }

    /// Every change, over all runs after the reference.
    public var changeCount: Int { changes.map(\.count).reduce(0, +) }

    /// How many cells run `index` and the reference were compared on.
    public func comparedCells(_ index: Int) -> Int {
        Set(reference.document.cells.map(\.id)).union(sides[index].document.cells.map(\.id)).count
    }

    /// True when every run met every expectation (a change between builds is information, not a failure).
    public var succeeded: Bool { sides.allSatisfy(\.report.succeeded) }

    public var title: String {
        sides.count == 2 && varying.count == 1
            ? "\(varyingNames[0]) version comparison: \(older.shortLabel) → \(newer.shortLabel)"
            : "Build matrix: \(varyingNames.joined(separator: " × ")), \(sides.count) runs"
    }

    public func renderJUnit() -> String {
        JUnitReport.render(labelled: sides.map { ($0.report, $0.shortLabel) })
    }

    /// A changed cell as both runs saw it: checks, observations and both endpoints' traces with raw values.
    private func bothAccounts(_ id: String, _ index: Int) -> (String, String)? {
        guard let was = reference.document.cells.first(where: { $0.id == id }),
            let now = sides[index].document.cells.first(where: { $0.id == id })
        else { return nil }
        return (
            ResultsExplanation.render(was, libraries: reference.document.libraries),
            ResultsExplanation.render(now, libraries: sides[index].document.libraries)
        )
    }

    public func renderMarkdown() -> String {
        var lines = ["# TLSInterop — \(title)", ""]
        lines.append("Every run \(shared.isEmpty ? "" : "against \(MarkdownText.inline(shared)), ")seed \(reference.report.seed); the first is the reference.")
        lines.append("")
        lines.append("| " + varyingNames.map(MarkdownText.inline).joined(separator: " | ") + " | cells | passed | failed | divergent | not applicable | results |")
        lines.append("|" + String(repeating: " --- |", count: varyingNames.count + 6))
        for side in sides {
            let report = side.report
            let builds = varying.map { MarkdownText.inline(side.document.libraries[$0.rawValue] ?? "none") }
            lines.append(
                "| " + builds.joined(separator: " | ") + "\(report.interruption == nil ? "" : " (partial)") | \(report.results.count) | "
                    + "\(report.count(.passed)) | \(report.count(.failed) + report.count(.error)) | \(report.count(.divergent)) | "
                    + "\(report.count(.skipped)) | \(MarkdownText.code(side.path)) |")
        }
        for index in sides.indices.dropFirst() {
            lines += ["", "## Cells whose outcome changed between \(reference.shortLabel) and \(sides[index].shortLabel)"]
            if changes[index - 1].isEmpty { lines += ["", "No cell changed (\(comparedCells(index)) cells compared)."] }
            for section in groupSections(index) where !section.changes.isEmpty {
                lines += ["", "### \(section.title): \(section.changes.count)", ""]
                for change in section.changes {
                    lines.append("- \(MarkdownText.code(change.id)): \(MarkdownText.inline(change.summary))")
                    guard section.title.hasPrefix("Outcome"), let (was, now) = bothAccounts(change.id, index) else { continue }
                    // Fenced, so nothing in a trace is read as Markdown; a fence inside is broken up.
                    let fenced = ["on \(reference.shortLabel):"] + was.split(separator: "\n").map(String.init)
                        + ["", "on \(sides[index].shortLabel):"] + now.split(separator: "\n").map(String.init)
                    lines += ["  <details><summary>both runs' checks and raw values</summary>", "", "  ```"]
                    lines += fenced.map { "  " + $0.replacingOccurrences(of: "```", with: "` ` `") }
                    lines += ["  ```", "  </details>"]
                }
            }
        }
        for side in sides {
            // Each run's own summary, one heading level down, so the matrix of each build is on the page.
            let body = MarkdownSummary.render(side.report).split(separator: "\n", omittingEmptySubsequences: false)
                .dropFirst().map { $0.hasPrefix("#") ? "#" + $0 : String($0) }
            lines += ["", "## \(MarkdownText.inline(side.label))"] + body
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One page: the counts per version, the changed cells, and each version's matrix, whose cells link into that
    /// run's own `index.html` (`directory` is where this page is written).
    public func renderHTML(in directory: String) -> String {
        var html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(HTMLReport.escape(title))</title>"
        html += "<style>\(HTMLReport.style)</style></head><body>\n"
        html += "<h1>\(HTMLReport.escape(title))</h1>\n"
        html += "<p class=\"meta\">\(shared.isEmpty ? "" : "every run against \(HTMLReport.escape(shared)) · ")seed \(reference.report.seed) · the first run is the reference</p>\n"
        html += "<table><tr>" + varyingNames.map { "<th>\(HTMLReport.escape($0))</th>" }.joined()
        html += "<th>passed</th><th>failed</th><th>divergent</th><th>not applicable</th><th>report</th></tr>\n"
        for side in sides {
            let report = side.report
            let link = Self.relativePath(from: directory, to: Self.directory(of: side.path)) + "/index.html"
            html += "<tr>" + varying.map { "<td>\(HTMLReport.escape(side.document.libraries[$0.rawValue] ?? "none"))</td>" }.joined()
            html += "<td>\(report.count(.passed))</td>"
            html += "<td>\(report.count(.failed) + report.count(.error))</td><td>\(report.count(.divergent))</td>"
            html += "<td>\(report.count(.skipped))</td><td><a href=\"\(HTMLReport.escape(link))\">\(HTMLReport.escape(link))</a></td></tr>\n"
        }
        html += "</table>\n"
        for index in sides.indices.dropFirst() {
            html += "<h2>Cells whose outcome changed between \(HTMLReport.escape(reference.shortLabel)) and \(HTMLReport.escape(sides[index].shortLabel))</h2>\n"
            if changes[index - 1].isEmpty { html += "<p>No cell changed (\(comparedCells(index)) cells compared).</p>\n" }
            for section in groupSections(index) where !section.changes.isEmpty {
                html += "<h3>\(HTMLReport.escape(section.title)): \(section.changes.count)</h3>\n<ul>\n"
                for change in section.changes {
                    html += "<li><code>\(HTMLReport.escape(change.id))</code>: \(HTMLReport.escape(change.summary))"
                    if section.title.hasPrefix("Outcome"), let (was, now) = bothAccounts(change.id, index) {
                        html += "<details><summary>both runs' checks and raw values</summary><pre>"
                        html += HTMLReport.escape("on \(reference.shortLabel):\n\(was)\n\non \(sides[index].shortLabel):\n\(now)") + "</pre></details>"
                    }
                    html += "</li>\n"
                }
                html += "</ul>\n"
            }
        }
        for side in sides {
            let link = Self.relativePath(from: directory, to: Self.directory(of: side.path)) + "/index.html"
            html += "<h2>\(HTMLReport.escape(side.label))</h2>\n"
            html += HTMLReport.matrixBlocks(side.report).replacingOccurrences(of: "href=\"#", with: "href=\"\(HTMLReport.escape(link))#")
        }
        html += "</body></html>\n"
        return html
    }

    /// Every run's results whole, and the changes against the reference, in one JSON document.
    public struct Document: Codable, Sendable {
        public struct ChangeRecord: Codable, Sendable {
            /// The run (its builds) compared with the reference.
            public var run: String
            public var id: String
            public var summary: String
        }

        public var kind: String
        public var schemaVersion = ResultsDocument.currentSchemaVersion
        public var runs: [ResultsDocument]
        public var changes: [ChangeRecord]
    }

    public func encodedDocument() throws -> Data {
        var records: [Document.ChangeRecord] = []
        for index in sides.indices.dropFirst() {
            records += changes[index - 1].map { .init(run: sides[index].label, id: $0.id, summary: $0.summary) }
        }
        let document = Document(kind: "build-matrix", runs: sides.map(\.document), changes: records)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(document)
    }

    /// Writes junit.xml, versions.json, summary.md and index.html into `directory`.
    public func write(to directory: String) throws {
        let reports = ReportSet(directory: directory)
        try OutputFile.write(Data(renderJUnit().utf8), to: reports.junitPath)
        try OutputFile.write(try encodedDocument(), to: directory + "/versions.json")
        try OutputFile.write(Data(renderMarkdown().utf8), to: reports.summaryPath)
        try OutputFile.write(Data(renderHTML(in: directory).utf8), to: reports.htmlPath)
    }

    static func directory(of file: String) -> String {
        URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
    }

    /// The relative path from one folder to another, e.g. `reports/versions` → `reports/openssl-3.5` is `../openssl-3.5`.
    static func relativePath(from source: String, to target: String) -> String {
        let from = URL(fileURLWithPath: source).standardizedFileURL.pathComponents
        let to = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < min(from.count, to.count) && from[common] == to[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
