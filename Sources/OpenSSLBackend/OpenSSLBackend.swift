internal import COpenSSL
import InteropCore

/// OpenSSL (libssl) as a harness backend: TLS over a nonblocking socket through OpenSSL's own socket BIO.
public struct OpenSSLBackend: TLSBackend {
    public let library: TLSLibrary

    /// `library` names the library in records; another build of OpenSSL registers under its own identifier.
    public init(library: TLSLibrary = .openssl) {
        OPENSSL_init_ssl(0, nil)
        self.library = library
    }

    public var runtimeVersion: String {
        String(cString: OpenSSL_version(Int32(OPENSSL_VERSION)))
    }

    /// The `openssl` tool of the linked library's installation.
    public static var commandLineTool: String { OpenSSLCapabilities.commandLineTool }

    public func validate(_ credentials: Credentials) throws(ConfigurationError) {
        try CertificateValidity.check(credentials.chainFile, role: "certificate chain")
        try CertificateValidity.check(credentials.trustAnchorFile, role: "trust anchor")
        try Self.validateKeyPair(chain: credentials.chainFile, key: credentials.privateKeyFile, role: "certificate")
        try Self.validateTrustAnchor(credentials.trustAnchorFile, role: "trust anchor")
        // Empty when no selected cell asks for a client certificate.
        guard !credentials.clientChainFile.isEmpty else { return }
        try CertificateValidity.check(credentials.clientChainFile, role: "client certificate")
        try CertificateValidity.check(credentials.clientTrustAnchorFile, role: "client CA")
        try Self.validateKeyPair(chain: credentials.clientChainFile, key: credentials.clientPrivateKeyFile, role: "client certificate")
        try Self.validateTrustAnchor(credentials.clientTrustAnchorFile, role: "client CA")
    }

    /// The chain and its key load without a prompt and belong together.
    private static func validateKeyPair(chain: String, key: String, role: String) throws(ConfigurationError) {
        let context = SSL_CTX_new(TLS_server_method())
        defer { SSL_CTX_free(context) }
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(context, chain) == 1 else {
            throw ConfigurationError("\(role) chain \(chain): \(OpenSSLErrorQueue.drain())")
        }
        var passphraseAsked = false
        let keyLoaded = withUnsafeMutablePointer(to: &passphraseAsked) { asked in
            refusePassphrases(on: context, asked: asked)
            defer { refusePassphrases(on: context, asked: nil) }
            return SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM)
        }
        if passphraseAsked {
            _ = OpenSSLErrorQueue.drain()
            throw ConfigurationError(
                "private key \(key) is encrypted; the harness never prompts for a passphrase: "
                    + "use an unencrypted test key (make certs writes one)")
        }
        guard keyLoaded == 1 else {
            // Loading a key after its certificate already compares the two (X509_R_KEY_VALUES_MISMATCH).
            let packed = ERR_peek_error()
            let mismatch = ERR_GET_LIB(packed) == ERR_LIB_X509 && ERR_GET_REASON(packed) == X509_R_KEY_VALUES_MISMATCH
            throw ConfigurationError(
                "private key \(key)" + (mismatch ? " does not match certificate \(chain)" : "") + ": " + OpenSSLErrorQueue.drain())
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw ConfigurationError("private key \(key) does not match certificate \(chain): " + OpenSSLErrorQueue.drain())
        }
    }

    private static func validateTrustAnchor(_ file: String, role: String) throws(ConfigurationError) {
        let context = SSL_CTX_new(TLS_client_method())
        defer { SSL_CTX_free(context) }
        guard SSL_CTX_load_verify_locations(context, file, nil) == 1 else {
            throw ConfigurationError("\(role) \(file): \(OpenSSLErrorQueue.drain())")
        }
    }

    public func unsupportedReason(_ settings: EndpointSettings) -> String? {
        if settings.role == .client && settings.clientCertificateOffer == .neverAnswers {
            return "OpenSSL answers a CertificateRequest inside SSL_read itself; a client reading on cannot leave it unanswered"
        }
        if settings.protocolVersion.isQUIC, case .failure(let missing) = QUICSymbols.linked {
            return "the linked \(runtimeVersion) has no QUIC server (\(missing.name) is absent; the listener API arrived in OpenSSL 3.5)"
        }
        if settings.openSSLOptions.flag(OpenSSLOption.requiresHandleEvents.name),
            let missing = OpenSSLCapabilities.handleEventsCall.missingReason(in: runtimeVersion)
        {
            return missing
        }
        return nil
    }

    public func makeSession(_ settings: EndpointSettings, socket: Int32, transport: (any ByteTransport)?) throws(SessionSetupError)
        -> any TLSSession
    {
        guard settings.protocolVersion.isQUIC else {
            return try OpenSSLSession(settings: settings, socket: socket, transport: transport)
        }
        guard settings.role == .client, case .success(let symbols) = QUICSymbols.linked else {
            throw SessionSetupError(
                "a QUIC server session comes from its listener", raw: RawResult(call: "OSSL_QUIC_server_method", returnValue: 0))
        }
        return try QUICSession(client: settings, socket: socket, symbols: symbols)
    }

    public func makeQUICListener(_ settings: EndpointSettings) throws(SessionSetupError) -> any BoundListener {
        try QUICListener(settings: settings)
    }
}

/// OpenSSL's thread-local error queue, read and emptied right after a failure, as the library expects.
enum OpenSSLErrorQueue {
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            messages.append(String(decoding: bytes, as: UTF8.self))
        }
        return messages.isEmpty ? "no OpenSSL error recorded" : messages.joined(separator: "; ")
    }
}
