import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// TLS 1.2 renegotiation (family N) on real runs of both libraries: who hands the request to the caller, what a
/// blocked write and a waiting read return, and what each library does when the other side declines.
@Suite struct RenegotiationTests {
    func run(_ id: String, server: TLSLibrary, client: TLSLibrary, mode: ExecutionMode = .inProcess) -> CellResult {
        let scenario = InProcessMatrixTests.catalog.scenarios.first { $0.id == id }!
        let cell = Cell(scenario: scenario, server: server, client: client, protocolVersion: .tls12, mode: mode)
        return InProcessMatrixTests.runner.run(cell, seed: 1)
    }

    static let pairings: [(TLSLibrary, TLSLibrary)] = [(.openssl, .openssl), (.openssl, .gnutls), (.gnutls, .openssl), (.gnutls, .gnutls)]

    @Test(arguments: pairings)
    func aServerRenegotiationCompletesOnBothSides(server: TLSLibrary, client: TLSLibrary) {
        for id in ["N1", "N2"] {
            let result = run(id, server: server, client: client)
            #expect(result.status == .passed, "\(id): \(result.message)")
            #expect(result.observation?.values[.renegotiations] == "server 1, client 1")
            #expect(result.observation?.values[.directionConsistency] == "consistent")
            let clientCalls = result.clients[0].trace.map(\.outcome)
            // GnuTLS hands the HelloRequest to the caller, who answers with gnutls_handshake; OpenSSL answers inside
            // SSL_read and never tells.
            #expect(clientCalls.contains(.renegotiationRequested) == (client == .gnutls), "\(id) \(clientCalls)")
        }
        // While it waits for the new handshake the server reads the request that arrives first.
        let blocked = run("N2", server: server, client: client)
        #expect(blocked.serverConnections[0].trace.contains { $0.action == "renegotiate" && $0.outcome == .applicationDataInHandshake })
    }

    @Test func declinedRenegotiationsAreDocumentedWhereOpenSSLAborts() {
        // A GnuTLS server takes part in a client's renegotiation, an OpenSSL 3 server declines it (D16).
        #expect(run("N3", server: .gnutls, client: .openssl).observation?.values[.renegotiations] == "server 1, client 1")
        let declined = run("N3", server: .openssl, client: .gnutls)
        #expect(declined.status == .divergent && declined.divergence?.id == "D16-openssl-server-refuses-client-renegotiation")
        #expect(declined.clients[0].alerts.contains { $0.code == 100 && !$0.isFatal && $0.direction == .received })
        // An OpenSSL client whose renegotiation is declined ends the connection (D16c).
        let aborted = run("N3", server: .openssl, client: .openssl)
        #expect(aborted.divergence?.id == "D16c-openssl-client-aborts-when-its-renegotiation-is-refused")
        #expect(aborted.clients[0].alerts.contains { $0.code == 40 && $0.isFatal && $0.direction == .sent })
        // A client that declines: a GnuTLS server goes on, an OpenSSL server aborts with handshake_failure (D17).
        for client in [TLSLibrary.openssl, .gnutls] {
            let goesOn = run("N4", server: .gnutls, client: client)
            #expect(goesOn.status == .passed, "\(goesOn.message)")
            #expect(goesOn.clients[0].alerts.contains { $0.code == 100 && $0.direction == .sent })
            let aborts = run("N4", server: .openssl, client: client)
            #expect(aborts.divergence?.id == "D17-openssl-server-aborts-when-renegotiation-is-refused")
        }
    }

    @Test func theSameHappensAcrossProcesses() {
        let result = InProcessMatrixTests.runOutOfProcess("N2", server: .openssl, client: .gnutls, .tls12)
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.observation?.values[.renegotiations] == "server 1, client 1")
    }

    @Test func anUnknownPolicyIsRefusedByName() throws {
        let result = try listOneScenario(
            family: "N", "{id: N9, name: x, description: x, protocols: [tls1.2], client: {renegotiation: sometimes}, expect: {echoIntact: true}}")
        #expect(result.status == 2)
        #expect(result.standardError.contains("scenarios[0].client.renegotiation") && result.standardError.contains("use accept or refuse"), "\(result.standardError)")
    }

    /// TLS 1.3 KeyUpdates (asked for or not, from either side) that arrive while a write is blocked (family P):
    /// nothing lost, every wait in the direction that really blocked.
    @Test(arguments: pairings)
    func keyUpdatesDuringABlockedWriteLoseNothing(server: TLSLibrary, client: TLSLibrary) {
        for id in ["P1", "P2", "P3", "P4"] {
            let scenario = InProcessMatrixTests.catalog.scenarios.first { $0.id == id }!
            let result = InProcessMatrixTests.runner.run(
                Cell(scenario: scenario, server: server, client: client, protocolVersion: .tls13, mode: .inProcess), seed: 1)
            #expect(result.status == .passed, "\(id): \(result.message)")
            #expect(result.observation?.values[.directionConsistency] == "consistent")
            let updater = id == "P3" ? result.clients[0] : result.serverConnections[0]
            #expect(updater.trace.contains { ($0.action.hasPrefix("keyUpdate") || $0.action == "sendTicket") && $0.outcome == .ok(0) }, "\(id)")
            #expect(result.clients[0].wantWriteCount > 0, "\(id): the client's write was blocked")
        }
    }

    /// RFC 5746: peers without the secure-renegotiation indication (only GnuTLS can play one). Both libraries ask a
    /// legacy client to renegotiate and then end the connection; OpenSSL 3 will not even connect to a legacy server.
    @Test func legacyPeersAreRefusedTheWayEachLibraryDoes() {
        let openSSLServer = run("N5", server: .openssl, client: .gnutls)
        #expect(openSSLServer.divergence?.id == "D23-openssl-server-aborts-renegotiation-with-a-legacy-client")
        #expect(openSSLServer.serverConnections[0].trace.contains { $0.raw.reason?.contains("unsafe legacy renegotiation disabled") == true })
        let gnuTLSServer = run("N5", server: .gnutls, client: .gnutls)
        #expect(gnuTLSServer.divergence?.id == "D23b-gnutls-server-aborts-renegotiation-with-a-legacy-client-silently")
        #expect(gnuTLSServer.serverConnections[0].trace.contains { $0.raw.codeName == "GNUTLS_E_UNSAFE_RENEGOTIATION_DENIED" })
        #expect(gnuTLSServer.serverConnections[0].alerts.isEmpty)
        // An OpenSSL client cannot play the legacy client: not applicable, saying why.
        #expect(run("N5", server: .gnutls, client: .openssl).message.contains("always sends renegotiation_info"))

        #expect(run("N6", server: .gnutls, client: .gnutls).status == .passed)
        let refused = run("N6", server: .gnutls, client: .openssl)
        #expect(refused.divergence?.id == "D24-openssl-client-refuses-a-legacy-server")
        #expect(refused.observation?.values[.clientHandshake] == "alertSent(40)")

        let silent = run("N7", server: .gnutls, client: .gnutls)
        #expect(silent.divergence?.id == "D25-gnutls-client-aborts-a-legacy-servers-renegotiation-silently")
        #expect(silent.clients[0].trace.contains { $0.outcome == .renegotiationRequested })
        // The end of the client's stream is how its answer ended, not the request itself.
        #expect(silent.observation?.values[.clientEndOfStream] == "protocolError")
    }
}
