import Foundation
import InteropCore

/// `reports/index.html`: the interop matrix as one self-contained page (no scripts or files from anywhere else).
/// Rows are clients, columns servers, one block per mode and protocol; each cell shows the family letters coloured
/// by the worst status in that family, and links to the cells' traces further down the page.
public enum HTMLReport {
    static func escape(_ text: String) -> String {
        XMLText.content(text).replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func anchor(_ cell: Cell) -> String {
        "cell-" + cell.id.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }

    static func groupAnchor(_ mode: ExecutionMode, _ version: ProtocolVersion, _ server: TLSLibrary, _ client: TLSLibrary, _ family: String) -> String {
        let name = "group-\(mode.rawValue)-\(version.rawValue)-\(server.rawValue)-\(client.rawValue)-\(family)"
        return name.map { $0.isLetter || $0.isNumber || $0 == "-" ? String($0) : "" }.joined()
    }

    static let style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2329;background:#fafbfc}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:14px;margin:14px 0 4px}
        .meta{color:#57606a}.counts span{display:inline-block;margin-right:14px;font-weight:600}
        .banner{background:#ffe3e3;border:1px solid #e5a0a0;padding:8px 12px;border-radius:6px;margin:10px 0}
        .blocks{display:flex;flex-wrap:wrap;gap:18px}.block{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:10px 14px}
        table.matrix{border-collapse:collapse}table.matrix th,table.matrix td{border:1px solid #d8dee4;padding:6px 10px;text-align:center}
        table.matrix th{background:#f3f5f7;font-weight:600}
        a.f{display:inline-block;min-width:18px;margin:1px;padding:1px 4px;border-radius:4px;font-weight:700;text-decoration:none;color:#fff}
        .passed{background:#2da44e}.failed{background:#cf222e}.divergent{background:#d4a72c}.skipped{background:#8c959f}.error{background:#8250df}.interrupted{background:#57606a}
        details{background:#fff;border:1px solid #d8dee4;border-radius:6px;margin:4px 0;padding:4px 10px}
        details summary{cursor:pointer}details summary .s{display:inline-block;width:72px;font-weight:700}
        .s.passed,.s.failed,.s.divergent,.s.skipped,.s.error,.s.interrupted{background:none}
        .s.passed{color:#1a7f37}.s.failed{color:#cf222e}.s.divergent{color:#9a6700}.s.skipped{color:#57606a}.s.error{color:#8250df}.s.interrupted{color:#57606a}
        pre{white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace;background:#f6f8fa;padding:8px;border-radius:4px}
        ul{margin:4px 0 4px 18px;padding:0}.legend a.f{cursor:default}
        """

    /// The page of a run that stopped at a configuration error before any cell ran.
    public static func renderConfigurationError(_ message: String) -> String {
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>TLSInterop interop matrix</title>"
            + "<style>\(style)</style></head><body>\n<h1>TLSInterop interop matrix</h1>\n"
            + "<p class=\"banner\">Configuration error: \(escape(message))</p>\n<p>No cell ran.</p>\n</body></html>\n"
    }

    public static func render(_ report: RunReport, baselineChanges: [ResultsDiff.Change]? = nil) -> String {
        var html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>TLSInterop interop matrix</title>"
        html += "<style>\(style)</style></head><body>\n"
        html += "<h1>TLSInterop interop matrix</h1>\n"
        let versions = report.libraries.map(\.version).joined(separator: " · ")
        html += "<p class=\"meta\">\(escape(versions)) · seed \(report.seed) · \(escape(ISO8601DateFormatter().string(from: report.startedAt)))"
        html += " · \(escape(report.hostname)) · \(JUnitReport.seconds(report.duration)) s</p>\n"
        if let interruption = report.interruption {
            html += "<p class=\"banner\">Partial report: the run was \(escape(interruption)).</p>\n"
        }
        html += "<p class=\"counts\"><span>\(report.count(.passed)) passed</span><span>\(report.count(.failed) + report.count(.error)) failed</span>"
        html += "<span>\(report.count(.divergent)) divergent</span><span>\(report.count(.skipped)) not applicable</span>"
        html += (report.count(.interrupted) > 0 ? "<span>\(report.count(.interrupted)) interrupted</span>" : "") + "</p>\n"
        html += "<p class=\"meta\">Coverage: \(escape(report.coverage.summary))</p>\n"
        html += "<p class=\"legend\"><a class=\"f passed\">H</a> passed <a class=\"f failed\">H</a> failed "
        html += "<a class=\"f divergent\">H</a> documented divergence <a class=\"f skipped\">H</a> not applicable "
        html += "<a class=\"f error\">H</a> harness error — letters are scenario families: "
        let titles = Dictionary(report.results.map { ($0.cell.scenario.family, $0.cell.scenario.familyTitle) }, uniquingKeysWith: { a, _ in a })
        html += titles.keys.sorted().map { "\(escape($0)) \(escape(titles[$0]!))" }.joined(separator: ", ") + "</p>\n"
        html += matrixBlocks(report)
        html += summaryLists(report, baselineChanges: baselineChanges)
        html += cellDetails(report, changed: Set((baselineChanges ?? []).map(\.id)))
        html += "</body></html>\n"
        return html
    }

    static func summaryLists(_ report: RunReport, baselineChanges: [ResultsDiff.Change]?) -> String {
        var html = ""
        let failed = report.results.filter { $0.status == .failed || $0.status == .error }
        if !failed.isEmpty {
            html += "<h2>Failures</h2><ul>"
            for result in failed {
                html += "<li><a href=\"#\(anchor(result.cell))\">\(escape(result.cell.displayName))</a>: \(escape(result.message))</li>"
            }
            html += "</ul>\n"
        }
        let divergent = Dictionary(grouping: report.results.filter { $0.status == .divergent }) { $0.divergence?.id ?? "?" }
        if !divergent.isEmpty {
            html += "<h2>Documented divergences</h2><ul>"
            for id in divergent.keys.sorted() {
                let cells = divergent[id]!
                html += "<li><strong>\(escape(id))</strong> (\(cells.count) cells): \(escape(cells[0].divergence?.reason ?? ""))"
                html += " <em>\(escape(cells[0].divergence?.reference ?? ""))</em><br>"
                html += cells.map { "<a href=\"#\(anchor($0.cell))\">\(escape($0.cell.id))</a>" }.joined(separator: ", ") + "</li>"
            }
            html += "</ul>\n"
        }
        if let baselineChanges {
            html += "<h2>Changed since the baseline</h2>"
            html += baselineChanges.isEmpty ? "<p>No cell changed.</p>" : "<ul>" + baselineChanges.map {
                "<li><code>\(escape($0.id))</code>: \(escape($0.summary))</li>"
            }.joined() + "</ul>"
            html += "\n"
        }
        html += coverageLists(report)
        html += programSection(report)
        let differences = ModeComparison.differences(in: report)
        if !differences.isEmpty {
            html += "<h2>Differences from in-process</h2><ul>"
            html += differences.map { "<li><a href=\"#\(anchor($0.result.cell))\">\(escape($0.result.cell.id))</a>: \(escape($0.summary))</li>" }.joined()
            html += "</ul>\n"
        }
        return html
    }

    /// The baseline's cells this run lost, and the not-applicable cells by reason.
    static func coverageLists(_ report: RunReport) -> String {
        var html = ""
        if let losses = report.coverageLosses {
            html += "<h2>Coverage lost since the baseline</h2>"
            html += losses.isEmpty ? "<p>No cell lost.</p>" : "<ul>" + losses.map { loss in
                "<li><code>\(escape(loss.id))</code>: \(escape(loss.summary))"
                    + (loss.allowedBecause.map { " — allowed: \(escape($0))" } ?? " <strong>(fails the run)</strong>") + "</li>"
            }.joined() + "</ul>"
            html += "\n"
        }
        let reasons = report.coverage.notApplicableReasons
        if !reasons.isEmpty {
            html += "<h2>Not applicable, by reason</h2><table class=\"matrix\"><tr><th>cells</th><th>reason</th></tr>"
            html += reasons.map { "<tr><td>\($0.cells)</td><td>\(escape($0.reason))</td></tr>" }.joined() + "</table>\n"
        }
        return html
    }

    /// Real programs against the Swift peers, each program's builds side by side (lighttpd on mod_openssl and on
    /// mod_gnutls), rows whose builds differ marked.
    static func programSection(_ report: RunReport) -> String {
        let rows = ProgramComparison.rows(in: report)
        guard !rows.isEmpty else { return "" }
        var html = "<h2 id=\"programs\">Real programs</h2>"
        let several = ProgramComparison.programsOnSeveralBuilds(rows)
        if !several.isEmpty {
            html += "<ul>" + several.map { "<li><b>\(escape($0.endpoint))</b> on its TLS libraries: \($0.differing) of \($0.rows) comparisons differ</li>" }.joined() + "</ul>"
        }
        for endpoint in Array(Set(rows.map(\.endpoint))).sorted() {
            let own = rows.filter { $0.endpoint == endpoint }
            let libraries = own.flatMap { $0.builds.map(\.library) }.reduce(into: [TLSLibrary]()) { if !$0.contains($1) { $0.append($1) } }
            html += "<h3>\(escape(endpoint))</h3><table class=\"matrix\"><tr><th>mode</th><th>scenario</th><th>protocol</th><th>Swift peer</th>"
            html += libraries.map { "<th>on \(escape(report.libraries.displayName(of: $0)))</th>" }.joined() + "<th>builds differ</th></tr>"
            for row in own {
                html += "<tr><td>\(escape(row.mode.rawValue))</td><td>\(escape(row.scenario.id + " " + row.scenario.name))</td>"
                html += "<td>\(escape(row.protocolVersion.rawValue))</td><td>\(escape(report.libraries.displayName(of: row.peer)))</td>"
                for library in libraries {
                    guard let build = row.builds.first(where: { $0.library == library }) else { html += "<td></td>"; continue }
                    let status = build.result.status
                    html += "<td><a class=\"f \(status.rawValue)\" href=\"#\(anchor(build.result.cell))\">\(escape(status.rawValue))</a> "
                    html += "\(escape(row.outline(build.result)))</td>"
                }
                html += "<td>\(row.differs ? escape(row.differences) : "")</td></tr>"
            }
            html += "</table>\n"
        }
        return html + "\n"
    }

    static func matrixBlocks(_ report: RunReport) -> String {
        var html = ""
        for mode in ExecutionMode.allCases {
            let inMode = report.results.filter { $0.cell.mode == mode && $0.cell.endpoint == nil }
            guard !inMode.isEmpty else { continue }
            html += "<h2>\(escape(mode.rawValue))</h2><div class=\"blocks\">\n"
            for version in ProtocolVersion.allCases {
                let block = inMode.filter { $0.cell.protocolVersion == version }
                guard !block.isEmpty else { continue }
                html += "<div class=\"block\"><h3>\(escape(version.rawValue))</h3><table class=\"matrix\">"
                html += "<tr><th>client ↓ server →</th>" + report.libraries.map { "<th>\(escape($0.displayName))</th>" }.joined() + "</tr>"
                for clientLibrary in report.libraries {
                    let client = clientLibrary.library
                    html += "<tr><th>\(escape(clientLibrary.displayName))</th>"
                    for server in report.libraries.map(\.library) {
                        let pair = block.filter { $0.cell.server == server && $0.cell.client == client }
                        let families = pair.map(\.cell.scenario.family).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                        html += "<td>" + families.map { family -> String in
                            let cells = pair.filter { $0.cell.scenario.family == family }
                            let worst = cells.map(\.status).filter { $0 != .skipped }.max { $0.rank < $1.rank } ?? .skipped
                            let tip = cells.map { "\($0.cell.scenario.id): \($0.status.rawValue)" }.joined(separator: ", ")
                            return "<a class=\"f \(worst.rawValue)\" title=\"\(escape(tip))\" href=\"#\(groupAnchor(mode, version, server, client, family))\">\(escape(family))</a>"
                        }.joined() + "</td>"
                    }
                    html += "</tr>"
                }
                html += "</table></div>\n"
            }
            html += "</div>\n"
        }
        return html
    }

    /// Every cell's account: in full for the cells a reader investigates (failed, divergent, interrupted, changed
    /// since the baseline), the checks and a pointer to `explain` for the rest.
    static func cellDetails(_ report: RunReport, changed: Set<String>) -> String {
        var html = "<h2>Cells</h2>\n"
        var opened: Set<String> = []
        for result in report.results {
            let cell = result.cell
            let group = groupAnchor(cell.mode, cell.protocolVersion, cell.server, cell.client, cell.scenario.family)
            if !opened.contains(group) {
                opened.insert(group)
                html += "<h3 id=\"\(group)\">\(escape("\(cell.mode.rawValue) · \(cell.protocolVersion.rawValue) · server \(report.libraries.displayName(of: cell.server)) · client \(report.libraries.displayName(of: cell.client)) · family \(cell.scenario.family)"))</h3>\n"
            }
            let open = result.status == .failed || result.status == .error ? " open" : ""
            html += "<details id=\"\(anchor(cell))\"\(open)><summary><span class=\"s \(result.status.rawValue)\">\(result.status.rawValue)</span>"
            html += "\(escape(cell.displayName)) — \(escape(String(result.message.prefix(200))))</summary>"
            if let files = result.evidence?.files {
                html += "<p>Wire evidence: " + (files.capture.map { "<a href=\"\(escape($0))\">capture (pcapng)</a> · " } ?? "")
                html += "<a href=\"\(escape(files.keyLog))\">key log</a>" + (files.tsharkCommand.map { " — <code>\(escape($0))</code>" } ?? "")
                html += (files.note.map { " (\(escape($0)))" } ?? "") + "</p>"
            }
            let full = result.deservesFullTrace || changed.contains(cell.id)
            let text = CellReportText.render(result, versions: report.libraryVersions, full: full)
            html += "<pre>\(escape(XMLText.truncated(text, limit: 64 * 1024)))</pre></details>\n"
        }
        return html
    }
}
