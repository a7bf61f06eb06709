import InteropCore
import InteropRunner
import LibraryPlugins

extension InProcessMatrixTests {
    /// A runner of `tls-interop peer` processes built from this package, with its fixtures and certificates.
    static func peerRunner(deadline: Duration = .seconds(10)) -> OutOfProcessCellRunner {
        OutOfProcessCellRunner(
            setup: PeerSetup(
                executable: PackagePaths.executable, fixtures: PackagePaths.fixtures, certs: PackagePaths.certs,
                deadline: deadline, divergences: divergences, libraries: .linked))
    }

    /// One scenario's out-of-process cell on one pairing.
    static func runOutOfProcess(
        _ id: String, server: TLSLibrary, client: TLSLibrary, _ version: ProtocolVersion, deadline: Duration = .seconds(10)
    ) -> CellResult {
        let scenario = catalog.scenarios.first { $0.id == id }!
        return peerRunner(deadline: deadline).run(
            Cell(scenario: scenario, server: server, client: client, protocolVersion: version, mode: .outOfProcess), seed: 1)
    }
}
