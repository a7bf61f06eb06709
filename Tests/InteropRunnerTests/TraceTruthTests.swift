import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// The harness's traces show what the libraries return and report, the same values the direct checks in
/// Tests/LibraryChecks get from the libraries themselves.
@Suite struct TraceTruthTests {
    func run(_ id: String, server: TLSLibrary, client: TLSLibrary, _ version: ProtocolVersion = .tls13) -> CellResult {
        InProcessMatrixTests.run(id, server: server, client: client, version)
    }

    /// OpenSSLHandshakeChecks: SSL_do_handshake returns -1 both while waiting and when the server closes silently.
    @Test func openSSLHandshakeEntriesCarryTheReturnedMinusOne() {
        let result = run("A4n", server: .gnutls, client: .openssl)
        let handshakes = result.clients[0].trace.filter { $0.action == "handshake" }
        #expect(handshakes.map(\.raw.returnValue) == [-1, -1])
        #expect(handshakes.map(\.raw.codeName) == ["SSL_ERROR_WANT_READ", "SSL_ERROR_SSL"])
    }

    /// GnuTLSChecks: gnutls_bye(GNUTLS_SHUT_RDWR) both sends and receives close_notify, as GnuTLS logs it.
    @Test(arguments: [TLSLibrary.openssl, .gnutls])
    func gnuTLSBidirectionalShutdownRecordsBothCloseNotifies(peer: TLSLibrary) {
        let result = run("R5", server: peer, client: .gnutls)
        let alerts = result.clients[0].alerts
        #expect(alerts.contains(AlertEvent(direction: .sent, level: 1, code: 0)), "\(alerts)")
        #expect(alerts.contains(AlertEvent(direction: .received, level: 1, code: 0)), "\(alerts)")
        #expect(result.clients[0].trace.contains { $0.raw.call == "gnutls_bye(GNUTLS_SHUT_RDWR)" && $0.raw.returnValue == 0 })
    }

    /// GnuTLSChecks: after gnutls_record_discard_queued on TCP the GnuTLS peer's read fails with
    /// GNUTLS_E_DECRYPTION_FAILED; OpenSSL's answers with bad_record_mac, which the client receives.
    @Test func discardQueuedOnTCPBreaksThePeer() {
        let gnutls = run("R4h", server: .gnutls, client: .gnutls)
        #expect(gnutls.serverConnections[0].trace.last { $0.action == "readToEnd" }?.raw.returnValue == -24)
        let openssl = run("R4h", server: .openssl, client: .gnutls)
        #expect(openssl.clients[0].fatalAlertsReceived == [20])
        #expect(openssl.observation?.values[.fatalAlertsReceived] == "bad_record_mac(20)")
        #expect(openssl.status == .passed, "\(openssl.message)")
    }
}
