/// How a server reacts when the client's ALPN list shares nothing with its own.
public enum ALPNRejectionStyle: String, Sendable, Hashable, Codable {
    /// Abort with fatal alert 120 (no_application_protocol), as RFC 7301 requires. OpenSSL: the select callback
    /// returns `SSL_TLSEXT_ERR_ALERT_FATAL`. GnuTLS: `GNUTLS_ALPN_MANDATORY` and, on failure,
    /// `gnutls_alert_send_appropriate`.
    case conforming
    /// GnuTLS configured with `GNUTLS_ALPN_MANDATORY` alone and nothing sent on failure, as servers are often written.
    /// OpenSSL has no equivalent configuration.
    case naiveMandatory
    /// GnuTLS given its protocols by `gnutls_alpn_set_protocols` without `GNUTLS_ALPN_MANDATORY`: a client that shares
    /// none is served with no protocol. OpenSSL has no equivalent configuration.
    case notMandatory
}

/// Everything one endpoint needs to know, in terms both libraries can express.
public struct EndpointSettings: Sendable, Hashable {
    public var role: EndpointRole
    public var protocolVersion: ProtocolVersion
    public var credentials: Credentials
    /// Client: the protocols offered, in order. Server: the protocols accepted, in preference order.
    /// Empty means no ALPN extension (client) or no ALPN handling (server).
    public var alpn: [String]
    public var alpnRejection: ALPNRejectionStyle
    /// GnuTLS only: `GNUTLS_ALPN_SERVER_PRECEDENCE`. OpenSSL's `SSL_select_next_proto` always prefers the server's order.
    public var alpnServerPrecedence: Bool
    /// OpenSSL only: `SSL_OP_IGNORE_UNEXPECTED_EOF`, which reports EOF without close_notify as a clean EOF.
    public var ignoreUnexpectedEOF: Bool
    /// When set, the library does its I/O through an `InterposedTransport` with this OpenSSL callback style
    /// instead of its own socket I/O.
    public var interposedStyle: InterposedTransport.CallbackStyle?
    /// OpenSSL only: `SSL_MODE_ENABLE_PARTIAL_WRITE`, so a write may report progress record by record.
    public var partialWrite: Bool
    /// OpenSSL only: `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`, so a retried write may pass the same bytes elsewhere.
    public var acceptMovingWriteBuffer: Bool
    /// DTLS: the first retransmission timeout, shortened so loss costs milliseconds (OpenSSL `DTLS_set_timer_cb`,
    /// doubling on each retransmission; GnuTLS `gnutls_dtls_set_timeouts`); nil keeps the library's default.
    public var dtlsInitialTimeout: Duration?
    /// DTLS server: run the stateless cookie exchange before the handshake.
    public var cookieExchange: Bool
    /// OpenSSL only: the cell is about `SSL_handle_events` (3.2+), so it cannot run where the linked libssl lacks it.
    public var requiresHandleEvents = false

    public init(
        role: EndpointRole, protocolVersion: ProtocolVersion, credentials: Credentials, alpn: [String] = [],
        alpnRejection: ALPNRejectionStyle = .conforming, alpnServerPrecedence: Bool = false,
        ignoreUnexpectedEOF: Bool = false, interposedStyle: InterposedTransport.CallbackStyle? = nil,
        partialWrite: Bool = false, acceptMovingWriteBuffer: Bool = false, dtlsInitialTimeout: Duration? = nil,
        cookieExchange: Bool = false
    ) {
        self.dtlsInitialTimeout = dtlsInitialTimeout
        self.cookieExchange = cookieExchange
        self.partialWrite = partialWrite
        self.acceptMovingWriteBuffer = acceptMovingWriteBuffer
        self.interposedStyle = interposedStyle
        self.ignoreUnexpectedEOF = ignoreUnexpectedEOF
        self.role = role
        self.protocolVersion = protocolVersion
        self.credentials = credentials
        self.alpn = alpn
        self.alpnRejection = alpnRejection
        self.alpnServerPrecedence = alpnServerPrecedence
    }
}
