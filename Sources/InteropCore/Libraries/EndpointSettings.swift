/// Everything one endpoint needs to know: what every library expresses, and the settings only one library
/// understands, kept under that library's key and read by its backend alone.
public struct EndpointSettings: Sendable, Hashable {
    public var role: EndpointRole
    public var protocolVersion: ProtocolVersion
    public var credentials: Credentials
    /// Client: the protocols offered, in order. Server: the protocols accepted, in preference order.
    /// Empty means no ALPN extension (client) or no ALPN handling (server).
    public var alpn: [String]
    /// When set, the library does its I/O through an `InterposedTransport` with this callback style instead of its
    /// own socket I/O.
    public var interposedStyle: InterposedTransport.CallbackStyle?
    /// Faults this endpoint injects into its library's I/O on a socket (on an in-memory link the link carries them),
    /// drawn from `faultSeed`.
    public var transportFaults: FaultPlan = .none
    public var faultSeed: UInt64 = 0
    /// Bytes this endpoint's socket send buffer holds (`SO_SNDBUF`), so that its writes meet back-pressure as on an
    /// in-memory link of that capacity; nil keeps the kernel's.
    public var socketBufferLimit: Int?
    /// DTLS: the first retransmission timeout, shortened so loss costs milliseconds; nil keeps the library's default.
    public var dtlsInitialTimeout: Duration?
    /// DTLS: the largest datagram the library may send (`SSL_set_mtu` / `gnutls_dtls_set_mtu`); nil keeps the
    /// harness's 1200, which fits any loopback path.
    public var dtlsMTU: Int?
    /// Client: each client after the first resumes the session of the one before it; the saved session to offer,
    /// once there is one (`resumptionData` of the previous client's session).
    public var resume = false
    public var resumeWith: [UInt8]?
    /// Server: issue session tickets (GnuTLS issues none unless told, `gnutls_session_ticket_enable_server`;
    /// OpenSSL does by default).
    public var sessionTickets = false
    /// What it does when the peer asks to renegotiate (TLS 1.2).
    public var renegotiation: RenegotiationPolicy = .accept
    /// TLS 1.3 client: what it offers for post-handshake authentication. Server: whether it may ask for a client
    /// certificate after the handshake (its script has a `requestCertificate` step), which loads the client CA.
    public var clientCertificateOffer: ClientCertificateOffer = .none
    public var requestsClientCertificate = false
    /// TLS 1.3 early data: the server's policy and the largest amount its tickets allow, or the client's.
    public var earlyData: EarlyDataPolicy?
    public var maxEarlyData = 16384
    /// QUIC client: the idle timeout it asks for (`SSL_set_feature_request_uint(SSL_VALUE_QUIC_IDLE_TIMEOUT)`,
    /// ngtcp2's `max_idle_timeout`); nil keeps the libraries' 30 s.
    public var quicIdleTimeout: Duration?
    /// DTLS server: run the stateless cookie exchange before the handshake.
    public var cookieExchange: Bool
    /// Library-specific settings, by the library's options key (see `LibraryPlugin.optionsKey`).
    public var libraryOptions: [String: LibraryOptionValues]
    /// Server: older versions of the same transport it accepts besides `protocolVersion` (`tls-interop serve`'s
    /// TLS 1.3 and 1.2 on one port); a cell's endpoints accept exactly their cell's version.
    public var alsoAccepted: [ProtocolVersion] = []

    public init(
        role: EndpointRole, protocolVersion: ProtocolVersion, credentials: Credentials, alpn: [String] = [],
        interposedStyle: InterposedTransport.CallbackStyle? = nil, dtlsInitialTimeout: Duration? = nil,
        cookieExchange: Bool = false, libraryOptions: [String: LibraryOptionValues] = [:]
    ) {
        self.role = role
        self.protocolVersion = protocolVersion
        self.credentials = credentials
        self.alpn = alpn
        self.interposedStyle = interposedStyle
        self.dtlsInitialTimeout = dtlsInitialTimeout
        self.cookieExchange = cookieExchange
        self.libraryOptions = libraryOptions
    }

    /// The options given under a library's options key (empty when none).
    public func options(for key: String) -> LibraryOptionValues {
        libraryOptions[key] ?? LibraryOptionValues()
    }
}
