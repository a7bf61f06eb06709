internal import COpenSSL
import Foundation
import InteropCore

/// One `SSL_CTX` per role, protocol and set of credential files, made on first use and shared by every later
/// session: loading and parsing the PEM files is the costliest part of setting a session up, and a real server
/// does it once, too. Everything per connection (ALPN list, host name, modes, options, BIO) goes on the `SSL`.
final class OpenSSLContextCache: @unchecked Sendable {
    // `contexts` is read and written under `lock`; an SSL_CTX is safe to share between threads once configured.
    private let lock = NSLock()
    private var contexts: [Key: ContextPointer] = [:]

    static let shared = OpenSSLContextCache()

    private struct Key: Hashable {
        var role: EndpointRole
        var protocolVersion: ProtocolVersion
        var alsoAccepted: [ProtocolVersion]
        var credentials: Credentials
        var clientCertificates: Bool
    }

    private struct ContextPointer: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    func context(for settings: EndpointSettings) throws(SessionSetupError) -> OpaquePointer {
        let key = Key(
            role: settings.role, protocolVersion: settings.protocolVersion, alsoAccepted: settings.alsoAccepted,
            credentials: settings.credentials, clientCertificates: Self.usesClientCertificates(settings))
        lock.lock()
        defer { lock.unlock() }
        if let cached = contexts[key] { return cached.pointer }
        let context = try Self.make(settings)
        contexts[key] = ContextPointer(pointer: context)
        return context
    }

    /// Whether the context loads the client-authentication files: a server that may ask for a client certificate
    /// trusts the client CA, a client that answers with one holds it.
    static func usesClientCertificates(_ settings: EndpointSettings) -> Bool {
        settings.role == .server ? settings.requestsClientCertificate : settings.clientCertificateOffer == .withCertificate
    }

    /// A new context, not cached: a QUIC listener owns one, since its ALPN callback is bound to that listener.
    static func make(_ settings: EndpointSettings) throws(SessionSetupError) -> OpaquePointer {
        ERR_clear_error()
        let method = switch (settings.role, settings.protocolVersion.transport) {
        case (.server, .stream): TLS_server_method()
        case (.client, .stream): TLS_client_method()
        case (.server, .datagram): DTLS_server_method()
        case (.client, .datagram): DTLS_client_method()
        case (.server, .quic): try? QUICSymbols.linked.get().serverMethod()
        case (.client, .quic): try? QUICSymbols.linked.get().clientMethod()
        }
        guard let context = SSL_CTX_new(method) else {
            throw SessionSetupError("SSL_CTX_new failed", raw: failure("SSL_CTX_new"))
        }
        // QUIC is TLS 1.3 by definition; its methods take no version bounds.
        func number(_ version: ProtocolVersion) -> Int32? {
            switch version {
            case .tls13: TLS1_3_VERSION
            case .tls12: TLS1_2_VERSION
            case .dtls12: DTLS1_2_VERSION
            case .quic: nil
            }
        }
        if let version = number(settings.protocolVersion) {
            // The oldest accepted version is the lowest bound (DTLS numbers count down, so compare by transport).
            let lowest = settings.alsoAccepted.compactMap(number).reduce(version) { settings.protocolVersion.isDatagram ? max($0, $1) : min($0, $1) }
            _ = COpenSSL_SSL_CTX_set_min_proto_version(context, lowest)
            _ = COpenSSL_SSL_CTX_set_max_proto_version(context, version)
        }
        SSL_CTX_set_info_callback(context, openSSLInfoCallback)
        SSL_CTX_set_keylog_callback(context, openSSLKeyLog)
        OpenSSLBackend.refusePassphrases(on: context, asked: nil)
        let credentials = settings.credentials
        switch settings.role {
        case .server:
            guard SSL_CTX_use_certificate_chain_file(context, credentials.chainFile) == 1 else {
                SSL_CTX_free(context)
                throw SessionSetupError("cannot load \(credentials.chainFile)", raw: failure("SSL_CTX_use_certificate_chain_file"))
            }
            guard SSL_CTX_use_PrivateKey_file(context, credentials.privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
                SSL_CTX_free(context)
                throw SessionSetupError("cannot load \(credentials.privateKeyFile)", raw: failure("SSL_CTX_use_PrivateKey_file"))
            }
            // The callbacks look up the session; one without ALPN settings answers as if none were installed.
            SSL_CTX_set_alpn_select_cb(context, openSSLSelectALPN, nil)
            SSL_CTX_set_cookie_generate_cb(context, openSSLGenerateCookie)
            SSL_CTX_set_cookie_verify_cb(context, openSSLVerifyCookie)
            if usesClientCertificates(settings) {
                guard SSL_CTX_load_verify_locations(context, credentials.clientTrustAnchorFile, nil) == 1 else {
                    SSL_CTX_free(context)
                    throw SessionSetupError(
                        "cannot load the client CA \(credentials.clientTrustAnchorFile)", raw: failure("SSL_CTX_load_verify_locations"))
                }
            }
        case .client:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            guard SSL_CTX_load_verify_locations(context, credentials.trustAnchorFile, nil) == 1 else {
                SSL_CTX_free(context)
                throw SessionSetupError("cannot load \(credentials.trustAnchorFile)", raw: failure("SSL_CTX_load_verify_locations"))
            }
            if usesClientCertificates(settings) {
                guard SSL_CTX_use_certificate_chain_file(context, credentials.clientChainFile) == 1,
                    SSL_CTX_use_PrivateKey_file(context, credentials.clientPrivateKeyFile, SSL_FILETYPE_PEM) == 1
                else {
                    SSL_CTX_free(context)
                    throw SessionSetupError(
                        "cannot load the client certificate \(credentials.clientChainFile) or its key \(credentials.clientPrivateKeyFile)",
                        raw: failure("SSL_CTX_use_certificate_chain_file"))
                }
            }
        }
        return context
    }

    private static func failure(_ call: String) -> RawResult {
        RawResult(call: call, returnValue: 0, reason: OpenSSLErrorQueue.drain())
    }
}
