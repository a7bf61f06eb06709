import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// Session resumption (family T) on real runs of both libraries: the second client resumes the first's session,
/// also while both transports refuse every second call.
@Suite struct ResumptionTests {
    static let pairings: [(TLSLibrary, TLSLibrary)] = [(.openssl, .openssl), (.openssl, .gnutls), (.gnutls, .openssl), (.gnutls, .gnutls)]

    @Test(arguments: pairings)
    func theSecondClientResumesTheFirstsSession(server: TLSLibrary, client: TLSLibrary) {
        for id in ["T1", "T2"] {
            for version in [ProtocolVersion.tls13, .tls12] {
                let result = InProcessMatrixTests.run(id, server: server, client: client, version)
                #expect(result.status == .passed, "\(id) \(version): \(result.message)")
                #expect(result.clients.map(\.resumed) == [false, true], "\(id) \(version)")
                #expect(result.observation?.values[.resumedClients] == "2")
            }
        }
    }

    /// GnuTLS's retried write on a resumed TLS 1.3 session may return 0 once it has flushed the ticket it queued
    /// first; the bytes go out on the next call, which a careful caller makes.
    @Test func aWriteThatTookNothingIsCalledAgain() {
        let result = InProcessMatrixTests.run("T2", server: .gnutls, client: .openssl, .tls13)
        #expect(result.status == .passed, "\(result.message)")
        let echo = result.serverConnections[1].trace.filter { $0.action == "echo" }.map(\.outcome)
        #expect(echo.contains(.ok(0)) && echo.contains(.ok(256)), "\(echo)")
        #expect(result.serverConnections[1].bytesWritten == 256)
    }

    /// Across processes the first client's peer prints its session and the runner hands it to the second.
    @Test(arguments: pairings)
    func resumptionCrossesProcesses(server: TLSLibrary, client: TLSLibrary) throws {
        let result = InProcessMatrixTests.runOutOfProcess("T1", server: server, client: client, .tls13, deadline: .seconds(5))
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.clients.map(\.resumed) == [false, true])
        let early = InProcessMatrixTests.runOutOfProcess("T3", server: server, client: client, .tls13, deadline: .seconds(5))
        #expect(early.observation?.values[.earlyData] == "notOffered, accepted", "\(early.message)")
    }

    @Test func aSessionThatIsNotHexIsRefusedByName() throws {
        let result = try runProgram(
            PackagePaths.executable,
            ["peer", "--role", "client", "--scenario", "T1", "--server", "openssl", "--client", "openssl", "--protocol", "tls1.3",
             "--port", "1", "--resume-session", "xyz", "--fixtures", PackagePaths.fixtures])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--resume-session"), "\(result.standardError)")
    }

    /// Early data (T3–T6) in every pairing: what each library's calls return, and where they part from RFC 8446.
    @Test(arguments: pairings)
    func earlyDataIsAcceptedDeclinedAndBoundedAsEachLibraryDoes(server: TLSLibrary, client: TLSLibrary) {
        let accepted = InProcessMatrixTests.run("T3", server: server, client: client, .tls13)
        let early = accepted.clients[1].trace.first { $0.raw.call.contains("early_data") }
        let serverRead = accepted.serverConnections[1]
        #expect(serverRead.earlyDataRead == 256, "the server took the request early")
        if client == .openssl {
            #expect(accepted.status == .passed, "\(accepted.message)")
            #expect(early?.outcome == .ok(256))
            #expect(serverRead.bytesRead == 256)
        } else {
            // D20: gnutls_record_send_early_data reports 0 bytes for the 256 it sent; the request goes twice.
            #expect(accepted.divergence?.id == "D20-gnutls-send-early-data-returns-zero")
            #expect(early?.raw.returnValue == 0 && early?.outcome == .ok(0))
            #expect(serverRead.bytesRead == 512)
        }
        #expect(accepted.observation?.values[.earlyData] == "notOffered, accepted")

        // Declined by the server: the client learns it after the handshake and sends the request again, once.
        let declined = InProcessMatrixTests.run("T5", server: server, client: client, .tls13)
        #expect(declined.status == .passed, "\(declined.message)")
        #expect(declined.serverConnections[1].earlyDataRead == 0 && declined.serverConnections[1].bytesRead == 256)

        // Under EAGAIN: OpenSSL's client retries its way through; GnuTLS's retried handshake is refused (D21).
        let refused = InProcessMatrixTests.run("T4", server: server, client: client, .tls13)
        if client == .openssl {
            #expect(refused.status == .passed, "\(refused.message)")
        } else {
            #expect(refused.divergence?.id == "D21-gnutls-early-data-handshake-retried-after-eagain-fails")
            #expect(refused.clients[1].trace.contains { $0.raw.codeName == "GNUTLS_E_INVALID_REQUEST" && $0.raw.call == "gnutls_handshake" })
        }

        // More than the ticket allows: GnuTLS refuses locally and goes on; OpenSSL ends the connection (D22).
        let tooMuch = InProcessMatrixTests.run("T6", server: server, client: client, .tls13)
        if client == .gnutls {
            #expect(tooMuch.status == .passed, "\(tooMuch.message)")
            #expect(tooMuch.clients[1].trace.contains { $0.raw.codeName == "GNUTLS_E_RECORD_LIMIT_REACHED" && $0.outcome == .localError })
        } else {
            #expect(tooMuch.divergence?.id.hasPrefix("D22") == true, "\(tooMuch.message)")
            #expect(tooMuch.clients[1].alerts.contains { $0.code == 80 && $0.direction == .sent })
        }
    }

    @Test func anEarlyDataPolicyForTheWrongSideIsRefusedByName() throws {
        let result = try listOneScenario(
            family: "T", "{id: T99, name: x, description: x, protocols: [tls1.3], client: {earlyData: accept}, expect: {echoIntact: true}}")
        #expect(result.status == 2)
        #expect(result.standardError.contains("scenarios[0].client.earlyData") && result.standardError.contains("a client takes fit or all"), "\(result.standardError)")
    }
}
