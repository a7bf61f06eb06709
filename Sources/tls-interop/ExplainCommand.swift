import ArgumentParser
import Foundation
import InteropRunner

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print one cell of a results file: expectation, checks, both endpoints' traces and raw values, and how to reproduce it.")

    @Argument(help: "Cell id, e.g. A4/gnutls-openssl/tls1.3/in-process (a unique prefix is enough).")
    var cell: String

    @Option(help: "The results file to read.")
    var results: String = "reports/results.json"

    func run() throws {
        let document: ResultsDocument
        do {
            document = try ResultsDocument.load(results)
        } catch {
            StandardStreams.error("tls-interop: error: \(error.message)\n")
            throw ExitCode(2)
        }
        let matches = document.cells.filter { $0.id == cell } + document.cells.filter { $0.id != cell && $0.id.hasPrefix(cell) }
        guard let record = matches.first, matches.count == 1 || matches[0].id == cell else {
            let message = matches.isEmpty
                ? "\(results): no cell '\(cell)' (try tls-interop list)"
                : "\(results): '\(cell)' matches \(matches.count) cells: \(matches.prefix(5).map(\.id).joined(separator: ", "))…"
            StandardStreams.error("tls-interop: error: \(message)\n")
            throw ExitCode(2)
        }
        print(TerminalText.printable(ResultsExplanation.render(record, libraries: document.libraries)))
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "List the cells whose outcome changed between two results files.",
        discussion: "Exit status: 0 no change, 1 some cell changed, 2 a file could not be read.")

    @Argument(help: "The older results.json.") var old: String
    @Argument(help: "The newer results.json.") var new: String

    func run() throws {
        let before: ResultsDocument
        let after: ResultsDocument
        do {
            before = try ResultsDocument.load(old)
            after = try ResultsDocument.load(new)
        } catch {
            StandardStreams.error("tls-interop: error: \(error.message)\n")
            throw ExitCode(2)
        }
        let changes = ResultsDiff.changes(from: before, to: after)
        for change in changes { print(TerminalText.printable("\(change.id): \(change.summary)")) }
        print("\(changes.count) cells changed (\(after.cells.count) cells in \(new), \(before.cells.count) in \(old))")
        if !changes.isEmpty { throw ExitCode(1) }
    }
}
