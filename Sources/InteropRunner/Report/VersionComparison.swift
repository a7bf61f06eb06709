import Foundation
import InteropCore

/// The same matrix run on two versions of one library, every other library the same (e.g. the system's OpenSSL 3.0
/// and the 3.5 built by `make openssl-3.5`, both against the system's GnuTLS): one report with the version as a
/// dimension, listing every cell whose outcome changed.
public struct VersionComparison: Sendable {
    public struct Side: Sendable {
        public var path: String
        public var document: ResultsDocument
        public var report: RunReport
        /// The varying library's version as it reports it, e.g. `OpenSSL 3.5.7 9 Jun 2026`.
        public var label: String
        /// `OpenSSL 3.5.7`, for headings and suite names.
        public var shortLabel: String
    }

    public var older: Side
    public var newer: Side
    /// Cells whose verdict or judged observations differ, and cells run on one version only.
    public var changes: [ResultsDiff.Change]

    /// The library whose version the two runs differ in; every other library ran the same version on both.
    public var varying: TLSLibrary
    /// Its name as reports show it, e.g. `OpenSSL`.
    public var varyingName: String
    /// The versions both runs share, e.g. `GnuTLS 3.7.9`.
    public var shared: String

    /// Reads both runs' results, refusing a pair that would not isolate one library's version: the same versions on
    /// both sides, more than one library changed, or a different seed.
    public static func load(older olderPath: String, newer newerPath: String, libraries: LibraryRegistry)
        throws(ConfigurationError) -> VersionComparison
    {
        let olderDocument = try ResultsDocument.load(olderPath)
        let newerDocument = try ResultsDocument.load(newerPath)
        let names = Set(olderDocument.libraries.keys).union(newerDocument.libraries.keys)
            .sorted { libraries.order(of: TLSLibrary($0)) < libraries.order(of: TLSLibrary($1)) }
        let changed = names.filter { olderDocument.libraries[$0] != newerDocument.libraries[$0] }
        guard let key = changed.first else {
            let versions = names.compactMap { olderDocument.libraries[$0] }.joined(separator: ", ")
            throw ConfigurationError("\(olderPath) and \(newerPath) both ran \(versions): there is no version to compare")
        }
        guard changed.count == 1 else {
            let display = changed.map { libraries.displayName(for: TLSLibrary($0)) }
            throw ConfigurationError(
                "\(newerPath) ran \(changed.map { newerDocument.libraries[$0] ?? "no \($0)" }.joined(separator: ", ")), \(olderPath) "
                    + "\(changed.map { olderDocument.libraries[$0] ?? "no \($0)" }.joined(separator: ", ")): with "
                    + "\(display.joined(separator: " and ")) changed, no change could be attributed to \(display[0]) alone")
        }
        guard olderDocument.seed == newerDocument.seed else {
            throw ConfigurationError("\(newerPath) ran with seed \(newerDocument.seed), \(olderPath) with \(olderDocument.seed)")
        }
        func side(_ path: String, _ document: ResultsDocument) throws(ConfigurationError) -> Side {
            var results: [CellResult] = []
            for record in document.cells {
                results.append(ShardMerge.result(record))
            }
            var report = RunReport(
                results: results, libraries: libraries.reported(versions: document.libraries), seed: document.seed,
                startedAt: document.startedAt,
                duration: .milliseconds(Int64(document.durationSeconds * 1000)))
            report.hostname = document.hostname
            report.interruption = document.interrupted
            let label = document.libraries[key] ?? "unknown"
            let short = label.split(separator: " ").prefix(2).joined(separator: " ")
            return Side(path: path, document: document, report: report, label: label, shortLabel: short)
        }
        let shared = names.filter { $0 != key }.compactMap { olderDocument.libraries[$0] }.joined(separator: ", ")
        return VersionComparison(
            older: try side(olderPath, olderDocument), newer: try side(newerPath, newerDocument),
            changes: ResultsDiff.changes(from: olderDocument, to: newerDocument), varying: TLSLibrary(key),
            varyingName: libraries.displayName(for: TLSLibrary(key)), shared: shared)
    }

    public var sides: [Side] { [older, newer] }

    /// The changes in three groups a reader wants apart: cells that ran on both versions with another outcome,
    /// cells that only the newer version can run (not applicable before: a capability arrived), and the reverse.
    public struct Groups: Sendable {
        public var changedOutcome: [ResultsDiff.Change] = []
        public var nowRunnable: [ResultsDiff.Change] = []
        public var noLongerRunnable: [ResultsDiff.Change] = []
    }

