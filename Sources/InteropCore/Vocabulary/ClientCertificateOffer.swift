/// What a TLS 1.3 client offers for post-handshake authentication (RFC 8446 §4.6.2): nothing (no
/// `post_handshake_auth` extension, so a server must not ask), or the extension with the test client certificate to
/// answer with, or the extension and an empty Certificate as the answer.
public enum ClientCertificateOffer: String, Sendable, Hashable, Codable, CaseIterable {
    case none
    case withCertificate
    case withoutCertificate

    public var offersPostHandshakeAuth: Bool { self != .none }
}
