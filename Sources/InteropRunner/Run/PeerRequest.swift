import InteropCore

/// What one `tls-interop peer` process is asked to run, with its defaults defined once. The runner's own calls are
/// read straight into it (`init?(runnerArguments:)`): out-of-process cells start two peers each, and a general
/// argument parser's reflection and self-checks were a sixth of a whole run's CPU. Anything else a person types goes
/// through the CLI's parser, which builds the same value.
public struct PeerRequest: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case server
        case client
    }

    /// Deliberate faults for the watchdog's tests.
    public enum Misbehaviour: String, Sendable, CaseIterable {
        case hang
        case crash
        case garbage
        /// Says it cannot play the cell (the contract's `unsupported` line and exit status).
        case unsupported
    }

    public enum Defaults {
        public static let seed: UInt64 = 1
        public static let ordinal = 1
        public static let deadline: Double = 10
        public static let fixtures = "fixtures"
        public static let certs = "certs"
    }

    public var role: Role
    public var scenario: String
    public var server: String
    public var client: String
    public var protocolVersion: ProtocolVersion
    public var seed = Defaults.seed
    public var port: UInt16?
    public var ordinal = Defaults.ordinal
    public var listenFd: Int32?
    public var deadline = Defaults.deadline
    public var fixtures = Defaults.fixtures
    public var scenarioFile: String?
    public var certs = Defaults.certs
    public var misbehave: Misbehaviour?
    /// Client: the session to resume, as an earlier client's `session` line gave it (hex).
    public var resumeSession: [UInt8]?
    /// Print the session's secrets as `secret` events (the runner keeps wire evidence).
    public var logSecrets = false

    public init(role: Role, scenario: String, server: String, client: String, protocolVersion: ProtocolVersion) {
        self.role = role
        self.scenario = scenario
        self.server = server
        self.client = client
        self.protocolVersion = protocolVersion
    }

    /// Every option `tls-interop peer` takes, as the runner writes them.
    public static let optionNames = [
        "--role", "--scenario", "--server", "--client", "--protocol", "--seed", "--port", "--ordinal", "--listen-fd",
        "--deadline", "--fixtures", "--scenario-file", "--certs", "--misbehave", "--resume-session",
        "--log-secrets",
    ]

    /// `--name value` pairs of known options, each once, every value valid and the required ones present; nil for
    /// anything else, which the CLI's parser then explains.
    public init?(runnerArguments arguments: [String]) {
        guard arguments.count.isMultiple(of: 2) else { return nil }
        var values: [String: String] = [:]
        for index in stride(from: 0, to: arguments.count, by: 2) {
            let name = arguments[index]
            guard Self.optionNames.contains(name), values[name] == nil else { return nil }
            values[name] = arguments[index + 1]
        }
        guard let role = values["--role"].flatMap(Role.init(rawValue:)), let scenario = values["--scenario"],
            let server = values["--server"], let client = values["--client"],
            let version = values["--protocol"].flatMap(ProtocolVersion.init(rawValue:))
        else { return nil }
        self.init(role: role, scenario: scenario, server: server, client: client, protocolVersion: version)
        func parsed<Value>(_ name: String, _ convert: (String) -> Value?) -> Value?? {
            guard let text = values[name] else { return .some(nil) }
            return convert(text).map { .some($0) }
        }
        guard let seed = parsed("--seed", { UInt64($0) }), let port = parsed("--port", { UInt16($0) }),
            let ordinal = parsed("--ordinal", { Int($0) }), let listenFd = parsed("--listen-fd", { Int32($0) }),
            let deadline = parsed("--deadline", { Double($0) }), let misbehave = parsed("--misbehave", Misbehaviour.init(rawValue:)),
            let resumeSession = parsed("--resume-session", Hexadecimal.bytes), let logSecrets = parsed("--log-secrets", { Bool($0) })
        else { return nil }
        self.logSecrets = logSecrets ?? false
        self.resumeSession = resumeSession
        self.seed = seed ?? Defaults.seed
        self.port = port
        self.ordinal = ordinal ?? Defaults.ordinal
        self.listenFd = listenFd
        self.deadline = deadline ?? Defaults.deadline
        self.misbehave = misbehave
        fixtures = values["--fixtures"] ?? Defaults.fixtures
        scenarioFile = values["--scenario-file"]
        certs = values["--certs"] ?? Defaults.certs
    }
}
