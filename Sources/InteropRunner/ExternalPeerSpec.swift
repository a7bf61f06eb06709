/// What a scenario asks of the libraries' command-line tools (`openssl s_server`/`s_client`, `gnutls-serv`/
/// `gnutls-cli`) when they stand in for one endpoint: only what their options can express.
public struct ExternalPeerSpec: Sendable, Hashable {
    /// Whether a command-line server (GnuTLS: `--alpn-fatal`) sends alert 120 when ALPN does not match.
    public var alpnFatal: Bool

    public init(alpnFatal: Bool = true) {
        self.alpnFatal = alpnFatal
    }
}
