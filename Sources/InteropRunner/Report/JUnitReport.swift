import Foundation
import InteropCore

/// JUnit XML in the Jenkins/Ant shape that Jenkins, GitLab and the GitHub reporters read: one `testsuite` per
/// scenario family, one `testcase` per cell, library versions and the seed as suite properties.
///
/// Divergent cells are `skipped` with a message that starts `divergent:` so CI shows them apart from passes;
/// not-applicable cells are `skipped` with `not applicable:`.
public enum JUnitReport {
    /// Longest `system-out` kept per case; consumers refuse text nodes over 10 MB.
    public static let systemOutLimit = 512 * 1024

    public static func render(_ report: RunReport) -> String {
        render(labelled: [(report, nil)])
    }

    /// Several runs in one file (the version comparison): each run's suites are named, and its cases classed, after
    /// its label, so that consumers keep the same cell on two library versions apart.
    public static func render(labelled runs: [(report: RunReport, label: String?)]) -> String {
        let interruptions = runs.filter { $0.report.interruption != nil }.count
        let guards = runs.filter { $0.report.coverageLosses != nil }.count
        let tests = runs.map(\.report.results.count).reduce(0, +) + interruptions + guards
        let failures = runs.map { $0.report.count(.failed) + ($0.report.unexcusedLosses.isEmpty ? 0 : 1) }.reduce(0, +)
        let errors = runs.map { $0.report.count(.error) }.reduce(0, +) + interruptions
        let time = runs.map(\.report.duration).reduce(.zero, +)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"tls-interop\" tests=\"\(tests)\" failures=\"\(failures)\" "
        xml += "errors=\"\(errors)\" time=\"\(seconds(time))\">\n"
        for run in runs { xml += suites(run.report, label: run.label) }
        xml += "</testsuites>\n"
        return xml
    }

    private static func suites(_ report: RunReport, label: String?) -> String {
        let families = Dictionary(grouping: report.results, by: \.cell.scenario.family)
        let order = report.results.map(\.cell.scenario.family).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let prefix = label.map { "\($0) · " } ?? ""
        let classPrefix = label.map { "tls-interop." + slug($0) } ?? "tls-interop"
        var xml = ""
        let timestamp = ISO8601DateFormatter().string(from: report.startedAt)
        for family in order {
            let results = families[family] ?? []
            let title = prefix + (results.first.map { "\(family) — \($0.cell.scenario.familyTitle)" } ?? family)
            let time = results.map(\.duration).reduce(.zero, +)
            xml += "  <testsuite name=\"\(XMLText.attribute(title))\" tests=\"\(results.count)\" "
            xml += "failures=\"\(results.filter { $0.status == .failed }.count)\" "
            xml += "errors=\"\(results.filter { $0.status == .error }.count)\" "
            xml += "skipped=\"\(results.filter { [.skipped, .divergent, .interrupted].contains($0.status) }.count)\" "
            xml += "time=\"\(seconds(time))\" timestamp=\"\(timestamp)\" hostname=\"\(XMLText.attribute(report.hostname))\">\n"
            xml += "    <properties>\n"
            for library in report.libraries {
                xml += property("\(library.library.rawValue).version", library.version)
            }
            xml += property("seed", String(report.seed))
            xml += property("modes", Set(results.map(\.cell.mode.rawValue)).sorted().joined(separator: ","))
            xml += coverageProperties(report.coverage)
            xml += "    </properties>\n"
            for result in results { xml += testcase(result, versions: report.libraryVersions, classPrefix: classPrefix) }
            xml += "  </testsuite>\n"
        }
        if let losses = report.coverageLosses {
            xml += coverageCase(losses, prefix: prefix, classPrefix: classPrefix)
        }
        if let interruption = report.interruption {
            // A partial report says so in a way every consumer shows: an error case of its own.
            xml += "  <testsuite name=\"\(XMLText.attribute(prefix + "run"))\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n"
            xml += "    <testcase name=\"run interrupted\" classname=\"\(XMLText.attribute(classPrefix)).run\" time=\"0.000\">\n"
            xml += "      <error type=\"interrupted\" message=\"\(XMLText.attribute(interruption))\">"
            xml += XMLText.content("The run was stopped by a signal: \(interruption). This report is partial.")
            xml += "</error>\n    </testcase>\n  </testsuite>\n"
        }
        return xml
    }

    /// The run's coverage on every suite (consumers show suite properties, not the root's): the whole run's
    /// counts, and one `coverage.notApplicable.reason` per reason as "cells: reason".
    static func coverageProperties(_ coverage: Coverage) -> String {
        var xml = property("coverage.planned", String(coverage.planned))
        xml += property("coverage.ran", String(coverage.ran))
        xml += property("coverage.notApplicable", String(coverage.notApplicable))
        for reason in coverage.notApplicableReasons {
            xml += property("coverage.notApplicable.reason", "\(reason.cells): \(reason.reason)")
        }
        return xml
    }

