import ArgumentParser
import Foundation
import InteropRunner
import LibraryPlugins

struct VersionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "Put the results of the same matrix on two OpenSSL versions into one report, listing every cell that changed.",
        discussion: """
            Both runs must use the same GnuTLS and seed (`make run-3.5` does this for the system's OpenSSL 3.0 and the
            3.5 build). Writes junit.xml (each version's suites named after it), versions.json, summary.md and
            index.html. Exit status: 0 when both runs met every expectation, 1 when either had failures, 2 refused.
            """)

    @Argument(help: "results.json of the older OpenSSL.") var older: String
    @Argument(help: "results.json of the newer OpenSSL.") var newer: String
    @Option(help: "Write the comparison here.") var reports: String = "reports/versions"

    func run() throws {
        let comparison: VersionComparison
        do {
            comparison = try VersionComparison.load(older: older, newer: newer, libraries: .linked)
            try ReportSet(directory: reports).prepare()
        } catch {
            StandardStreams.error("tls-interop versions: error: \(error.message)\n")
            throw ExitCode(2)
        }
        try comparison.write(to: reports)
        print(comparison.title)
        for side in comparison.sides {
            let report = side.report
            print("  \(side.label): \(report.count(.passed)) passed, \(report.count(.failed) + report.count(.error)) failed, "
                + "\(report.count(.divergent)) divergent, \(report.count(.skipped)) not applicable")
        }
        print("\(comparison.changes.count) cell\(comparison.changes.count == 1 ? "" : "s") changed:")
        let groups = comparison.groups
        for (title, changes) in [
            ("outcome changed", groups.changedOutcome), ("runs only on \(comparison.newer.shortLabel)", groups.nowRunnable),
            ("runs only on \(comparison.older.shortLabel)", groups.noLongerRunnable),
        ] where !changes.isEmpty {
            print("  \(title) (\(changes.count)):")
            for change in changes { print(TerminalText.printable("    \(change.id): \(change.summary)")) }
        }
        print("reports: \(reports)/junit.xml, \(reports)/versions.json, \(reports)/summary.md, \(reports)/index.html")
        if !comparison.succeeded { throw ExitCode(1) }
    }
}
