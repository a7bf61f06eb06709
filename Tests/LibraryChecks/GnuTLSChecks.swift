import CGnuTLS
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What GnuTLS itself returns and logs where the harness's traces were once wrong, called directly (no harness
/// code); the harness's tests assert the same values in its traces.
@Suite(.serialized) struct GnuTLSChecks {
    /// A server and a client session on one loopback pair, handshaken with plain nonblocking calls.
    final class SessionPair {
        var server: gnutls_session_t?
        var client: gnutls_session_t?
        var credentials: gnutls_certificate_credentials_t?
        let sockets: LoopbackPair

        init(datagram: Bool = false) throws {
            _ = gnutls_global_init()
            sockets = try LoopbackPair()
            gnutls_certificate_allocate_credentials(&credentials)
            let loaded = gnutls_certificate_set_x509_key_file(
                credentials, CertificatePaths.directory + "/server-chain.pem", CertificatePaths.directory + "/server.key",
                GNUTLS_X509_FMT_PEM)
            guard loaded == 0 else { throw SocketFailure(call: "gnutls_certificate_set_x509_key_file", code: loaded) }
            gnutls_init(&server, UInt32(GNUTLS_SERVER | GNUTLS_NONBLOCK))
            gnutls_init(&client, UInt32(GNUTLS_CLIENT | GNUTLS_NONBLOCK))
            for (session, socket) in [(server, sockets.server), (client, sockets.client)] {
                gnutls_priority_set_direct(session, "NORMAL:-VERS-ALL:+VERS-TLS1.3", nil)
                gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(credentials))
                gnutls_transport_set_int2(session, socket, socket)
            }
        }

        deinit {
            gnutls_deinit(server)
            gnutls_deinit(client)
            gnutls_certificate_free_credentials(credentials)
            sockets.closeBoth()
        }

        func handshake() throws {
            var done = (server: false, client: false)
            for _ in 0..<2000 where !(done.server && done.client) {
                for (isServer, session) in [(true, server), (false, client)] where !(isServer ? done.server : done.client) {
                    let status = gnutls_handshake(session)
                    if status == 0 {
                        if isServer { done.server = true } else { done.client = true }
                    } else if gnutls_error_is_fatal(status) != 0 {
                        throw SocketFailure(call: "gnutls_handshake", code: status)
                    }
                }
                usleep(500)
            }
            guard done.server && done.client else { throw SocketFailure(call: "gnutls_handshake (no progress)", code: 0) }
        }
    }

    /// Lines GnuTLS logged at level 5, in the child process of the check below.
    nonisolated(unsafe) static var logged: [String] = []

    /// gnutls_bye(GNUTLS_SHUT_RDWR) sends close_notify and waits for the peer's; GnuTLS's record log says both. The
    /// log function is process-wide (the harness's own alert observation uses it too), so the check runs in a child
    /// process of its own.
    @Test func byeWithReadWriteLogsTheCloseNotifyItSendsAndTheOneItReceives() async {
        await #expect(processExitsWith: .success) {
            guard let pair = try? SessionPair(), (try? pair.handshake()) != nil else { exit(2) }
            gnutls_global_set_log_function { _, line in
                if let line { GnuTLSChecks.logged.append(String(cString: line)) }
            }
            gnutls_global_set_log_level(5)
            var clientBye: Int32 = GNUTLS_E_AGAIN
            var buffer = [UInt8](repeating: 0, count: 256)
            for _ in 0..<2000 where clientBye != 0 {
                clientBye = gnutls_bye(pair.client, GNUTLS_SHUT_RDWR)
                if gnutls_record_recv(pair.server, &buffer, buffer.count) == 0 {
                    _ = gnutls_bye(pair.server, GNUTLS_SHUT_WR)
                }
                usleep(500)
            }
            // The record layer names the receiving session as printf's %p does.
            let client = "REC[0x" + String(UInt(bitPattern: pair.client), radix: 16) + "]"
            let sent = GnuTLSChecks.logged.contains { $0.contains("Sending Alert[1|0]") }
            let received = GnuTLSChecks.logged.contains { $0.hasPrefix(client) && $0.contains("Alert[1|0]") && $0.contains("was received") }
            exit(clientBye == 0 && sent && received ? 0 : 1)
        }
    }

    /// A DTLS server session that has received and sent nothing already reports its retransmission timer expired.
    @Test func aFreshDTLSServerReportsItsTimerDue() {
        var session: gnutls_session_t?
        gnutls_init(&session, UInt32(GNUTLS_SERVER | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK))
        defer { gnutls_deinit(session) }
        #expect(gnutls_dtls_get_timeout(session) == 0)
    }

    nonisolated(unsafe) static var pushBudget = Int.max

    /// gnutls_record_discard_queued after a record was cut short on TCP: the manual restricts it to all-or-nothing
    /// transports, and the peer's next read fails.
    @Test func discardingAPartlySentRecordOnTCPBreaksThePeersRead() throws {
        let pair = try SessionPair()
        try pair.handshake()
        Self.pushBudget = 100
        gnutls_transport_set_push_function(pair.client) { pointer, bytes, length in
            let socket = Int32(Int(bitPattern: pointer))
            let allowed = min(length, GnuTLSChecks.pushBudget)
            guard allowed > 0 else {
                errno = EAGAIN
                return -1
            }
            GnuTLSChecks.pushBudget -= allowed
            return send(socket, bytes, allowed, 0)
        }
        let payload = [UInt8](repeating: 0x41, count: 4096)
        #expect(gnutls_record_send(pair.client, payload, payload.count) == GNUTLS_E_AGAIN)
        #expect(gnutls_record_discard_queued(pair.client) > 0)
        Self.pushBudget = Int.max
        // Enough further records to complete the length the cut record's header announced.
        for _ in 0..<2 { #expect(gnutls_record_send(pair.client, payload, payload.count) == payload.count) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        var status = GNUTLS_E_AGAIN
        for _ in 0..<200 where status == GNUTLS_E_AGAIN {
            status = Int32(clamping: gnutls_record_recv(pair.server, &buffer, buffer.count))
            usleep(500)
        }
        #expect(status == GNUTLS_E_DECRYPTION_FAILED)
    }
}