    /// The coverage guard as a case of its own: failed when the run lost baseline cells no fixture allows, each
    /// named, so a CI page shows why the run failed though every cell passed.
    static func coverageCase(_ losses: [CoverageLoss], prefix: String, classPrefix: String) -> String {
        let unexcused = losses.filter { $0.allowedBecause == nil }
        var xml = "  <testsuite name=\"\(XMLText.attribute(prefix + "coverage"))\" tests=\"1\" failures=\"\(unexcused.isEmpty ? 0 : 1)\" "
        xml += "errors=\"0\" skipped=\"0\" time=\"0.000\">\n"
        xml += "    <testcase name=\"coverage against the baseline\" classname=\"\(XMLText.attribute(classPrefix)).coverage\" time=\"0.000\">\n"
        let lines = losses.map { "\($0.id): \($0.summary)" + ($0.allowedBecause.map { " — allowed: \($0)" } ?? "") }
        if !unexcused.isEmpty {
            xml += "      <failure type=\"coverage lost\" message=\"\(XMLText.attribute("\(unexcused.count) baseline cells lost"))\">"
            xml += XMLText.content(lines.joined(separator: "\n")) + "</failure>\n"
        } else if !lines.isEmpty {
            xml += "      <system-out>" + XMLText.content(lines.joined(separator: "\n")) + "</system-out>\n"
        }
        xml += "    </testcase>\n  </testsuite>\n"
        return xml
    }

    /// `OpenSSL 3.5.7` → `openssl-3.5.7`, for class names.
    static func slug(_ label: String) -> String {
        String(label.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" })
    }

    /// A report for a run that could not start (bad fixture, option or certificate): valid JUnit with one error,
    /// so CI shows why instead of a stale or missing file.
    public static func renderConfigurationError(_ message: String, libraries: [ReportedLibrary]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"tls-interop\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0.000\">\n"
        xml += "  <testsuite name=\"configuration\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n"
        xml += "    <properties>\n"
        for library in libraries { xml += property("\(library.library.rawValue).version", library.version) }
        xml += "    </properties>\n"
        xml += "    <testcase name=\"configuration\" classname=\"tls-interop.configuration\" time=\"0.000\">\n"
        xml += "      <error type=\"configuration\" message=\"\(XMLText.attribute(message))\">\(XMLText.content(message))</error>\n"
        xml += "    </testcase>\n  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// Writes where `path` points, by `OutputFile`'s rules.
    public static func write(_ xml: String, to path: String) throws(OutputFileError) {
        try OutputFile.write(Data(xml.utf8), to: path)
    }

    private static func testcase(_ result: CellResult, versions: [TLSLibrary: String], classPrefix: String) -> String {
        let cell = result.cell
        var xml = "    <testcase name=\"\(XMLText.attribute(cell.displayName))\" "
        xml += "classname=\"\(XMLText.attribute("\(classPrefix).\(cell.scenario.family).\(cell.scenario.id)"))\" "
        xml += "time=\"\(seconds(result.duration))\">\n"
        let detail = "\(result.message)\nreproduce: \(result.reproduceCommand)"
        switch result.status {
        case .passed: break
        case .failed:
            xml += "      <failure type=\"expectation\" message=\"\(XMLText.attribute(result.message))\">"
            xml += XMLText.content(detail) + "</failure>\n"
        case .error:
            xml += "      <error type=\"harness\" message=\"\(XMLText.attribute(result.message))\">"
            xml += XMLText.content(detail) + "</error>\n"
        case .divergent:
            xml += "      <skipped type=\"divergent\" message=\"\(XMLText.attribute("divergent: " + result.message))\"/>\n"
        case .skipped:
            xml += "      <skipped type=\"not-applicable\" message=\"\(XMLText.attribute(result.message))\"/>\n"
        case .interrupted:
            xml += "      <skipped type=\"interrupted\" message=\"\(XMLText.attribute(result.message))\"/>\n"
        }
        let trace = XMLText.truncated(
            CellReportText.render(result, versions: versions, full: result.deservesFullTrace), limit: systemOutLimit)
        xml += "      <system-out>\(XMLText.content(trace))</system-out>\n"
        xml += "    </testcase>\n"
        return xml
    }

    private static func property(_ name: String, _ value: String) -> String {
        "      <property name=\"\(XMLText.attribute(name))\" value=\"\(XMLText.attribute(value))\"/>\n"
    }

    /// Seconds with exactly three decimals, never an exponent (the schema's SUREFIRE_TIME).
    public static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        let milliseconds = max(0, whole * 1000 + attoseconds / 1_000_000_000_000_000)
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
