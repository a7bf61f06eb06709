import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins
import Testing

/// TLS 1.3 post-handshake client authentication (P5–P9) on real runs of both libraries: the certificate arrives
/// and verifies against certs/client-ca.pem, GnuTLS hands the request to its caller, a request during a blocked
/// write loses nothing, and the refusals and the client that goes away are reported as what they are.
@Suite struct PostHandshakeAuthTests {
    func run(_ id: String, server: TLSLibrary, client: TLSLibrary) -> CellResult {
        let scenario = InProcessMatrixTests.catalog.scenarios.first { $0.id == id }!
        return InProcessMatrixTests.runner.run(
            Cell(scenario: scenario, server: server, client: client, protocolVersion: .tls13, mode: .inProcess), seed: 1)
    }

    @Test(arguments: RenegotiationTests.pairings)
    func theClientCertificateArrivesAndVerifies(server: TLSLibrary, client: TLSLibrary) {
        for id in ["P5", "P6"] {
            let result = run(id, server: server, client: client)
            #expect(result.status == .passed, "\(id): \(result.message)")
            #expect(result.observation?.values[.clientCertificate] == "verified", "\(id)")
            #expect(result.observation?.values[.directionConsistency] == "consistent", "\(id)")
            // GnuTLS hands the CertificateRequest to the caller (GNUTLS_E_REAUTH_REQUEST), who answers with
            // gnutls_reauth; OpenSSL answers inside SSL_read and never tells.
            let clientTrace = result.clients[0].trace
            #expect(clientTrace.contains { $0.outcome == .certificateRequested } == (client == .gnutls), "\(id)")
            #expect(clientTrace.contains { $0.raw.call == "gnutls_reauth" && $0.outcome == .ok(0) } == (client == .gnutls), "\(id)")
        }
        // The request made while the client's 256 KiB write is blocked: the server takes the data first.
        let blocked = run("P6", server: server, client: client)
        #expect(blocked.clients[0].wantWriteCount > 0)
        #expect(blocked.serverConnections[0].trace.contains { $0.action == "requestCertificate" && $0.outcome == .applicationDataInHandshake })
    }

    @Test(arguments: RenegotiationTests.pairings)
    func anEmptyAnswerARefusalAndAClientThatLeaves(server: TLSLibrary, client: TLSLibrary) {
        #expect(run("P7", server: server, client: client).observation?.values[.clientCertificate] == "none")
        let notOffered = run("P8", server: server, client: client)
        #expect(notOffered.observation?.values[.clientCertificate] == "requestFailed(localError)")
        let refusal = notOffered.serverConnections[0].trace.last { $0.action == "requestCertificate" }
        #expect(refusal?.raw.codeName == (server == .openssl ? "SSL_ERROR_SSL" : "GNUTLS_E_INVALID_REQUEST"))
        let left = run("P9", server: server, client: client)
        #expect(left.status == .passed, "\(left.message)")
        #expect(left.observation?.values[.clientCertificate] == "requestFailed(reset)")
    }

    /// A GnuTLS client that reads on past GNUTLS_E_REAUTH_REQUEST: the library waits (GNUTLS_E_AGAIN, no spin), the
    /// server waits for the certificate, and only a deadline ends it. OpenSSL cannot play that client.
    @Test func anIgnoredRequestStallsBothSides() {
        for server in [TLSLibrary.openssl, .gnutls] {
            let result = run("P10", server: server, client: .gnutls)
            #expect(result.status == .passed, "\(result.message)")
            #expect(result.ending == .stalled)
            let reads = result.clients[0].trace.filter { $0.action == "readExactly" }.map(\.outcome)
            #expect(reads.contains(.certificateRequested) && reads.last == .timeout, "\(reads)")
            #expect(!result.clients[0].trace.contains { $0.raw.call == "gnutls_reauth" })
        }
        #expect(run("P10", server: .gnutls, client: .openssl).message.contains("inside SSL_read"))
    }

    @Test func theSameHappensAcrossProcesses() {
        let result = InProcessMatrixTests.runOutOfProcess("P6", server: .openssl, client: .gnutls, .tls13)
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.observation?.values[.clientCertificate] == "verified")
    }

    @Test func aMissingClientCertificateIsNamedBeforeAnyCellAndNeededOnlyByItsCells() throws {
        let directory = try TemporaryDirectory()
        for name in ["ca.pem", "server-chain.pem", "server.key"] {
            try FileManager.default.copyItem(atPath: PackagePaths.certs + "/" + name, toPath: directory.path + "/" + name)
        }
        func run(_ filter: String) throws -> ProcessResult {
            try runProgram(
                PackagePaths.executable,
                ["run", "--filter", filter, "--server", "openssl", "--client", "gnutls", "--mode", "in-process", "--certs", directory.path,
                 "--reports", directory.path + "/reports", "--fixtures", PackagePaths.fixtures])
        }
        let refused = try run("P1,P5")
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("client CA \(directory.path)/client-ca.pem: no such file"), "\(refused.standardError)")
        let report = try String(contentsOfFile: directory.path + "/reports/junit.xml", encoding: .utf8)
        #expect(report.contains("client-ca.pem"))
        #expect(try run("P1").status == 0)
    }

    @Test func anUnknownOfferIsRefusedByName() throws {
        let result = try listOneScenario(
            family: "P", "{id: P99, name: x, description: x, protocols: [tls1.3], client: {postHandshakeAuth: maybe}, expect: {echoIntact: true}}")
        #expect(result.status == 2)
        #expect(result.standardError.contains("scenarios[0].client.postHandshakeAuth"), "\(result.standardError)")
    }
}
