/// The TLS libraries the harness cross-checks.
public enum TLSLibrary: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case openssl
    case gnutls

    public var displayName: String {
        switch self {
        case .openssl: "OpenSSL"
        case .gnutls: "GnuTLS"
        }
    }

    public static func < (lhs: TLSLibrary, rhs: TLSLibrary) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
