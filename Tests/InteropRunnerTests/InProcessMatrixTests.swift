import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// The default matrix, one Swift Testing case per cell: each must meet its expectation, be a documented
/// divergence, or be not applicable with a reason.
@Suite struct InProcessMatrixTests {
    static let catalog = try! ScenarioCatalog.load(directory: PackagePaths.fixtures + "/scenarios", libraries: .linked)
    static let divergences = try! DivergenceCatalog.load(file: PackagePaths.fixtures + "/divergences.yaml", scenarios: catalog, libraries: .linked)
    static let cells = try! CellSelection(servers: LibraryRegistry.linked.libraries, clients: LibraryRegistry.linked.libraries).cells(from: catalog)
    static let runner = InProcessCellRunner(
        credentials: .standard(in: PackagePaths.certs), deadline: .seconds(20), divergences: divergences, libraries: .linked)

    /// One scenario's in-process cell on one pairing, as the trace tests run it.
    static func run(_ id: String, server: TLSLibrary, client: TLSLibrary, _ version: ProtocolVersion, seed: UInt64 = 1) -> CellResult {
        let scenario = catalog.scenarios.first { $0.id == id }!
        return runner.run(Cell(scenario: scenario, server: server, client: client, protocolVersion: version, mode: .inProcess), seed: seed)
    }

    @Test(arguments: cells)
    func cellMeetsItsExpectation(cell: Cell) {
        let result = Self.runner.run(cell, seed: 1)
        #expect(
            [.passed, .divergent, .skipped].contains(result.status),
            "\(result.message)\n\(CellReportText.render(result, versions: [:]))")
        for record in result.clients + result.serverConnections {
            for entry in record.trace {
                if let problem = RawValueAudit.problem(with: entry) {
                    Issue.record("\(cell.id): \(record.role.rawValue) \(record.library.rawValue): \(problem)")
                }
            }
        }
        switch result.status {
        case .skipped:
            #expect(result.message.hasPrefix("not applicable:"))
        case .divergent:
            #expect(result.divergence != nil)
        default:
            let expectedEnding = cell.scenario.expectation.fields[.loopEnding]?.description ?? "completed"
            #expect(result.ending.rawValue == expectedEnding)
            var judged = Set(cell.scenario.expectation.fields.keys).union([.loopEnding, .directionConsistency, .fatalAlertsReceived])
            if cell.scenario.hasDatagramFaults { judged.insert(.datagramFaults) }
            if cell.protocolVersion.isDatagram { judged.insert(.timerHazards) }
            #expect(result.checks.count == judged.count)
        }
    }

    @Test func matrixCoversEveryPairingAndProtocol() {
        for scenario in Self.catalog.scenarios {
            let cells = Self.cells.filter { $0.scenario.id == scenario.id }
            #expect(cells.count == LibraryRegistry.linked.libraries.count * LibraryRegistry.linked.libraries.count * scenario.protocols.count)
        }
        #expect(Set(Self.catalog.scenarios.map(\.family)) == ["A", "E", "H", "N", "P", "Q", "R", "S", "T"])
    }
}
