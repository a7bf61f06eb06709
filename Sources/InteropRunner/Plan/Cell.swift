import InteropCore

/// Where a cell's endpoints run.
public enum ExecutionMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Both endpoints on one event loop in this process.
    case inProcess = "in-process"
    /// The Swift server and client as separate `tls-interop peer` processes over loopback.
    case outOfProcess = "out-of-process"
    /// The library's own command-line server (`openssl s_server`, `gnutls-serv`) against a Swift client.
    case externalServer = "external-server"
    /// A Swift server against the library's own command-line client (`openssl s_client`, `gnutls-cli`).
    case externalClient = "external-client"
    /// The Swift clients against a server the user runs (`run --target-server HOST:PORT`); only the client's side
    /// is observed.
    case targetServer = "target-server"
    /// A client command the user gives against the Swift servers (`run --target-client COMMAND`); only the server's
    /// side is observed.
    case targetClient = "target-client"

    /// The user's endpoint stands on one side.
    public var hasTarget: Bool { self == .targetServer || self == .targetClient }

    public var isExternal: Bool { self == .externalServer || self == .externalClient }

    /// The modes `--mode all` means: every mode that needs nothing but the harness and the libraries.
    public static let builtIn: [ExecutionMode] = [.inProcess, .outOfProcess, .externalServer, .externalClient]
}

extension TLSLibrary {
    /// The user's endpoint in a target cell (the server of target-server, the client of target-client), whatever it
    /// is built on.
    public static let target = TLSLibrary("target")
}

/// One scenario × server library × client library × protocol × mode: the unit that is run, judged and reported.
public struct Cell: Sendable, Hashable, Identifiable, CustomStringConvertible {
    public var scenario: Scenario
    public var server: TLSLibrary
    public var client: TLSLibrary
    public var protocolVersion: ProtocolVersion
    public var mode: ExecutionMode
    /// External modes: the real program (an endpoint adapter's id, e.g. `lighttpd`) standing for the external side,
    /// built on that side's library; nil for the library's own command-line tools.
    public var endpoint: String?

    public init(
        scenario: Scenario, server: TLSLibrary, client: TLSLibrary, protocolVersion: ProtocolVersion, mode: ExecutionMode,
        endpoint: String? = nil
    ) {
        self.scenario = scenario
        self.server = server
        self.client = client
        self.protocolVersion = protocolVersion
        self.mode = mode
        self.endpoint = endpoint
    }

    /// A stable identifier, e.g. `A4/gnutls-openssl/tls1.3/in-process` (server first), with the real program last
    /// (`A4/gnutls-openssl/tls1.3/external-server/lighttpd`).
    public var id: String {
        "\(scenario.id)/\(server.rawValue)-\(client.rawValue)/\(protocolVersion.rawValue)/\(mode.rawValue)"
            + (endpoint.map { "/\($0)" } ?? "")
    }

    /// The name a person reads in CI, e.g. `A4 alpn-only-h2 · server=gnutls client=openssl · tls1.3 · in-process`, or
    /// `… · server=gnutls (lighttpd) …`.
    public var displayName: String {
        let program = endpoint.map { " (\($0))" } ?? ""
        let server = mode == .externalServer ? server.rawValue + program : server.rawValue
        let client = mode == .externalClient ? client.rawValue + program : client.rawValue
        return "\(scenario.id) \(scenario.name) · server=\(server) client=\(client) · "
            + "\(protocolVersion.rawValue) · \(mode.rawValue)"
    }

    public var description: String { displayName }
}
