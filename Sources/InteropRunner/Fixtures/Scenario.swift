import InteropCore

/// One entry of the scenario catalogue, as data: what each endpoint is configured with, the steps it takes,
/// and what the protocol's rules say must be observed.
public struct Scenario: Sendable, Hashable, Identifiable {
    public var id: String
    /// The catalogue family: H, A, R, S, E.
    public var family: String
    /// The family's title, e.g. `ALPN rejection`.
    public var familyTitle: String
    /// A short slug used in cell names, e.g. `alpn-only-h2`.
    public var name: String
    public var summary: String
    public var protocols: [ProtocolVersion]
    /// Clients served one after another by the same listener.
    public var clientCount: Int
    /// Bytes each client's `send` writes.
    public var payloadSize: Int
    /// Bytes the server's `send` writes on each connection.
    public var serverPayloadSize: Int
    public var server: EndpointSpec
    public var client: EndpointSpec
    public var expectation: Expectation
    /// Bytes each direction of an in-memory link holds before writes block; nil runs the cell over loopback TCP.
    public var memoryLinkCapacity: Int?
    /// The capacity the fixture gave its link, if it gave one: on a socket (out of process) each endpoint holds its
    /// own socket's send buffer to it, so that its writes meet back-pressure as they do in process.
    public var socketBufferLimit: Int? = nil
    /// Server and client libraries this scenario applies to, and why not the others.
    public var serverLibraries: [TLSLibrary]
    public var clientLibraries: [TLSLibrary]
    public var notApplicableReason: String?
    /// Where the scenario was read from, for error messages.
    public var sourceFile: String
    /// How the libraries' own command-line tools play this scenario, when they can.
    public var external: ExternalPeerSpec? = nil
    /// Why the scenario means something only in-process (its steps depend on the single loop's ordering), if so.
    public var inProcessOnlyReason: String? = nil
    /// This scenario alone as a fixture document, for peer processes (see `ScenarioDocument`).
    public var peerDocument: String = ""
    /// The least deadline its cells need, when a protocol timer it waits out is longer than a run's default.
    public var minimumDeadline: Duration? = nil
    /// The most a cell may take, for a scenario whose failure is a wait that nothing ends but the deadline.
    public var maximumDeadline: Duration? = nil
    /// Measured wall time of its cells by protocol, where far above the usual milliseconds (a library's default
    /// retransmission timer waited out): parallel runs start them first and shards balance by them.
    public var typicalSeconds: [ProtocolVersion: Double] = [:]

    /// The deadline a cell of this scenario runs with under a run's deadline.
    public func deadline(under runDeadline: Duration) -> Duration {
        min(max(runDeadline, minimumDeadline ?? .zero), maximumDeadline ?? .seconds(600))
    }
}

extension Scenario {
    /// A scenario as a results file describes it (ids, names, description), for rendering reports from results alone;
    /// it cannot be run.
    public static func reported(id: String, family: String, familyTitle: String, name: String, summary: String) -> Scenario {
        Scenario(
            id: id, family: family, familyTitle: familyTitle, name: name, summary: summary, protocols: [], clientCount: 1,
            payloadSize: 0, serverPayloadSize: 0, server: EndpointSpec(steps: []), client: EndpointSpec(steps: []),
            expectation: Expectation([:]), memoryLinkCapacity: nil, serverLibraries: [], clientLibraries: [],
            notApplicableReason: nil, sourceFile: "(results)")
    }
}

/// One endpoint's side of a scenario.
public struct EndpointSpec: Sendable, Hashable {
    public var alpn: [String]
    /// Route the library's I/O through the harness's interposed transport (in this OpenSSL BIO callback style)
    /// instead of the library's own socket I/O; nil for native I/O.
    public var interposedStyle: InterposedTransport.CallbackStyle?
    /// Faults injected into the endpoint's library I/O: by the in-memory link in process, by the endpoint's own
    /// socket transport out of process.
    public var faults: FaultPlan
    /// DTLS: drop, duplicate and reorder faults on the datagrams this endpoint sends (the in-memory link in process,
    /// the relay between the peers out of process).
    public var datagramFaults: DatagramFaults
    /// DTLS: the first retransmission timeout.
    public var dtlsTimeout: DTLSTimeoutChoice
    /// DTLS server: run the cookie exchange (a `listen` step) before the handshake.
    public var cookieExchange: Bool
    /// Settings only one library understands, under its key (`openssl: {partialWrite: true}`).
    public var libraryOptions: [String: LibraryOptionValues]
    public var steps: [EndpointAction]
    /// What it answers a peer's renegotiation request with (TLS 1.2).
    public var renegotiation: RenegotiationPolicy = .accept
    /// DTLS: the largest datagram its library may send, when smaller than the harness's 1200.
    public var dtlsMTU: Int?
    /// Client: each client after the first resumes the session of the one before it (and starts once that one
    /// finished). Server: issue session tickets.
    public var resume = false
    public var sessionTickets = false
    /// TLS 1.3 client: what it offers for post-handshake authentication.
    public var clientCertificateOffer: ClientCertificateOffer = .none
    /// TLS 1.3 early data: the server's policy (and its tickets' allowance) or the client's.
    public var earlyData: EarlyDataPolicy?
    public var maxEarlyData = 16384
    /// QUIC client: the idle timeout it asks for (`max_idle_timeout`), when shorter than the libraries' 30 s.
    public var quicIdleTimeoutMilliseconds: Int?

