import ArgumentParser
import Foundation
import InteropCore
import InteropRunner

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Read any number of runs' results.json and write each cell's outcome over time: history.html, history.md and comment.md.",
        discussion: """
            Each path is a results.json, a folder holding one, or a folder of CI artifacts holding them (three levels \
            down). Runs are ordered by start time and keyed by commit, branch and library builds (results.json records \
            the commit from TLS_INTEROP_COMMIT, GITHUB_SHA or CI_COMMIT_SHA, else the checkout). A cell is flaky when its \
            outcome changed between runs of the same commit, builds and seed. comment.md is sized for a pull-request \
            comment: the newest run against the base branch's last run. Exit status: 0 written, 2 a file could not be read \
            or written.
            """)

    @Argument(help: "results.json files or folders holding them.") var paths: [String]

    @Option(help: "Write history.html, history.md and comment.md into this folder.")
    var output: String = "history"

    @Option(help: "comment.md compares the newest run with the last run of this branch (default: the run before it).")
    var baseBranch: String?

    func run() throws {
        let history: RunHistory
        do {
            history = try RunHistory.load(paths)
            try OutputFile.createFolder(output)
        } catch let error as ConfigurationError {
            StandardStreams.error("tls-interop history: error: \(error.message)\n")
            throw ExitCode(2)
        } catch {
            StandardStreams.error("tls-interop history: error: --output \(output): \(error)\n")
            throw ExitCode(2)
        }
        let files = [
            ("history.html", HistoryPage.render(history)), ("history.md", HistoryMarkdown.render(history)),
            ("comment.md", HistoryMarkdown.comment(history, baseBranch: baseBranch)),
        ]
        for (name, text) in files {
            do {
                try OutputFile.write(Data(text.utf8), to: output + "/" + name)
            } catch {
                StandardStreams.error("tls-interop history: error: cannot write \(output)/\(name): \(error)\n")
                throw ExitCode(2)
            }
        }
        print("\(history.runs.count) runs, \(history.cells.count) cells: \(history.changedCells.count) changed, \(history.flakyCells.count) flaky")
        for cell in history.changedCells.prefix(20) {
            print(TerminalText.printable("  \(cell.id): \(cell.sequence)" + (cell.flakyIn.isEmpty ? "" : " — flaky")))
        }
        if history.changedCells.count > 20 { print("  … and \(history.changedCells.count - 20) more (history.md)") }
        print("history: \(output)/history.html, \(output)/history.md, \(output)/comment.md")
    }
}
