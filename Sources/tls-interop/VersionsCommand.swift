import ArgumentParser
import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins

struct VersionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "Put the results of the same matrix on several builds of the libraries into one report (a version matrix).",
        discussion: """
            Each run may differ from the others in the build of either library (run --build); all must use the same \
            seed. The first is the reference: every cell whose outcome changed from it to another run is listed with \
            both runs' observations and raw values. `make run-versions` runs OpenSSL {3.0 system, 3.5} × GnuTLS {3.7 \
            system, 3.8}. Writes junit.xml (each run's suites named after its builds), versions.json, summary.md and \
            index.html. Exit status: 0 when every run met every expectation, 1 when any had failures, 2 refused.
            """)

    @Argument(help: "results.json of each run, the reference first.") var runs: [String]
    @Option(help: "Write the comparison here.") var reports: String = "reports/versions"

    func validate() throws {
        guard runs.count >= 2 else { throw ValidationError("give at least two results.json files, the reference first") }
    }

    func run() throws {
        let comparison: VersionComparison
        do throws(ConfigurationError) {
            comparison = try VersionComparison.load(runs, libraries: .linked)
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
        for index in comparison.sides.indices.dropFirst() {
            let changes = comparison.changes[index - 1]
            let against = comparison.sides.count == 2 ? "" : " from \(comparison.reference.shortLabel) to \(comparison.sides[index].shortLabel)"
            print("\(changes.count) cell\(changes.count == 1 ? "" : "s") changed\(against) (\(comparison.comparedCells(index)) compared)\(changes.isEmpty ? "" : ":")")
            let groups = comparison.groups(index)
            for (title, changes) in [
                ("outcome changed", groups.changedOutcome), ("runs only on \(comparison.sides[index].shortLabel)", groups.nowRunnable),
                ("runs only on \(comparison.reference.shortLabel)", groups.noLongerRunnable),
            ] where !changes.isEmpty {
                print("  \(title) (\(changes.count)):")
                for change in changes { print(TerminalText.printable("    \(change.id): \(change.summary)")) }
            }
        }
        print("reports: \(reports)/junit.xml, \(reports)/versions.json, \(reports)/summary.md, \(reports)/index.html")
        if !comparison.succeeded { throw ExitCode(1) }
    }
}