    public var groups: Groups {
        let before = Dictionary(older.document.cells.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(newer.document.cells.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first })
        var groups = Groups()
        for change in changes {
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

    private var groupSections: [(title: String, changes: [ResultsDiff.Change])] {
        let groups = groups
        return [
            ("Outcome changed (run on both versions)", groups.changedOutcome),
            ("Runs only on \(newer.shortLabel) (not applicable on \(older.shortLabel))", groups.nowRunnable),
            ("Runs only on \(older.shortLabel) (not applicable on \(newer.shortLabel))", groups.noLongerRunnable),
        ]
    }

    /// True when both runs met every expectation (a change between versions is information, not a failure).
    public var succeeded: Bool { older.report.succeeded && newer.report.succeeded }

    public var title: String { "\(varyingName) version comparison: \(older.shortLabel) → \(newer.shortLabel)" }

    public func renderJUnit() -> String {
        JUnitReport.render(labelled: sides.map { ($0.report, $0.shortLabel) })
    }

    public func renderMarkdown() -> String {
        var lines = ["# TLSInterop — \(title)", ""]
        let gnutls = shared
        lines.append("Both runs against \(MarkdownText.inline(gnutls)), seed \(older.report.seed).")
        lines.append("")
        lines.append("| \(MarkdownText.inline(varyingName)) | cells | passed | failed | divergent | not applicable | results |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        for side in sides {
            let report = side.report
            lines.append(
                "| \(MarkdownText.inline(side.label))\(report.interruption == nil ? "" : " (partial)") | \(report.results.count) | \(report.count(.passed)) | "
                    + "\(report.count(.failed) + report.count(.error)) | \(report.count(.divergent)) | \(report.count(.skipped)) | "
                    + "\(MarkdownText.code(side.path)) |")
        }
        lines += ["", "## Cells whose outcome changed between \(older.shortLabel) and \(newer.shortLabel)"]
        if changes.isEmpty { lines += ["", "No cell changed."] }
        for section in groupSections where !section.changes.isEmpty {
            lines += ["", "### \(section.title): \(section.changes.count)", ""]
            lines += section.changes.map { "- \(MarkdownText.code($0.id)): \(MarkdownText.inline($0.summary))" }
        }
        for side in sides {
            // Each run's own summary, one heading level down, so the matrix of each version is on the page.
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
        html += "<p class=\"meta\">both against \(HTMLReport.escape(shared)) · seed \(older.report.seed)</p>\n"
        html += "<table><tr><th>\(HTMLReport.escape(varyingName))</th><th>passed</th><th>failed</th><th>divergent</th><th>not applicable</th><th>report</th></tr>\n"
        for side in sides {
            let report = side.report
            let link = Self.relativePath(from: directory, to: Self.directory(of: side.path)) + "/index.html"
            html += "<tr><td>\(HTMLReport.escape(side.label))</td><td>\(report.count(.passed))</td>"
            html += "<td>\(report.count(.failed) + report.count(.error))</td><td>\(report.count(.divergent))</td>"
            html += "<td>\(report.count(.skipped))</td><td><a href=\"\(HTMLReport.escape(link))\">\(HTMLReport.escape(link))</a></td></tr>\n"
        }
        html += "</table>\n"
        html += "<h2>Cells whose outcome changed between \(HTMLReport.escape(older.shortLabel)) and \(HTMLReport.escape(newer.shortLabel))</h2>\n"
        if changes.isEmpty { html += "<p>No cell changed.</p>\n" }
        for section in groupSections where !section.changes.isEmpty {
            html += "<h3>\(HTMLReport.escape(section.title)): \(section.changes.count)</h3>\n<ul>\n"
            html += section.changes.map { "<li><code>\(HTMLReport.escape($0.id))</code>: \(HTMLReport.escape($0.summary))</li>" }
                .joined(separator: "\n") + "\n</ul>\n"
        }
        for side in sides {
            let link = Self.relativePath(from: directory, to: Self.directory(of: side.path)) + "/index.html"
            html += "<h2>\(HTMLReport.escape(side.label))</h2>\n"
            html += HTMLReport.matrixBlocks(side.report).replacingOccurrences(of: "href=\"#", with: "href=\"\(HTMLReport.escape(link))#")
        }
        html += "</body></html>\n"
        return html
    }

    /// Both runs' results whole, and the changes, in one JSON document.
    public struct Document: Codable, Sendable {
        public struct ChangeRecord: Codable, Sendable {
            public var id: String
            public var summary: String
        }

        public var kind: String
        public var schemaVersion = ResultsDocument.currentSchemaVersion
        public var older: ResultsDocument
        public var newer: ResultsDocument
        public var changes: [ChangeRecord]
    }

    public func encodedDocument() throws -> Data {
        let document = Document(
            kind: "\(varying.rawValue)-version-comparison", older: older.document, newer: newer.document, changes: changes.map { .init(id: $0.id, summary: $0.summary) })
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
