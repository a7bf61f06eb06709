import ArgumentParser
import Foundation
import InteropRunner
import LibraryPlugins

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "List the cells whose outcome changed between two results files, and the coverage the newer one lost.",
        discussion: """
            A baseline cell lost is one the newer file no longer has, or has as not applicable; fixtures/coverage.yaml \
            may allow a loss with a reason. Exit status: 0 nothing that --fail-on names happened, 1 it did, 2 a file \
            could not be read.
            """)

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case change
        case coverageLoss = "coverage-loss"
    }

    @Argument(help: "The older results.json (the baseline).") var old: String
    @Argument(help: "The newer results.json.") var new: String

    @Option(help: "The directory holding coverage.yaml (losses allowed, each with its reason).")
    var fixtures: String = "fixtures"

    @Option(help: "change: exit 1 when any cell changed (a lost cell is a change); coverage-loss: only when coverage was lost that no fixture allows.")
    var failOn: FailOn = .change

    func run() throws {
        let before: ResultsDocument
        let after: ResultsDocument
        let exceptions: CoverageExceptions
        do {
            before = try ResultsDocument.load(old)
            after = try ResultsDocument.load(new)
            exceptions = try CoverageExceptions.load(file: fixtures + "/coverage.yaml", libraries: .linked)
        } catch {
            StandardStreams.error("tls-interop: error: \(error.message)\n")
            throw ExitCode(2)
        }
        let changes = ResultsDiff.changes(from: before, to: after)
        for change in changes { print(TerminalText.printable("\(change.id): \(change.summary)")) }
        print("\(changes.count) cells changed (\(after.cells.count) cells in \(new), \(before.cells.count) in \(old))")
        // A shard's file holds part of its selection: the cells of other shards are not lost.
        let losses = CoverageGuard.losses(
            baseline: before, current: after, selected: after.shard == nil ? Set(after.cells.map(\.id)) : nil, allowed: exceptions)
        let unexcused = losses.filter { $0.allowedBecause == nil }
        for loss in losses {
            print(TerminalText.printable("coverage lost: \(loss.id): \(loss.summary)" + (loss.allowedBecause.map { " — allowed: \($0)" } ?? "")))
        }
        print(
            "coverage: \(unexcused.count) baseline cells lost" + (losses.count > unexcused.count ? ", \(losses.count - unexcused.count) more allowed by \(fixtures)/coverage.yaml" : "")
                + (after.shard != nil ? " (\(new) is one shard: cells it does not hold are not counted as lost)" : ""))
        switch failOn {
        case .change: if !changes.isEmpty || !unexcused.isEmpty { throw ExitCode(1) }
        case .coverageLoss: if !unexcused.isEmpty { throw ExitCode(1) }
        }
    }
}
