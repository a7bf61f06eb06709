import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// QUIC on OpenSSL 3.5+ (`make test-3.5` runs these against the 3.5 build); on a libssl without QUIC (bookworm's
/// 3.0) the same cells must say why they cannot run.
@Suite struct QUICTests {
    static func cell(_ id: String, server: TLSLibrary = .openssl, client: TLSLibrary = .openssl, _ mode: ExecutionMode = .inProcess) -> Cell {
        Cell(
            scenario: InProcessMatrixTests.catalog.scenarios.first { $0.id == id }!, server: server, client: client,
            protocolVersion: .quic, mode: mode)
    }

    static let quicAvailable = CellPlan(cell: cell("Q1"), seed: 1, credentials: .standard(in: PackagePaths.certs), libraries: .linked)
        .notApplicableReason == nil

    static let peerSetup = PeerSetup(
        executable: PackagePaths.executable, fixtures: PackagePaths.fixtures, certs: PackagePaths.certs,
        deadline: .seconds(5), divergences: InProcessMatrixTests.divergences, libraries: .linked)

    func run(_ id: String, seed: UInt64 = 1) -> CellResult {
        InProcessMatrixTests.runner.run(Self.cell(id), seed: seed)
    }

    @Test(.enabled(if: !quicAvailable, "the linked libssl has QUIC"))
    func withoutQUICTheCellsNameTheMissingListener() {
        let result = run("Q1")
        #expect(result.status == .skipped)
        #expect(result.message.contains("has no QUIC server"), "\(result.message)")
        #expect(result.message.contains("is absent"), "\(result.message)")
    }

    #if !NGTCP2_GNUTLS
    @Test func gnuTLSHasNoQUICTransport() {
        let result = InProcessMatrixTests.runner.run(Self.cell("Q1", server: .gnutls, client: .openssl), seed: 1)
        #expect(result.status == .skipped)
        #expect(result.message.contains("GnuTLS has no QUIC transport"))
        #expect(result.message.contains("make quic"))
    }
    #endif

    @Test(.enabled(if: quicAvailable, "needs OpenSSL 3.5+ (make test-3.5)"))
    func echoFollowsTheGuide() throws {
        let result = run("Q1")
        #expect(result.status == .passed, "\(result.message)")
        let server = try #require(result.serverConnections.first)
        let client = try #require(result.clients.first)
        let serverCalls = server.trace.map(\.raw.call)
        #expect(serverCalls.contains("SSL_write_ex2(SSL_WRITE_FLAG_CONCLUDE)"))
        // SSL_shutdown until it returns 1: first 0 (in progress), last 1.
        let shutdowns = server.trace.filter { $0.raw.call == "SSL_shutdown" }.map(\.raw.returnValue)
        #expect(shutdowns.first == 0 && shutdowns.last == 1)
        #expect(client.trace.contains { $0.outcome == .eof(.clean) && $0.raw.codeName == "SSL_ERROR_ZERO_RETURN" })
        // Every wait came from SSL_net_read_desired / SSL_get_event_timeout, and the timer was handled.
        #expect(client.timerReadings.allSatisfy { $0.contains("net_read_desired=") && $0.contains("event_timeout=") })
        #expect(client.trace.contains { $0.raw.call == "SSL_handle_events" })
        #expect(client.negotiatedVersion == .quic && client.negotiatedALPN == "http/1.0")
        // In process the listener's socket stays open, and no run of already-due timers is reported.
        #expect(client.timerHazards.isEmpty && server.timerHazards.isEmpty, "\(client.timerHazards) \(server.timerHazards)")
    }

    @Test(.enabled(if: quicAvailable, "needs OpenSSL 3.5+ (make test-3.5)"))
    func alpnMismatchIsCryptoError120OnBothEnds() throws {
        let result = run("Q3")
        #expect(result.status == .passed, "\(result.message)")
        let client = try #require(result.clients.first)
        let server = try #require(result.serverConnections.first)
        #expect(client.handshake == .alertReceived(120))
        #expect(client.trace.last?.raw.reason?.contains("transport error 0x178") == true)
        #expect(server.handshake == .alertSent(120))
        #expect(server.notes.contains("ALPN select callback returned SSL_TLSEXT_ERR_ALERT_FATAL"))
    }

    @Test(.enabled(if: quicAvailable, "needs OpenSSL 3.5+ (make test-3.5)"))
    func listenerServesQueuedClientsInTurn() throws {
        let result = run("Q7")
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.serverConnections.map(\.ordinal) == [1, 2, 3])
        #expect(Set(result.serverConnections.map(\.readDigest)) == Set(result.clients.map(\.writtenDigest)))
    }

    @Test(.enabled(if: quicAvailable, "needs OpenSSL 3.5+ (make test-3.5)"))
    func lostClientFlightIsResentOnItsTimer() throws {
        let result = run("Q6a")
        #expect(result.status == .passed, "\(result.message)")
        let client = try #require(result.clients.first)
        #expect(client.datagramLog.prefix(2).map(\.fate) == [.dropped, .dropped])
        #expect(client.datagramLog.first?.packetType == "Initial")
        #expect(client.timeoutsHandled > 0)
    }

    @Test(.enabled(if: quicAvailable, "needs OpenSSL 3.5+ (make test-3.5)"), arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomLossIsRecoveredForEverySeed(seed: UInt64) {
        let result = run("Q6d", seed: seed)
        #expect(result.status == .passed, "seed \(seed): \(result.message)")
    }

    @Test(.enabled(if: quicAvailable, "needs OpenSSL 3.5+ (make test-3.5)"))
    func commandLineClientTalksToTheSwiftQUICServer() throws {
        let result = ExternalPeerCellRunner(setup: Self.peerSetup).run(Self.cell("Q1", .externalClient), seed: 1)
        #expect(result.status == .passed, "\(result.message)\n\(result.peerOutput.joined(separator: "\n"))")
        #expect(result.peerOutput.contains { $0.contains("s_client") && $0.contains("-quic") })
        #expect(result.serverConnections.first?.endOfStream == .eof(.clean))
    }
}
