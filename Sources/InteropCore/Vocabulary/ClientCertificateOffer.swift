/// What a TLS 1.3 client offers for post-handshake authentication (RFC 8446 §4.6.2): nothing (no
/// `post_handshake_auth` extension, so a server must not ask), or the extension with the test client certificate to
/// answer with, or the extension and an empty Certificate as the answer, or the extension and no answer at all (a
/// caller that reads on past GnuTLS's GNUTLS_E_REAUTH_REQUEST without calling gnutls_reauth).
public enum ClientCertificateOffer: String, Sendable, Hashable, Codable, CaseIterable {
    case none
    case withCertificate
    case withoutCertificate
    case neverAnswers

    public var offersPostHandshakeAuth: Bool { self != .none }
}
