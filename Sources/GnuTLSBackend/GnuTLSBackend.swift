internal import CGnuTLS
import InteropCore

/// GnuTLS as a harness backend: TLS over a nonblocking socket through GnuTLS's own system push/pull functions.
public struct GnuTLSBackend: TLSBackend {
    public let library: TLSLibrary

    /// `library` names the library in records; another build of GnuTLS registers under its own identifier.
    public init(library: TLSLibrary = .gnutls) {
        _ = gnutls_global_init()
        self.library = library
    }

    public var runtimeVersion: String {
        "GnuTLS " + String(cString: gnutls_check_version(nil))
    }

    public func validate(_ credentials: Credentials) throws(ConfigurationError) {
        var certificates: gnutls_certificate_credentials_t?
        guard gnutls_certificate_allocate_credentials(&certificates) == 0 else {
            throw ConfigurationError("gnutls_certificate_allocate_credentials failed")
        }
        defer { gnutls_certificate_free_credentials(certificates) }
        try Self.load(chain: credentials.chainFile, key: credentials.privateKeyFile, into: certificates, role: "certificate chain")
        try Self.trust(credentials.trustAnchorFile, in: certificates, role: "trust anchor")
        // Empty when no selected cell asks for a client certificate.
        guard !credentials.clientChainFile.isEmpty else { return }
        try Self.load(chain: credentials.clientChainFile, key: credentials.clientPrivateKeyFile, into: certificates, role: "client certificate")
        try Self.trust(credentials.clientTrustAnchorFile, in: certificates, role: "client CA")
    }

    private static func load(chain: String, key: String, into certificates: gnutls_certificate_credentials_t?, role: String)
        throws(ConfigurationError)
    {
        let loaded = gnutls_certificate_set_x509_key_file(certificates, chain, key, GNUTLS_X509_FMT_PEM)
        if loaded == GNUTLS_E_CERTIFICATE_KEY_MISMATCH {
            throw ConfigurationError("private key \(key) does not match certificate \(chain): " + GnuTLSError.describe(loaded))
        }
        guard loaded == 0 else { throw ConfigurationError("\(role) \(chain) or private key \(key): " + GnuTLSError.describe(loaded)) }
    }

    private static func trust(_ file: String, in certificates: gnutls_certificate_credentials_t?, role: String) throws(ConfigurationError) {
        let anchors = gnutls_certificate_set_x509_trust_file(certificates, file, GNUTLS_X509_FMT_PEM)
        guard anchors > 0 else {
            throw ConfigurationError("\(role) \(file): " + (anchors == 0 ? "no certificate found" : GnuTLSError.describe(anchors)))
        }
    }

    public func unsupportedReason(_ settings: EndpointSettings) -> String? {
        #if !NGTCP2_GNUTLS
        if settings.protocolVersion.isQUIC {
            // gnutls_handshake_set_secret_function and friends hand secrets to a QUIC stack; there is no transport.
            return "GnuTLS has no QUIC transport, only hooks for a QUIC stack built on top of it (make quic builds the "
                + "harness with ngtcp2's)"
        }
        #endif
        if settings.interposedStyle == .extended {
            return "the _ex callback style is an OpenSSL BIO method convention; GnuTLS push/pull functions have one"
        }
        if LibrarySetup.current.systemConfiguration {
            return GnuTLSCapabilities.defaultPriorityAppendCall.missingReason(in: runtimeVersion)
        }
        return nil
    }

    public func makeSession(_ settings: EndpointSettings, socket: Int32, transport: (any ByteTransport)?) throws(SessionSetupError)
        -> any TLSSession
    {
        #if NGTCP2_GNUTLS
        if settings.protocolVersion.isQUIC {
            let connection = try NGTCP2Connection.client(settings, socket: socket)
            return NGTCP2Session(connection, owner: nil, pump: ngtcp2ClientPump(connection))
        }
        #endif
        return try GnuTLSSession(settings: settings, socket: socket, transport: transport)
    }

    #if NGTCP2_GNUTLS
    /// QUIC through ngtcp2, whose GnuTLS crypto helper lends it GnuTLS's TLS 1.3.
    public func makeQUICListener(_ settings: EndpointSettings) throws(SessionSetupError) -> any BoundListener {
        try NGTCP2Listener(settings: settings)
    }
    #endif
}

/// GnuTLS error codes as the trace names them.
enum GnuTLSError {
    static func name(_ code: Int32) -> String {
        guard let name = gnutls_strerror_name(code) else { return "GNUTLS_E_\(code)" }
        return String(cString: name)
    }

    static func describe(_ code: Int32) -> String {
        "\(name(code)) (\(code)): \(String(cString: gnutls_strerror(code)))"
    }
}
