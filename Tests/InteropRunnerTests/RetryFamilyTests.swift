import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// Determinism and fault delivery of the R family, on real runs of both libraries.
@Suite struct RetryFamilyTests {
    func run(_ id: String, server: TLSLibrary, client: TLSLibrary, seed: UInt64, _ version: ProtocolVersion = .tls13)
        -> CellResult
    {
        let scenario = InProcessMatrixTests.catalog.scenarios.first { $0.id == id }!
        return InProcessMatrixTests.runner.run(
            Cell(scenario: scenario, server: server, client: client, protocolVersion: version, mode: .inProcess), seed: seed)
    }

    func traceText(_ result: CellResult) -> String {
        (result.clients + result.serverConnections).flatMap(\.trace).map(\.line).joined(separator: "\n")
    }

    @Test(arguments: [(TLSLibrary.openssl, TLSLibrary.gnutls), (.gnutls, .openssl), (.gnutls, .gnutls), (.openssl, .openssl)])
    func sameSeedGivesTheSameTraceByteForByte(server: TLSLibrary, client: TLSLibrary) {
        let first = run("R1r", server: server, client: client, seed: 42)
        let second = run("R1r", server: server, client: client, seed: 42)
        #expect(first.status == .passed)
        #expect(!traceText(first).isEmpty)
        #expect(traceText(first) == traceText(second))
        #expect(first.clients[0].injectedRefusals == second.clients[0].injectedRefusals)
        let other = run("R1r", server: server, client: client, seed: 43)
        #expect(traceText(first) != traceText(other))
    }

    @Test(arguments: LibraryRegistry.linked.libraries)
    func oneByteModeReallyDeliversOneByteAtATime(library: TLSLibrary) {
        let result = run("R2", server: library, client: library, seed: 1, .tls12)
        #expect(result.status == .passed)
        #expect(result.clients[0].largestTransportDelivery == 1)
        #expect(result.serverConnections[0].largestTransportDelivery == 1)
        #expect(result.clients[0].bytesRead == 2048)
    }

    @Test(arguments: LibraryRegistry.linked.libraries)
    func everyOtherCallRefusalsAreInjectedInBothDirections(library: TLSLibrary) {
        let result = run("R1", server: library, client: library, seed: 1)
        let client = result.clients[0]
        #expect((client.injectedRefusals["read"] ?? 0) > 0)
        #expect((client.injectedRefusals["write"] ?? 0) > 0)
        #expect(client.directionMismatches.isEmpty)
        #expect(client.directionChecks > 0)
    }

    @Test func openSSLRefusesAShorterRetryAndGnuTLSSendsTheQueuedRecord() {
        let openssl = run("R4b", server: .openssl, client: .openssl, seed: 1)
        #expect(openssl.clients[0].retryOutcome == "protocolError")
        #expect(openssl.clients[0].trace.last { $0.action == "writeRetry(shorter)" }?.raw.reasonCode == 271)
        let gnutls = run("R4b", server: .openssl, client: .gnutls, seed: 1)
        #expect(gnutls.clients[0].retryOutcome == "ok(4096)")
        #expect(gnutls.observation?.values[.serverReceived] == "original")
    }

    @Test func pollOnlyLoopStallsWithDataInTheLibrary() {
        let result = run("R6n", server: .openssl, client: .openssl, seed: 1)
        #expect(result.ending == .stalled)
        #expect(result.status == .passed)
        let aware = run("R6", server: .openssl, client: .openssl, seed: 1)
        #expect(aware.clients[0].pendingReads > 0)
        #expect(aware.observation?.values[.deliveredToClient] == "true")
    }
}
