/// The files an endpoint loads: PEM paths, checked by each backend before any cell runs.
public struct Credentials: Sendable, Hashable {
    /// The test CA that clients trust.
    public var trustAnchorFile: String
    /// The server's chain, leaf first.
    public var chainFile: String
    public var privateKeyFile: String
    /// The name clients send as SNI and verify against the leaf.
    public var serverName: String
    /// Post-handshake client authentication: the CA servers trust for client certificates, and the client's chain
    /// and key. Loaded only by cells that ask for a client certificate.
    public var clientTrustAnchorFile: String
    public var clientChainFile: String
    public var clientPrivateKeyFile: String

    public init(
        trustAnchorFile: String, chainFile: String, privateKeyFile: String, serverName: String = "localhost",
        clientTrustAnchorFile: String = "", clientChainFile: String = "", clientPrivateKeyFile: String = ""
    ) {
        self.trustAnchorFile = trustAnchorFile
        self.chainFile = chainFile
        self.privateKeyFile = privateKeyFile
        self.serverName = serverName
        self.clientTrustAnchorFile = clientTrustAnchorFile
        self.clientChainFile = clientChainFile
        self.clientPrivateKeyFile = clientPrivateKeyFile
    }

    /// The same files without the client-authentication ones, which checks then leave alone: what a run that never
    /// asks for a client certificate loads.
    public var withoutClientCertificates: Credentials {
        var copy = self
        copy.clientTrustAnchorFile = ""
        copy.clientChainFile = ""
        copy.clientPrivateKeyFile = ""
        return copy
    }

    /// The layout `make certs` writes into a directory.
    public static func standard(in directory: String) -> Credentials {
        Credentials(
            trustAnchorFile: directory + "/ca.pem",
            chainFile: directory + "/server-chain.pem",
            privateKeyFile: directory + "/server.key",
            clientTrustAnchorFile: directory + "/client-ca.pem",
            clientChainFile: directory + "/client-chain.pem",
            clientPrivateKeyFile: directory + "/client.key"
        )
    }
}
