/// The files an endpoint loads: PEM paths, checked by each backend before any cell runs.
public struct Credentials: Sendable, Hashable {
    /// The test CA that clients trust.
    public var trustAnchorFile: String
    /// The server's chain, leaf first.
    public var chainFile: String
    public var privateKeyFile: String
    /// The name clients send as SNI and verify against the leaf.
    public var serverName: String

    public init(trustAnchorFile: String, chainFile: String, privateKeyFile: String, serverName: String = "localhost") {
        self.trustAnchorFile = trustAnchorFile
        self.chainFile = chainFile
        self.privateKeyFile = privateKeyFile
        self.serverName = serverName
    }

    /// The layout `make certs` writes into a directory.
    public static func standard(in directory: String) -> Credentials {
        Credentials(
            trustAnchorFile: directory + "/ca.pem",
            chainFile: directory + "/server-chain.pem",
            privateKeyFile: directory + "/server.key"
        )
    }
}
