internal import COpenSSL
import InteropCore

/// What an OpenSSL TLS or DTLS session can do beyond the core protocol: the DTLS cookie exchange and the DTLS
/// retransmission timer.
extension OpenSSLSession: StatelessCookieExchange {

    func listen() -> StepResult {
        guard let address = BIO_ADDR_new() else {
            return StepResult(.localError, raw: RawResult(call: "BIO_ADDR_new", returnValue: 0))
        }
        defer { BIO_ADDR_free(address) }
        return perform("DTLSv1_listen", { DTLSv1_listen(ssl, address) }) { returned in
            switch returned {
            case 1: return .ok(0)
            // 0: no ClientHello with a valid cookie yet (a HelloVerifyRequest may have gone out); wait for more.
            case 0: return .wantRead
            default: return nil
            }
        }
    }
}

extension OpenSSLSession: RetransmissionTimerControl {
    var retransmissionTimer: Duration? {
        var remaining = timeval()
        guard COpenSSL_DTLSv1_get_timeout(ssl, &remaining) == 1 else { return nil }
        return .seconds(Int64(remaining.tv_sec)) + .microseconds(Int64(remaining.tv_usec))
    }

    var timerReading: String {
        var remaining = timeval()
        let armed = COpenSSL_DTLSv1_get_timeout(ssl, &remaining)
        guard armed == 1 else { return "DTLSv1_get_timeout=\(armed) (no timer)" }
        return "DTLSv1_get_timeout=1 (\(Int(remaining.tv_sec) * 1000 + Int(remaining.tv_usec) / 1000) ms left)"
    }

    func handleTimeout() -> StepResult {
        if let handleEvents = OpenSSLCapabilities.handleEvents {
            return perform("SSL_handle_events", { handleEvents(ssl) }) { $0 == 1 ? .ok(1) : nil }
        }
        // DTLSv1_handle_timeout returns 0 (no timer due), 1 (handled) or -1; its long fits the recorded Int32.
        return perform("DTLSv1_handle_timeout", { Int32(clamping: COpenSSL_DTLSv1_handle_timeout(ssl)) }) {
            $0 >= 0 ? .ok(Int($0)) : nil
        }
    }

    func nextTimeout(after previous: UInt32) -> UInt32 {
        let next = previous == 0 ? timerInitialMicroseconds : min(previous * 2, timerInitialMicroseconds * 64)
        notes.append("DTLS timer callback: \(previous) µs → \(next) µs")
        return next
    }

    func cookie(into buffer: UnsafeMutablePointer<UInt8>?, length: UnsafeMutablePointer<UInt32>?) -> Int32 {
        let bytes = cookieBytes()
        bytes.withUnsafeBufferPointer { buffer?.update(from: $0.baseAddress!, count: bytes.count) }
        length?.pointee = UInt32(bytes.count)
        return 1
    }

    func verify(cookie: UnsafePointer<UInt8>?, length: UInt32) -> Int32 {
        guard let cookie else { return 0 }
        return Array(UnsafeBufferPointer(start: cookie, count: Int(length))) == cookieBytes() ? 1 : 0
    }

    /// 16 bytes bound to the server's secret and the peer's identity (its address on UDP).
    private func cookieBytes() -> [UInt8] {
        var digest = PayloadDigest()
        digest.update(cookieSecret + ((transport?.transport as? any DatagramTransport)?.peerIdentity ?? []))
        let hex = digest.hexDigest
        return (0..<16).map { index in
            let start = hex.index(hex.startIndex, offsetBy: index * 2)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }
}

extension OpenSSLSession: Renegotiation {
    /// Until the new handshake completed on this side: `SSL_renegotiate`, `SSL_do_handshake` (a server's sends the
    /// HelloRequest and returns; a client's runs the whole handshake), then, while `SSL_renegotiate_pending`, reads
    /// with `SSL_peek_ex`, which processes the peer's handshake records; application data that arrives first is
    /// handed back as `applicationDataInHandshake` for the caller to read, as GnuTLS does.
    func renegotiate() -> StepResult {
        if !renegotiationStarted {
            let started = perform("SSL_renegotiate", { SSL_renegotiate(ssl) }) { $0 == 1 ? .ok(0) : nil }
            guard started.outcome == .ok(0) else { return started }
            renegotiationStarted = true
        }
        if !renegotiationRequestSent {
            let driven = perform("SSL_do_handshake", { SSL_do_handshake(ssl) }) { $0 == 1 ? .ok(0) : nil }
            guard driven.outcome == .ok(0) else { return driven }
            renegotiationRequestSent = true
        }
        if SSL_renegotiate_pending(ssl) == 1 {
            var byte: UInt8 = 0
            var count = 0
            let peeked = perform("SSL_peek_ex", { SSL_peek_ex(ssl, &byte, 1, &count) }) { $0 == 1 ? .applicationDataInHandshake : nil }
            // SSL_peek_ex goes on waiting for application data once the new handshake has completed inside it.
            guard peeked.outcome == .wantRead && SSL_renegotiate_pending(ssl) == 0 else { return peeked }
        }
        renegotiationStarted = false
        renegotiationRequestSent = false
        return StepResult(.ok(0), raw: RawResult(call: "SSL_renegotiate_pending", returnValue: 0, code: 0, codeName: "SSL_ERROR_NONE"))
    }

