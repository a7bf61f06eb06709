import Foundation
import GnuTLSBackend
import InteropCore
import InteropRunner
import OpenSSLBackend
import Testing

/// The plug-in shape's promise, demonstrated: a library registered from this test target — here a second build of
/// GnuTLS under its own identifier — runs in the matrix, takes its settings from the fixtures and shows in the
/// reports, with no change to runner or report code.
@Suite struct ThirdLibraryTests {
    static let second = TLSLibrary("gnutls-second")
    static let libraries = LibraryRegistry([
        OpenSSLBackend.plugin, GnuTLSBackend.plugin,
        LibraryPlugin(
            library: second, displayName: "GnuTLS-second", matrixMark: "h", backend: GnuTLSBackend(library: second),
            optionsKey: GnuTLSBackend.optionsKey, options: GnuTLSBackend.plugin.options),
    ])

    func catalog() throws -> (ScenarioCatalog, DivergenceCatalog) {
        let catalog = try ScenarioCatalog.load(directory: PackagePaths.fixtures + "/scenarios", libraries: Self.libraries)
        let divergences = try DivergenceCatalog.load(
            file: PackagePaths.fixtures + "/divergences.yaml", scenarios: catalog, libraries: Self.libraries)
        return (catalog, divergences)
    }

    @Test func aRegisteredLibraryRunsInEveryPairingAndShowsInTheReports() throws {
        let (catalog, divergences) = try catalog()
        let cells = try CellSelection(
            filter: ["H1", "A1", "A4"], servers: Self.libraries.libraries, clients: Self.libraries.libraries, protocols: [.tls13]
        ).cells(from: catalog)
        #expect(cells.count == 27)
        let runner = InProcessCellRunner(
            credentials: .standard(in: PackagePaths.certs), deadline: .seconds(10), divergences: divergences,
            libraries: Self.libraries)
        let report = MatrixRunner(runner: runner, libraries: Self.libraries, seed: 1, jobs: 2).run(cells)
        for result in report.results {
            #expect(result.status == .passed, "\(result.cell.id): \(result.message)")
        }
        let records = report.results.filter { $0.cell.server == Self.second }.flatMap(\.serverConnections)
        #expect(!records.isEmpty && records.allSatisfy { $0.library == Self.second })
        #expect(ConsoleSummary.render(report).contains("h = GnuTLS-second"))
        #expect(HTMLReport.render(report).contains("<th>GnuTLS-second</th>"))
        #expect(MarkdownSummary.render(report).contains("GnuTLS-second → OpenSSL"))
        #expect(JUnitReport.render(report).contains("<property name=\"gnutls-second.version\" value=\"GnuTLS 3."))
    }

    @Test func aSecondBuildReadsItsLibrarysSettingsAndTheirRuleHolds() throws {
        let (catalog, _) = try catalog()
        // A4n's server is GnuTLS's naive ALPN server (`gnutls: {alpnRejection: naiveMandatory}`).
        let scenario = try #require(catalog.scenarios.first { $0.id == "A4n" })
        func plan(server: TLSLibrary) -> CellPlan {
            CellPlan(
                cell: Cell(scenario: scenario, server: server, client: .openssl, protocolVersion: .tls13, mode: .inProcess),
                seed: 1, credentials: .standard(in: PackagePaths.certs), libraries: Self.libraries)
        }
        #expect(plan(server: Self.second).notApplicableReason == nil)
        #expect(plan(server: Self.second).serverSettings.options(for: "gnutls")["alpnRejection"] == "naiveMandatory")
        #expect(plan(server: .openssl).notApplicableReason?.contains("GNUTLS_ALPN_MANDATORY") == true)
    }
}
