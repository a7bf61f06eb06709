/// How an endpoint closes its TLS session.
public enum ShutdownMode: String, Sendable, Hashable, Codable {
    /// Send close_notify and return: `SSL_shutdown` once (0 is success), `gnutls_bye(GNUTLS_SHUT_WR)`.
    case closeNotify
    /// Send close_notify and wait for the peer's: `SSL_shutdown` until it returns 1, `gnutls_bye(GNUTLS_SHUT_RDWR)`.
    case bidirectional
}
