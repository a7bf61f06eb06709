/// A TLS library, or one build of one, as cells, fixtures and reports name it (`openssl`, `gnutls`). Everything
/// else about it — its name for people, its backend, its own settings — is its `LibraryPlugin`, which the run's
/// `LibraryRegistry` holds; code outside the backends never lists the libraries itself.
public struct TLSLibrary: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ id: String) {
        self.init(rawValue: id)
    }

    public var description: String { rawValue }
}
