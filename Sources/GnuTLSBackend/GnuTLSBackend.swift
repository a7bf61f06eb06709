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
        let loaded = gnutls_certificate_set_x509_key_file(
            certificates, credentials.chainFile, credentials.privateKeyFile, GNUTLS_X509_FMT_PEM)
        if loaded == GNUTLS_E_CERTIFICATE_KEY_MISMATCH {
            throw ConfigurationError(
                "private key \(credentials.privateKeyFile) does not match certificate \(credentials.chainFile): "
                    + GnuTLSError.describe(loaded))
        }
        guard loaded == 0 else {
            throw ConfigurationError(
                "certificate chain \(credentials.chainFile) or private key \(credentials.privateKeyFile): "
                    + GnuTLSError.describe(loaded))
        }
        let anchors = gnutls_certificate_set_x509_trust_file(certificates, credentials.trustAnchorFile, GNUTLS_X509_FMT_PEM)
        guard anchors > 0 else {
            throw ConfigurationError(
                "trust anchor \(credentials.trustAnchorFile): "
                    + (anchors == 0 ? "no certificate found" : GnuTLSError.describe(anchors)))
        }
        // Empty when no selected cell asks for a client certificate.
        guard !credentials.clientChainFile.isEmpty else { return }
        let client = gnutls_certificate_set_x509_key_file(
            certificates, credentials.clientChainFile, credentials.clientPrivateKeyFile, GNUTLS_X509_FMT_PEM)
        guard client == 0 else {
            throw ConfigurationError(
                "client certificate \(credentials.clientChainFile) or its key \(credentials.clientPrivateKeyFile): "
                    + GnuTLSError.describe(client))
        }
        let clientAnchors = gnutls_certificate_set_x509_trust_file(certificates, credentials.clientTrustAnchorFile, GNUTLS_X509_FMT_PEM)
        guard clientAnchors > 0 else {
            throw ConfigurationError(
                "client CA \(credentials.clientTrustAnchorFile): "
                    + (clientAnchors == 0 ? "no certificate found" : GnuTLSError.describe(clientAnchors)))
        }
    }

    public func unsupportedReason(_ settings: EndpointSettings) -> String? {
        if settings.protocolVersion.isQUIC {
            // gnutls_handshake_set_secret_function and friends hand secrets to a QUIC stack; there is no transport.
            return "GnuTLS has no QUIC transport, only hooks for a QUIC stack built on top of it"
        }
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
        try GnuTLSSession(settings: settings, socket: socket, transport: transport)
    }
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