    /// OpenSSL answers a renegotiation inside its own calls (refusing it under SSL_OP_NO_RENEGOTIATION) and never
    /// hands it to the caller.
    func answerRenegotiation(_ policy: RenegotiationPolicy) -> StepResult {
        StepResult(.localError, raw: RawResult(call: "answer renegotiation (OpenSSL answers inside SSL_read)", returnValue: -1))
    }
}

extension OpenSSLSession: PostHandshakeAuthentication {
    /// `SSL_verify_client_post_handshake` queues the CertificateRequest, `SSL_do_handshake` sends it, and `SSL_peek_ex`
    /// reads on (the client's Certificate, CertificateVerify and Finished are processed inside reads) until the
    /// client's next Finished has been read; application data that arrives first is handed back to be read.
    func requestClientCertificate() -> StepResult {
        if !certificateRequestQueued {
            let queued = perform("SSL_verify_client_post_handshake", { SSL_verify_client_post_handshake(ssl) }) { $0 == 1 ? .ok(0) : nil }
            // The call only checks and queues (no I/O): a refusal is local, e.g. "extension not received".
            guard queued.outcome == .ok(0) else { return StepResult(.localError, raw: queued.raw) }
            certificateRequestQueued = true
            clientFinishedBeforeRequest = clientFinishedMessages
        }
        if !certificateRequestSent {
            let sent = perform("SSL_do_handshake", { SSL_do_handshake(ssl) }) { $0 == 1 ? .ok(0) : nil }
            guard sent.outcome == .ok(0) else { return sent }
            certificateRequestSent = true
        }
        if clientFinishedMessages == clientFinishedBeforeRequest {
            var byte: UInt8 = 0
            var count = 0
            let peeked = perform("SSL_peek_ex", { SSL_peek_ex(ssl, &byte, 1, &count) }) { $0 == 1 ? .applicationDataInHandshake : nil }
            guard clientFinishedMessages > clientFinishedBeforeRequest else { return peeked }
        }
        certificateRequestQueued = false
        certificateRequestSent = false
        return StepResult(
            .ok(0), raw: RawResult(call: "client Finished read (info callback)", returnValue: clientFinishedMessages, code: 0, codeName: "SSL_ERROR_NONE"))
    }

    /// OpenSSL answers a CertificateRequest inside `SSL_read` and never hands it to the caller.
    func answerCertificateRequest() -> StepResult {
        StepResult(.localError, raw: RawResult(call: "answer certificate request (OpenSSL answers inside SSL_read)", returnValue: -1))
    }

    var clientCertificateStatus: String? {
        guard SSL_get0_peer_certificate(ssl) != nil else { return "none" }
        let verified = SSL_get_verify_result(ssl)
        guard verified != X509_V_OK else { return "verified" }
        return "unverified (\(String(cString: X509_verify_cert_error_string(verified))))"
    }
}

extension OpenSSLSession: EarlyDataExchange {
    var earlyDataAllowance: Int {
        guard let saved = SSL_get_session(ssl) else { return 0 }
        return Int(SSL_SESSION_get_max_early_data(saved))
    }

    func writeEarlyData(_ bytes: UnsafeRawBufferPointer) -> StepResult {
        var count = 0
        return perform("SSL_write_early_data", { SSL_write_early_data(ssl, bytes.baseAddress, bytes.count, &count) }) {
            $0 == 1 ? .ok(count) : nil
        }
    }

    var earlyDataStatus: EarlyDataStatus {
        switch SSL_get_early_data_status(ssl) {
        case SSL_EARLY_DATA_ACCEPTED: .accepted
        case SSL_EARLY_DATA_REJECTED: .rejected
        default: .notOffered
        }
    }

    var readsEarlyDataBeforeHandshake: Bool { true }

    func readEarlyData(into buffer: UnsafeMutableRawBufferPointer) -> StepResult {
        var count = 0
        return perform("SSL_read_early_data", { SSL_read_early_data(ssl, buffer.baseAddress, buffer.count, &count) }) { returned in
            switch returned {
            case SSL_READ_EARLY_DATA_SUCCESS: .ok(count)
            // No (more) early data: the handshake goes on with SSL_do_handshake.
            case SSL_READ_EARLY_DATA_FINISH: .ok(0)
            default: nil
            }
        }
    }
}
