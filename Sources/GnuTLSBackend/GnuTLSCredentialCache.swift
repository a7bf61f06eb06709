internal import CGnuTLS
import Foundation
import InteropCore

/// One certificate-credentials object per role and set of files, loaded on first use and shared by later sessions:
/// parsing the PEM files is the costliest part of setting a session up, and GnuTLS allows one credentials object to
/// serve many sessions at once.
final class GnuTLSCredentialCache: @unchecked Sendable {
    // `credentials` is read and written under `lock`; loaded credentials are only read afterwards.
    private let lock = NSLock()
    private var credentials: [Key: CredentialsPointer] = [:]

    static let shared = GnuTLSCredentialCache()

    private struct Key: Hashable {
        var role: EndpointRole
        var files: Credentials
        var clientCertificates: Bool
    }

    private struct CredentialsPointer: @unchecked Sendable {
        let pointer: gnutls_certificate_credentials_t
    }

    /// - Parameter clientCertificates: a server that may ask for a client certificate also trusts the client CA; a
    ///   client that answers with one also holds it.
    func credentials(role: EndpointRole, files: Credentials, clientCertificates: Bool = false) throws(SessionSetupError)
        -> gnutls_certificate_credentials_t
    {
        let key = Key(role: role, files: files, clientCertificates: clientCertificates)
        lock.lock()
        defer { lock.unlock() }
        if let cached = credentials[key] { return cached.pointer }
        var loaded: gnutls_certificate_credentials_t?
        try Self.check("gnutls_certificate_allocate_credentials", gnutls_certificate_allocate_credentials(&loaded))
        switch role {
        case .server:
            let status = gnutls_certificate_set_x509_key_file(loaded, files.chainFile, files.privateKeyFile, GNUTLS_X509_FMT_PEM)
            if status < 0 { gnutls_certificate_free_credentials(loaded) }
            try Self.check("gnutls_certificate_set_x509_key_file", status)
            if clientCertificates {
                let anchors = gnutls_certificate_set_x509_trust_file(loaded, files.clientTrustAnchorFile, GNUTLS_X509_FMT_PEM)
                if anchors <= 0 { gnutls_certificate_free_credentials(loaded) }
                try Self.check("gnutls_certificate_set_x509_trust_file(\(files.clientTrustAnchorFile))", anchors == 0 ? GNUTLS_E_FILE_ERROR : min(anchors, 0))
            }
        case .client:
            let anchors = gnutls_certificate_set_x509_trust_file(loaded, files.trustAnchorFile, GNUTLS_X509_FMT_PEM)
            if anchors < 0 { gnutls_certificate_free_credentials(loaded) }
            try Self.check("gnutls_certificate_set_x509_trust_file", min(anchors, 0))
            if clientCertificates {
                let status = gnutls_certificate_set_x509_key_file(loaded, files.clientChainFile, files.clientPrivateKeyFile, GNUTLS_X509_FMT_PEM)
                if status < 0 { gnutls_certificate_free_credentials(loaded) }
                try Self.check("gnutls_certificate_set_x509_key_file(\(files.clientChainFile), \(files.clientPrivateKeyFile))", status)
            }
        }
        credentials[key] = CredentialsPointer(pointer: loaded!)
        return loaded!
    }

    private static func check(_ call: String, _ status: Int32) throws(SessionSetupError) {
        guard status >= 0 else {
            throw SessionSetupError(
                "\(call) failed: \(GnuTLSError.describe(status))",
                raw: RawResult(call: call, returnValue: Int(status), code: Int(status), codeName: GnuTLSError.name(status)))
        }
    }
}
