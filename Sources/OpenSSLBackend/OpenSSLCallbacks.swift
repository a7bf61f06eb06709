internal import COpenSSL
import InteropCore

// The C callbacks OpenSSL calls on a session's behalf; each finds its OpenSSLSession through the SSL's app data.

/// `SSL_CTX_set_info_callback`: records every alert read or written, which is how the trace attributes alerts, and
/// counts completed TLS 1.2 handshakes (a renegotiation completes a second one inside a read or a write).
func openSSLInfoCallback(_ ssl: OpaquePointer?, _ kind: Int32, _ value: Int32) {
    guard let session = OpenSSLSession.from(ssl) else { return }
    if kind & SSL_CB_ALERT != 0 { session.recordAlert(where: kind, value: value) }
    // HANDSHAKE_DONE also follows a HelloRequest written, a renegotiation refused, and TLS 1.3's post-handshake
    // messages: a handshake completed only when this side's Finished message changed.
    if kind & SSL_CB_HANDSHAKE_DONE != 0 { session.noteHandshakeDone() }
    // A server entering the state that reads the client's Finished: the end of every client flight, the answer to
    // a post-handshake CertificateRequest included (whose own HANDSHAKE_DONE cannot be told from the request's).
    // By its name: the state's number moved between OpenSSL 3.0 and 3.5 (TLS_ST_SR_FINISHED is 32, then 36), and a
    // build under test may be newer than the headers.
    if kind & SSL_CB_ACCEPT_LOOP != 0 && String(cString: SSL_state_string(ssl)) == "TRFIN" { session.clientFinishedMessages += 1 }
}

/// `SSL_CTX_set_alpn_select_cb`: the guide's server rule, server preference via `SSL_select_next_proto`.
func openSSLSelectALPN(
    _ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
    _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32, _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let session = OpenSSLSession.from(ssl) else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    return session.selectALPN(out, outLength, offered, offeredLength)
}

/// `DTLS_set_timer_cb`: OpenSSL asks for the next timeout, given the previous one (0 at the start).
func openSSLDTLSTimer(_ ssl: OpaquePointer?, _ previous: UInt32) -> UInt32 {
    OpenSSLSession.from(ssl)?.nextTimeout(after: previous) ?? 1_000_000
}

func openSSLGenerateCookie(
    _ ssl: OpaquePointer?, _ cookie: UnsafeMutablePointer<UInt8>?, _ length: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    OpenSSLSession.from(ssl)?.cookie(into: cookie, length: length) ?? 0
}

func openSSLVerifyCookie(_ ssl: OpaquePointer?, _ cookie: UnsafePointer<UInt8>?, _ length: UInt32) -> Int32 {
    OpenSSLSession.from(ssl)?.verify(cookie: cookie, length: length) ?? 0
}

/// `SSL_set_allow_early_data_cb`: a server that declines early data it would otherwise accept.
func openSSLDeclineEarlyData(_ ssl: OpaquePointer?, _ argument: UnsafeMutableRawPointer?) -> Int32 {
    0
}

/// `SSL_CTX_set_keylog_callback`: OpenSSL hands over each secret as a finished key log line.
func openSSLKeyLog(_ ssl: OpaquePointer?, _ line: UnsafePointer<CChar>?) {
    guard let line, let ssl else { return }
    // QUIC connections are not OpenSSLSessions: the registry knows them by their SSL, or (accepted by a listener
    // after their handshake) by the listener's own context.
    guard let log = OpenSSLSession.from(ssl)?.secretLog ?? SecretLogRegistry.log(for: ssl)
        ?? SSL_get_SSL_CTX(ssl).flatMap(SecretLogRegistry.log(for:))
    else { return }
    log.add(String(cString: line))
}

extension OpenSSLSession: SecretLogging {
    func logSecrets(to log: SecretLog) { secretLog = log }
}
