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

/// A setting only one library has is its plug-in's business: declared there with its rule for other libraries and
/// read by its backend, with no runner file involved. This backend (GnuTLS underneath) declares `tracesWrites` and
/// notes what the fixture gave it.
@Suite struct LibraryOwnSettingTests {
    final class SettingsSeen: @unchecked Sendable {
        // Guarded by `lock`: sessions are made on the cell's thread.
        private let lock = NSLock()
        private var seen: [String?] = []
        func add(_ value: String?) { lock.withLock { seen.append(value) } }
        var values: [String?] { lock.withLock { seen } }
    }

    struct NoticingBackend: TLSBackend {
        let inner = GnuTLSBackend(library: TLSLibrary("noticing"))
        let seen: SettingsSeen
        var library: TLSLibrary { inner.library }
        var runtimeVersion: String { inner.runtimeVersion }
        func validate(_ credentials: Credentials) throws(ConfigurationError) { try inner.validate(credentials) }
        func unsupportedReason(_ settings: EndpointSettings) -> String? { inner.unsupportedReason(settings) }
        func makeSession(_ settings: EndpointSettings, socket: Int32, transport: (any ByteTransport)?) throws(SessionSetupError)
            -> any TLSSession
        {
            seen.add(settings.options(for: "noticing")["tracesWrites"])
            return try inner.makeSession(settings, socket: socket, transport: transport)
        }
    }

    @Test func aNewSettingTravelsFromTheFixtureToItsBackendAndItsRuleHoldsElsewhere() throws {
        let seen = SettingsSeen()
        let libraries = LibraryRegistry([
            OpenSSLBackend.plugin,
            LibraryPlugin(
                library: TLSLibrary("noticing"), displayName: "Noticing", matrixMark: "n", backend: NoticingBackend(seen: seen),
                options: [LibraryOption("tracesWrites", .flag, elsewhere: .notApplicable("tracesWrites is Noticing's; {library} has none"))]),
        ])
        let directory = try TemporaryDirectory()
        _ = try directory.write(
            "scenarios/N.yaml",
            """
            family: N
            title: a setting of one library
            scenarios:
              - id: N1
                name: noticed
                protocols: [tls1.3]
                description: The client's library gets its own setting.
                client:
                  noticing: {tracesWrites: true}
                expect: {clientHandshake: completed}

            """)
        let catalog = try ScenarioCatalog.load(directory: directory.path + "/scenarios", libraries: libraries)
        let runner = InProcessCellRunner(
            credentials: .standard(in: PackagePaths.certs), deadline: .seconds(10),
            divergences: DivergenceCatalog(divergences: [], runtimeVersions: libraries.runtimeVersions), libraries: libraries)
        func run(client: TLSLibrary) -> CellResult {
            runner.run(
                Cell(scenario: catalog.scenarios[0], server: .openssl, client: client, protocolVersion: .tls13, mode: .inProcess), seed: 1)
        }
        #expect(run(client: TLSLibrary("noticing")).status == .passed)
        #expect(seen.values == ["true"])
        let elsewhere = run(client: .openssl)
        #expect(elsewhere.message == "not applicable: tracesWrites is Noticing's; OpenSSL has none")
    }
}
