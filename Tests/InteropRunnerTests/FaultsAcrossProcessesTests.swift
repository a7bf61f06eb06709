import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins
import Testing

/// Faults travel with the peer contract: each peer applies its own fault plan on its own socket and datagram faults
/// go through a relay, so the retry family runs out of process and is judged like its in-process twin.
@Suite struct FaultsAcrossProcessesTests {
    static let catalog = InProcessMatrixTests.catalog

    func runOutOfProcess(_ id: String, server: TLSLibrary, client: TLSLibrary, _ version: ProtocolVersion) -> CellResult {
        InProcessMatrixTests.runOutOfProcess(id, server: server, client: client, version)
    }

    @Test(arguments: [(TLSLibrary.openssl, TLSLibrary.gnutls), (.gnutls, .openssl)])
    func refusalsEveryOtherCallAreInjectedByBothPeers(server: TLSLibrary, client: TLSLibrary) {
        let result = runOutOfProcess("R1", server: server, client: client, .tls13)
        #expect(result.status == .passed, "\(result.message)")
        let records = result.serverConnections + result.clients
        #expect(records.count == 2)
        for record in records {
            #expect((record.injectedRefusals["read"] ?? 0) > 0, "\(record.role) \(record.injectedRefusals)")
            #expect((record.injectedRefusals["write"] ?? 0) > 0, "\(record.role) \(record.injectedRefusals)")
        }
    }

    @Test func oneByteReadsReachTheLibrariesInTheirOwnProcesses() {
        let result = runOutOfProcess("R2", server: .gnutls, client: .openssl, .tls12)
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.clients.first?.largestTransportDelivery == 1)
        #expect(result.serverConnections.first?.largestTransportDelivery == 1)
    }

    @Test func aRefusedWriteRetriedWithTheSameBufferIsJudged() {
        let result = runOutOfProcess("R4a", server: .openssl, client: .gnutls, .tls13)
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.clients.first?.injectedRefusals["write"] == 1)
    }

    @Test func aLostClientHelloIsDroppedByTheRelayAndRetransmitted() {
        let result = runOutOfProcess("R7a", server: .openssl, client: .openssl, .dtls12)
        #expect(result.status == .passed, "\(result.message)")
        let log = result.clients.first?.datagramLog ?? []
        #expect(log.first?.fate == .dropped, "\(log)")
        #expect((result.clients.first?.retransmissions ?? 0) > 0)
    }

    /// Over the whole catalogue and every pairing, no out-of-process cell is declined because its faults would need
    /// the in-process link.
    @Test func noOutOfProcessCellIsLeftToTheInProcessLink() throws {
        let selection = CellSelection(servers: [.openssl, .gnutls], clients: [.openssl, .gnutls], modes: [.outOfProcess])
        let cells = try selection.cells(from: Self.catalog)
        #expect(cells.count > 500)
        let reasons = cells.compactMap { cell in
            CellPlan(cell: cell, seed: 1, credentials: .standard(in: PackagePaths.certs), libraries: .linked).notApplicableReason
        }
        #expect(!reasons.contains { $0.contains("in-process link") || $0.contains("does not cross a process boundary") }, "\(Set(reasons))")
        let retry = cells.filter { $0.scenario.family == "R" }
        let declined = retry.filter {
            CellPlan(cell: $0, seed: 1, credentials: .standard(in: PackagePaths.certs), libraries: .linked).notApplicableReason != nil
        }
        #expect(declined.count * 4 < retry.count, "most of the retry family runs across processes")
    }

    @Test func aStallStaysInProcessWithItsReason() {
        let result = runOutOfProcess("R6n", server: .openssl, client: .openssl, .tls13)
        #expect(result.status == .skipped)
        #expect(result.message.contains("nothing tells apart from a slow peer"))
    }
}
