#if NGTCP2_GNUTLS
import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins
import Testing

/// QUIC on GnuTLS through ngtcp2 (`make test-quic`): the Q family as a 2 × 2 with OpenSSL 3.5's own QUIC, in and out
/// of process; each GnuTLS endpoint is ngtcp2's connection with GnuTLS doing its TLS, driven by the harness's loop.
@Suite struct QUICOnGnuTLSTests {
    static let pairings: [(TLSLibrary, TLSLibrary)] = [(.openssl, .gnutls), (.gnutls, .openssl), (.gnutls, .gnutls)]

    func run(_ id: String, server: TLSLibrary, client: TLSLibrary) -> CellResult {
        InProcessMatrixTests.runner.run(QUICTests.cell(id, server: server, client: client), seed: 1)
    }

    @Test(.enabled(if: QUICTests.quicAvailable, "needs OpenSSL 3.5+ (make test-quic)"), arguments: pairings)
    func theEchoRunsOnNGTCP2InEveryPairing(server: TLSLibrary, client: TLSLibrary) throws {
        for id in ["Q1", "Q2", "Q4"] {
            let result = run(id, server: server, client: client)
            #expect(result.status == .passed, "\(id): \(result.message)")
        }
        let result = run("Q1", server: server, client: client)
        let gnuTLS = try #require(server == .gnutls ? result.serverConnections.first : result.clients.first)
        #expect(gnuTLS.library == .gnutls)
        #expect(gnuTLS.trace.contains { $0.raw.call.hasPrefix("ngtcp2_conn_writev_stream(NGTCP2_WRITE_STREAM_FLAG_FIN)") })
        #expect(gnuTLS.trace.contains { $0.raw.call == "recv_stream_data (FIN)" && $0.outcome == .eof(.clean) })
        #expect(gnuTLS.negotiatedVersion == .quic && gnuTLS.negotiatedALPN == "http/1.0")
        // Every wait came from ngtcp2_conn_get_expiry.
        #expect(gnuTLS.timerReadings.allSatisfy { $0.contains("ngtcp2_conn_get_expiry=") }, "\(gnuTLS.timerReadings)")
    }