    public init(
        alpn: [String] = [], interposedStyle: InterposedTransport.CallbackStyle? = nil, faults: FaultPlan = .none,
        datagramFaults: DatagramFaults = .none, dtlsTimeout: DTLSTimeoutChoice = .automatic, cookieExchange: Bool = false,
        libraryOptions: [String: LibraryOptionValues] = [:], steps: [EndpointAction]
    ) {
        self.datagramFaults = datagramFaults
        self.dtlsTimeout = dtlsTimeout
        self.cookieExchange = cookieExchange
        self.faults = faults
        self.interposedStyle = interposedStyle ?? (steps.contains(where: \.needsInterposedTransport) ? .classic : nil)
        self.alpn = alpn
        self.libraryOptions = libraryOptions
        self.steps = steps
    }
}

/// How a DTLS endpoint's first retransmission timeout is chosen.
public enum DTLSTimeoutChoice: Sendable, Hashable {
    /// 20 ms when the cell loses datagrams on purpose (so a loss costs milliseconds; OpenSSL treats anything under
    /// 15 ms as already expired), the library's default otherwise (so a busy machine causes no spurious resends).
    case automatic
    case libraryDefault
    case fixed(Duration)

    public static let shortened = Duration.milliseconds(20)
}

extension Scenario {
    /// Whether its endpoints load the client-authentication files (a client certificate to answer with, or the
    /// client CA of a server that asks for one).
    public var usesClientCertificates: Bool {
        client.clientCertificateOffer == .withCertificate || server.steps.contains(.requestCertificate)
    }

    /// Whether the scenario has cells in this mode: out-of-process runs every scenario (those whose faults need the
    /// in-process link are reported not applicable); external modes run the scenarios whose fixture lists them.
    public func runsOutOfProcess(_ mode: ExecutionMode) -> Bool {
        switch mode {
        case .inProcess, .outOfProcess, .targetServer, .targetClient: true
        case .externalServer, .externalClient: external?.modes.contains(mode) == true
        }
    }

    /// Why a server the user runs cannot stand for this scenario's server, or nil: a target is taken to be the
    /// guide's echo server (ALPN `http/1.0` and `hq-interop`, read to the end, echo, close), which cannot be told to
    /// do anything else.
    public var targetReason: String? {
        if server.steps != EndpointAction.echoServer {
            return "its server runs its own steps (\(server.steps.map(\.description).joined(separator: ", "))), which a target cannot be told to"
        }
        if server.faults != .none || !server.datagramFaults.isEmpty {
            return "its server injects faults, which a target cannot be told to"
        }
        if server.alpn != ["http/1.0", "hq-interop"] {
            return "its server accepts ALPN \(server.alpn.isEmpty ? "none" : server.alpn.joined(separator: ", ")), not the guide's http/1.0 and hq-interop"
        }
        return nil
    }

    /// Why a client command the user gives cannot stand for this scenario's client, or nil: a command is taken to be
    /// an echo client (connect, send what it reads on stdin, read to the end, print it), offering the ALPN list it is
    /// given, and cannot be told to do anything else.
    public var targetClientReason: String? {
        if client.steps != EndpointAction.echoClient {
            return "its client runs its own steps (\(client.steps.map(\.description).joined(separator: ", "))), which a client command cannot be told to"
        }
        if client.faults != .none || !client.datagramFaults.isEmpty {
            return "its client injects faults, which a client command cannot be told to"
        }
        if clientCount != 1 {
            return "it has \(clientCount) clients at once; a client command is one"
        }
        return nil
    }

    /// True when an endpoint's datagrams are dropped, duplicated or reordered on purpose.
    public var hasDatagramFaults: Bool {
        !server.datagramFaults.isEmpty || !client.datagramFaults.isEmpty
    }

    /// The first retransmission timeout an endpoint of this scenario uses, nil for the library's default.
    public func dtlsInitialTimeout(_ spec: EndpointSpec) -> Duration? {
        switch spec.dtlsTimeout {
        case .automatic: hasDatagramFaults ? DTLSTimeoutChoice.shortened : nil
        case .libraryDefault: nil
        case .fixed(let duration): duration
        }
    }

    /// What a client's `readExactly` / `readInChunks` waits for: the server's own payload if it sends one, plus the
    /// client's payload if the server echoes it.
    public var clientExpectedInbound: Int {
        (server.steps.contains(.send) ? serverPayloadSize : 0) + (server.steps.contains(.echo) ? payloadSize : 0)
    }

    /// True when some fault is drawn at random, so that different seeds exercise different schedules.
    public var isRandomized: Bool {
        server.faults.isRandomized || client.faults.isRandomized || server.datagramFaults.dropProbability > 0
            || client.datagramFaults.dropProbability > 0
    }
}
