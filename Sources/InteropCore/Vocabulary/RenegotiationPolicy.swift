/// What an endpoint does when its peer asks to renegotiate (TLS 1.2): take part (OpenSSL does so inside its
/// read and write calls; GnuTLS hands `GNUTLS_E_REHANDSHAKE` to the caller, who calls `gnutls_handshake`), or
/// refuse with a `no_renegotiation` warning (OpenSSL: `SSL_OP_NO_RENEGOTIATION`; GnuTLS: `gnutls_alert_send`).
public enum RenegotiationPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    case accept
    case refuse
}