    /// Timers cross-checked: after a lost first flight both stacks' clients back off from 1 s as RFC 9002 §6.2 says,
    /// and the two ends' timers are shown at the same moments, the server's time left beside the client's timer.
    @Test(.enabled(if: QUICTests.quicAvailable, "needs OpenSSL 3.5+ (make test-quic)"), arguments: pairings)
    func probeTimeoutsFollowRFC9002AndTheTimersAreSideBySide(server: TLSLibrary, client: TLSLibrary) throws {
        let result = run("Q6b", server: server, client: client)
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.observation?.values[.probeTimeouts] == "rfc9002")
        let moments = try #require(result.observation?.values[.timersAtSameMoments])
        #expect(moments.range(of: #"^\+0 ms: client 99\d ms, server -"#, options: .regularExpression) != nil, "\(moments)")
        #expect(moments.range(of: #"server \d+ ms"#, options: .regularExpression) != nil, "\(moments)")
    }

    /// Idle timeout after a lost CONNECTION_CLOSE (Q8): the client asks for 1 s and everything it sends once closing
    /// is lost; each server ends by the idle timeout, well inside the 5 s deadline, and says so in its own words.
    @Test(.enabled(if: QUICTests.quicAvailable, "needs OpenSSL 3.5+ (make test-quic)"), arguments: pairings)
    func aServerWhosePeersCloseIsLostEndsByTheIdleTimeout(server: TLSLibrary, client: TLSLibrary) throws {
        let result = run("Q8", server: server, client: client)
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.duration < .seconds(3), "\(result.duration)")
        let serverRecord = try #require(result.serverConnections.first)
        let last = try #require(serverRecord.trace.last { $0.action.hasPrefix("shutdown") })
        #expect(last.outcome == .closeComplete)
        if server == .gnutls {
            #expect(serverRecord.trace.contains { $0.raw.call == "ngtcp2_conn_handle_expiry" && $0.raw.codeName == "ERR_IDLE_CLOSE" })
        } else {
            #expect(last.raw.reason?.contains("local, transport error 0xffffffffffffffff") == true, "\(last.raw)")
        }
        #expect(result.clients.first?.datagramLog.last?.fate == .dropped)
    }

    /// QUIC's wire evidence: both stacks hand their secrets over (OpenSSL's listener-accepted connections through
    /// the listener's context, ngtcp2's GnuTLS sessions through the registry), and tshark decrypts the packets read
    /// off loopback: the stream's data and the CONNECTION_CLOSE appear as frames.
    @Test(.enabled(if: QUICTests.quicAvailable, "needs OpenSSL 3.5+ (make test-quic)"), arguments: pairings)
    func quicCapturesDecryptWithBothStacksSecrets(server: TLSLibrary, client: TLSLibrary) throws {
        var runner = InProcessMatrixTests.runner
        runner.keepsEvidence = true
        let result = runner.run(QUICTests.cell("Q1", server: server, client: client), seed: 1)
        #expect(result.status == .passed, "\(result.message)")
        let directory = try TemporaryDirectory()
        try EvidenceFolder(reports: directory.path, policy: .all, baseline: nil).finish(result)
        let files = try #require(result.evidence?.files)
        let secrets = try String(contentsOfFile: directory.path + "/" + files.keyLog, encoding: .utf8)
        #expect(secrets.contains("CLIENT_TRAFFIC_SECRET_0 ") && secrets.contains("SERVER_HANDSHAKE_TRAFFIC_SECRET "), "\(secrets)")
        guard getuid() == 0 else { return }
        let capture = try #require(files.capture, "\(files.note ?? "")")
        let frames = try runProgram(
            "/usr/bin/tshark", ["-r", capture, "-o", "tls.keylog_file:" + files.keyLog, "-T", "fields", "-e", "quic.frame_type"], in: directory.path)
        let types = Set(frames.standardOutput.split(whereSeparator: { $0 == "\n" || $0 == "," }).compactMap { Int($0) })
        #expect(types.contains { (8...15).contains($0) }, "a STREAM frame, decrypted: \(types.sorted())")
        #expect(types.contains(0x1c) || types.contains(0x1d), "a CONNECTION_CLOSE, decrypted: \(types.sorted())")
    }

    @Test(.enabled(if: QUICTests.quicAvailable, "needs OpenSSL 3.5+ (make test-quic)"))
    func anNGTCP2ServerRejectsAMismatchingALPNWithCryptoError120() throws {
        for client in [TLSLibrary.openssl, .gnutls] {
            let result = run("Q3", server: .gnutls, client: client)
            #expect(result.status == .passed, "\(client): \(result.message)")
            #expect(result.observation?.values[.clientHandshake] == "alertReceived(120)")
        }
    }

    @Test(.enabled(if: QUICTests.quicAvailable, "needs OpenSSL 3.5+ (make test-quic)"))
    func whatOpenSSLAndNGTCP2DoNotAgreeOnIsDocumented() {
        // D27: OpenSSL's bare-PING probe never reaches an ngtcp2 server that dropped the connection.
        let lost = run("Q6a", server: .gnutls, client: .openssl)
        #expect(lost.divergence?.id.hasPrefix("D27") == true, "\(lost.message)")
        #expect(lost.clients[0].datagramLog.prefix(2).allSatisfy { $0.fate == .dropped })
        // D28: OpenSSL's ALPN close never reaches an ngtcp2 client.
        let closed = run("Q3", server: .openssl, client: .gnutls)
        #expect(closed.divergence?.id.hasPrefix("D28") == true, "\(closed.message)")
        #expect(closed.serverConnections.contains { $0.fatalAlertsSent == [120] })
    }

    @Test(.enabled(if: QUICTests.quicAvailable, "needs OpenSSL 3.5+ (make test-quic)"))
    func losingDatagramsAndSeveralClientsWorkAcrossProcesses() {
        for (id, server, client) in [("Q6d", TLSLibrary.gnutls, TLSLibrary.gnutls), ("Q7", .gnutls, .openssl), ("Q6c", .openssl, .gnutls)] {
            let result = OutOfProcessCellRunner(setup: QUICTests.peerSetup).run(QUICTests.cell(id, server: server, client: client, .outOfProcess), seed: 1)
            #expect(result.status == .passed, "\(id) \(server)-\(client): \(result.message)")
        }
    }
}
#endif
