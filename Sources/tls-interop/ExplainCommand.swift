import ArgumentParser
import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print one cell of a results file: expectation, checks, both endpoints' traces and raw values, and how to reproduce it.")

    @Argument(help: "Cell id, e.g. A4/gnutls-openssl/tls1.3/in-process (a unique prefix is enough).")
    var cell: String

    @Option(help: "The results file to read.")
    var results: String = "reports/results.json"

    @Flag(help: """
        Run the cell again (its scenario, libraries, protocol, mode and seed) and print its whole trace: results.json \
        keeps only the head and tail of a passed cell's long traces.
        """)
    var rerun = false

    @Option(help: "With --rerun: the directory holding scenarios/ and divergences.yaml.")
    var fixtures: String = "fixtures"

    @Option(help: "With --rerun: the directory holding ca.pem, server-chain.pem and server.key.")
    var certs: String = "certs"

    @Option(help: "With --rerun: seconds the cell may take.")
    var deadline: Double = 10

    func validate() throws {
        guard deadline > 0, deadline <= 3600 else {
            throw ValidationError("--deadline must be between 0 and 3600 seconds, got \(deadline)")
        }
    }

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
        guard rerun else {
            print(TerminalText.printable(ResultsExplanation.render(record, libraries: document.libraries)))
            return
        }
        signal(SIGPIPE, SIG_IGN)
        let libraries = LibraryRegistry.linked
        let result: CellResult
        do throws(ConfigurationError) {
            let catalog = try ScenarioCatalog.load(directory: fixtures + "/scenarios", libraries: libraries)
            let divergences = try DivergenceCatalog.load(file: fixtures + "/divergences.yaml", scenarios: catalog, libraries: libraries)
            guard let scenario = catalog.scenarios.first(where: { $0.id == record.scenario }) else {
                throw ConfigurationError("\(fixtures)/scenarios: no scenario '\(record.scenario)' (the cell \(record.id) needs it)")
            }
            let runner = try CellRunners.make(
                fixtures: fixtures, certs: certs, deadline: .milliseconds(Int64(deadline * 1000)), divergences: divergences,
                libraries: libraries, clientCertificates: scenario.usesClientCertificates)
            let cell = Cell(
                scenario: scenario, server: record.server, client: record.client, protocolVersion: record.protocolVersion,
                mode: record.mode,
                endpoint: record.endpoint)
            result = runner.run(cell, seed: record.seed)
        } catch {
            StandardStreams.error("tls-interop: error: \(error.message)\n")
            throw ExitCode(2)
        }
        print(TerminalText.printable(CellReportText.render(result, versions: libraries.runtimeVersions, full: true)))
        print("rerun with seed \(record.seed): \(result.status.rawValue) — \(result.message) (\(results) says \(record.status.rawValue))")
    }
}
