import OpenSSLBackend

/// Where the libraries' command-line tools are: the `openssl` matching the linked libssl, and `gnutls-bin`'s
/// server and client. Tests put wrappers here to make a tool crash or hang.
public struct CommandLineTools: Sendable, Hashable {
    public var openssl: String
    public var gnutlsServer: String
    public var gnutlsClient: String

    public init(openssl: String, gnutlsServer: String, gnutlsClient: String) {
        self.openssl = openssl
        self.gnutlsServer = gnutlsServer
        self.gnutlsClient = gnutlsClient
    }

    public static let system = CommandLineTools(
        openssl: OpenSSLBackend.commandLineTool, gnutlsServer: "/usr/bin/gnutls-serv", gnutlsClient: "/usr/bin/gnutls-cli")
}
