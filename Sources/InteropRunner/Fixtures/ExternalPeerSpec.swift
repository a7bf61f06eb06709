import InteropCore

/// What a scenario asks of the libraries' command-line tools (`openssl s_server`/`s_client`, `gnutls-serv`/
/// `gnutls-cli`) when they stand in for one endpoint: only what their options can express.
public struct ExternalPeerSpec: Sendable, Hashable {
    /// Whether a command-line server (GnuTLS: `--alpn-fatal`) sends alert 120 when ALPN does not match.
    public var alpnFatal: Bool
    /// What must be observed when a command-line tool plays one end: only fields its output can show.
    public var expectation: Expectation
    /// The protocols the tools play this scenario in (a subset of the scenario's).
    public var protocols: [ProtocolVersion]
    /// The external modes it runs in: a scenario about what a server does when its client misbehaves has only a
    /// program in the server's place (a tool cannot be told to misbehave).
    public var modes: [ExecutionMode] = [.externalServer, .externalClient]

    public init(alpnFatal: Bool = true, expectation: Expectation, protocols: [ProtocolVersion]) {
        self.alpnFatal = alpnFatal
        self.expectation = expectation
        self.protocols = protocols
    }
}
