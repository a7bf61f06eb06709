import Foundation
import InteropCore

/// The scenarios of `fixtures/scenarios/*.yaml`, validated as a whole: every id unique, every field known.
public struct ScenarioCatalog: Sendable {
    public var scenarios: [Scenario]

    public init(scenarios: [Scenario]) {
        self.scenarios = scenarios
    }

    /// Bounds on sizes a fixture may ask for: every byte of a payload is generated and held in memory (the largest
    /// scenario moves 1 MiB), and every client is a connection.
    public static let maximumPayload = 64 << 20
    public static let maximumClients = 64

    /// Loads every `.yaml` file of `directory`, in name order.
    public static func load(directory: String, libraries: LibraryRegistry) throws(ConfigurationError) -> ScenarioCatalog {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigurationError("\(directory): cannot list scenario files: \(error.localizedDescription)")
        }
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(directory)/\($0)" }
        guard !files.isEmpty else { throw ConfigurationError("\(directory): no scenario files (*.yaml)") }
        var scenarios: [Scenario] = []
        var seen: [String: String] = [:]
        for file in files {
            for scenario in try loadFile(file, libraries: libraries) {
                if let earlier = seen[scenario.id] {
                    throw ConfigurationError("\(file): scenario id '\(scenario.id)' is already defined in \(earlier)")
                }
                seen[scenario.id] = file
                scenarios.append(scenario)
            }
        }
        return ScenarioCatalog(scenarios: scenarios)
    }

    /// The scenario `id` as the runner parsed it: from `file` (the scenario's source, which the runner passes to
    /// its peers, since parsing every file would be most of a peer's start-up time), or from the whole catalog of
    /// `directory` when no file is given. Parsed, never searched for as text: `id: "H1"` and `id: H1  # note` are
    /// the same id. Nil when it is not there.
    public static func loadScenario(id: String, file: String?, directory: String, libraries: LibraryRegistry) throws(ConfigurationError)
        -> Scenario?
    {
        if let file { return try loadFile(file, libraries: libraries).first { $0.id == id } }
        return try load(directory: directory, libraries: libraries).scenarios.first { $0.id == id }
    }

    static func loadFile(_ file: String, libraries: LibraryRegistry) throws(ConfigurationError) -> [Scenario] {
        let document = try FixtureReader.load(file: file)
        try document.allowOnly(["family", "title", "scenarios"])
        let family = try document.string("family")
        // Families and ids name anchors, CSS classes, JUnit classes and command-line arguments: letters and digits.
        guard family.range(of: #"^[A-Z][A-Za-z0-9]{0,7}$"#, options: .regularExpression) != nil else {
            throw document.error("family", "is '\(family.prefix(40))'; use a capital letter followed by up to 7 letters or digits")
        }
        let title = try document.string("title")
        var scenarios: [Scenario] = []
        for entry in try document.list("scenarios") {
            scenarios.append(try parseScenario(entry, family: family, title: title, libraries: libraries))
        }
        return scenarios
    }

    private static func parseScenario(_ entry: FixtureReader, family: String, title: String, libraries: LibraryRegistry)
        throws(ConfigurationError) -> Scenario
    {
        try entry.allowOnly([
            "id", "name", "description", "protocols", "clients", "payload", "serverPayload", "servers",
            "clientLibraries", "notApplicableReason", "server", "client", "expect", "link", "external", "inProcessOnly", "deadlineSeconds",
        ])
        let id = try entry.string("id")
        guard id.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"#, options: .regularExpression) != nil else {
            throw entry.error("id", "is '\(id.prefix(40))'; use up to 32 letters, digits, '.', '_' or '-'")
        }
        guard id.hasPrefix(family) else { throw entry.error("id", "'\(id)' must start with its family letter '\(family)'") }
        var protocols: [ProtocolVersion] = []
        for name in try entry.strings("protocols", default: ProtocolVersion.streamVersions.map(\.rawValue)) {
            guard let version = ProtocolVersion(rawValue: name) else {
                throw entry.error(
                    "protocols",
                    "has unknown protocol '\(name)' (known: \(ProtocolVersion.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            protocols.append(version)
        }
        func libraryList(_ key: String) throws(ConfigurationError) -> [TLSLibrary] {
            var chosen: [TLSLibrary] = []
            // A library's options key names every build of it (`gnutls` covers a second GnuTLS build too).
            let families = Set(libraries.plugins.map(\.optionsKey))
            for name in try entry.strings(key, default: libraries.libraries.map(\.rawValue)) {
                guard libraries.library(named: name) != nil || families.contains(name) else {
                    throw entry.error(key, "has unknown library '\(name)' (known: \(libraries.knownList))")
                }
                chosen.append(TLSLibrary(name))
            }
            return chosen
        }
        let servers = try libraryList("servers")
        let clientLibraries = try libraryList("clientLibraries")
        var capacity: Int?
        if let link = try entry.nested("link") {
            try link.allowOnly(["kind", "capacity"])
            guard try link.string("kind") == "memory" else {
                throw link.error("kind", "must be memory (omit link for loopback TCP)")
            }
            capacity = try link.int("capacity", default: 256 * 1024)
            guard capacity! > 0, capacity! <= Self.maximumPayload else {
                throw link.error("capacity", "is \(capacity!) bytes; use 1…\(Self.maximumPayload)")
            }
        }
        let clients = try entry.int("clients", default: 1)
        guard clients >= 1, clients <= Self.maximumClients else {
            throw entry.error("clients", "is \(clients); use 1…\(Self.maximumClients)")
        }
        let payload = try entry.int("payload", default: 64)
        guard payload >= 0, payload <= Self.maximumPayload else {
            throw entry.error("payload", "is \(payload) bytes; use 0…\(Self.maximumPayload)")
        }
        let serverPayload = try entry.int("serverPayload", default: 0)
        guard serverPayload >= 0, serverPayload <= Self.maximumPayload else {
            throw entry.error("serverPayload", "is \(serverPayload) bytes; use 0…\(Self.maximumPayload)")
        }
        let serverEntry = try entry.nested("server")
        let clientEntry = try entry.nested("client")
        guard let expectEntry = try entry.nested("expect") else { throw entry.error("expect", "is missing") }
        let reason = try entry.optionalString("notApplicableReason")
        func coversEveryLibrary(_ list: [TLSLibrary]) -> Bool {
            libraries.plugins.allSatisfy { list.contains($0.library) || list.contains(TLSLibrary($0.optionsKey)) }
        }
        if (!coversEveryLibrary(servers) || !coversEveryLibrary(clientLibraries)) && reason == nil {
            throw entry.error("notApplicableReason", "is required when 'servers' or 'clientLibraries' leaves a library out")
        }
        let server = try parseEndpoint(serverEntry, defaultSteps: EndpointAction.echoServer, libraries: libraries)
        let client = try parseEndpoint(clientEntry, defaultSteps: EndpointAction.echoClient, libraries: libraries)
        let datagramFaulty = !server.datagramFaults.isEmpty || !client.datagramFaults.isEmpty
        let onlyQUIC = protocols.allSatisfy(\.isQUIC)
        if protocols.contains(where: \.isQUIC) && (!onlyQUIC || capacity != nil) {
            throw entry.error(
                "protocols", "lists quic with other protocols or a memory link; QUIC scenarios list [quic] alone and run over UDP")
        }
        if datagramFaulty && !onlyQUIC && (capacity == nil || protocols.contains { !$0.isDatagram }) {
            throw entry.error(
                "link",
                "must be {kind: memory} with protocols [dtls1.2] when an endpoint has datagram faults (or protocols [quic], whose faults a UDP relay applies)")
        }
        if !onlyQUIC, let step = (server.steps + client.steps).first(where: \.needsStreams) {
            throw entry.error("protocols", "must be [quic] for step '\(step)', which needs a protocol with streams")
        }
        if capacity == nil && (server.faults != .none || client.faults != .none) {
            throw entry.error("link", "must be {kind: memory} when an endpoint has faults (they are injected by the in-memory link)")
        }
        var external: ExternalPeerSpec?
        if let externalEntry = try entry.nested("external") {
            try externalEntry.allowOnly(["alpnFatal", "expect", "protocols"])
            guard let expectEntry = try externalEntry.nested("expect") else { throw externalEntry.error("expect", "is missing") }
            var externalProtocols: [ProtocolVersion] = []
            for name in try externalEntry.strings("protocols", default: protocols.map(\.rawValue)) {
                guard let version = ProtocolVersion(rawValue: name), protocols.contains(version) else {
                    throw externalEntry.error("protocols", "has '\(name)', which is not one of the scenario's protocols")
                }
                externalProtocols.append(version)
            }
            external = ExternalPeerSpec(
                alpnFatal: try externalEntry.bool("alpnFatal", default: true), expectation: try parseExpectation(expectEntry),
                protocols: externalProtocols)
        }
        var scenario = Scenario(
            id: id, family: family, familyTitle: title, name: try entry.string("name"), summary: try entry.string("description"),
            protocols: protocols, clientCount: clients, payloadSize: payload, serverPayloadSize: serverPayload,
            server: server, client: client,
            expectation: try parseExpectation(expectEntry), memoryLinkCapacity: capacity, serverLibraries: servers,
            clientLibraries: clientLibraries, notApplicableReason: reason,
            sourceFile: entry.file)
        scenario.external = external
        scenario.inProcessOnlyReason = try entry.optionalString("inProcessOnly")
        if let text = try entry.optionalString("deadlineSeconds") {
            guard let seconds = Double(text), seconds > 0, seconds <= 600 else {
                throw entry.error("deadlineSeconds", "is '\(text)'; use a number of seconds above 0 and at most 600")
            }
            scenario.minimumDeadline = .milliseconds(Int64(seconds * 1000))
        }
        return scenario
    }

    private static func parseEndpoint(_ entry: FixtureReader?, defaultSteps: [EndpointAction], libraries: LibraryRegistry)
        throws(ConfigurationError) -> EndpointSpec
    {
        guard let entry else { return EndpointSpec(steps: defaultSteps) }
        try entry.allowOnly(
            Set(["alpn", "transport", "steps", "faults", "datagrams", "dtlsTimeoutMs", "cookieExchange"] + libraries.optionOwners.map(\.optionsKey)))
        var steps: [EndpointAction] = []
        for text in try entry.strings("steps", default: defaultSteps.map(\.description)) {
            guard let step = EndpointAction(parsing: text) else {
                if text.contains("(") && !text.contains(")") {
                    throw entry.error("steps", "has '\(text)': a step with a comma must be quoted in YAML, e.g. \"readInChunks(100, pollFirst)\"")
                }
                throw entry.error(
                    "steps", "has unknown step '\(text)' (known: \(EndpointAction.vocabulary.joined(separator: ", ")))")
            }
            steps.append(step)
        }
        let transport = try entry.optionalString("transport") ?? "native"
        let styles: [String: InterposedTransport.CallbackStyle?] = [
            "native": nil, "interposed": .classic, "interposed-ex": .extended,
        ]
        guard let style = styles[transport] else {
            throw entry.error("transport", "is '\(transport)'; known: native, interposed, interposed-ex")
        }
        return EndpointSpec(
            alpn: try entry.strings("alpn", default: []), interposedStyle: style, faults: try parseFaults(entry.nested("faults")),
            datagramFaults: try parseDatagramFaults(entry.nested("datagrams")), dtlsTimeout: try parseTimeout(entry),
            cookieExchange: try entry.bool("cookieExchange", default: false),
            libraryOptions: try parseLibraryOptions(entry, libraries: libraries), steps: steps)
    }

    /// `openssl: {partialWrite: true}`: each library's own settings, checked against the options its plug-in
    /// declares, kept as text for its backend to read.
    private static func parseLibraryOptions(_ entry: FixtureReader, libraries: LibraryRegistry) throws(ConfigurationError)
        -> [String: LibraryOptionValues]
    {
        var result: [String: LibraryOptionValues] = [:]
        for plugin in libraries.optionOwners {
            guard let options = try entry.nested(plugin.optionsKey) else { continue }
            try options.allowOnly(Set(plugin.options.map(\.name)))
            var values: [String: String] = [:]
            for option in plugin.options where options.has(option.name) {
                let text = try options.string(option.name)
                if let problem = option.problem(with: text) { throw options.error(option.name, problem) }
                values[option.name] = text
            }
            result[plugin.optionsKey] = LibraryOptionValues(values)
        }
        return result
    }

    /// `dtlsTimeoutMs`: a number of milliseconds, or `default` for the library's own timer; absent means 20 ms in
    /// cells that lose datagrams on purpose and the library's default elsewhere.
    private static func parseTimeout(_ entry: FixtureReader) throws(ConfigurationError) -> DTLSTimeoutChoice {
        guard entry.has("dtlsTimeoutMs") else { return .automatic }
        let text = try entry.string("dtlsTimeoutMs")
        if text == "default" { return .libraryDefault }
        guard let value = Int(text), value >= 1, value <= 60_000 else {
            throw entry.error("dtlsTimeoutMs", "is '\(text)'; use 1…60000 or default")
        }
        return .fixed(.milliseconds(value))
    }

    private static func parseDatagramFaults(_ entry: FixtureReader?) throws(ConfigurationError) -> DatagramFaults {
        guard let entry else { return .none }
        try entry.allowOnly(["drop", "duplicate", "reorder", "dropProbability"])
        func ordinals(_ key: String) throws(ConfigurationError) -> Set<Int> {
            var result: Set<Int> = []
            for text in try entry.strings(key, default: []) {
                guard let value = Int(text), value >= 1 else { throw entry.error(key, "has '\(text)'; ordinals start at 1") }
                result.insert(value)
            }
            return result
        }
        var faults = DatagramFaults(drop: try ordinals("drop"), duplicate: try ordinals("duplicate"), reorder: try ordinals("reorder"))
        if let text = try entry.optionalString("dropProbability") {
            guard let value = Double(text), value >= 0, value < 1 else {
                throw entry.error("dropProbability", "is '\(text)'; use 0 <= p < 1")
            }
            faults.dropProbability = value
        }
        return faults
    }

    private static func parseFaults(_ entry: FixtureReader?) throws(ConfigurationError) -> FaultPlan {
        guard let entry else { return .none }
        try entry.allowOnly(["readEAGAIN", "writeEAGAIN", "maxRead", "maxWrite"])
        var plan = FaultPlan()
        for (key, isRead) in [("readEAGAIN", true), ("writeEAGAIN", false)] {
            guard let text = try entry.optionalString(key) else { continue }
            guard let pattern = FaultPattern(parsing: text) else {
                throw entry.error(key, "is '\(text)'; use never, 'every N' (N >= 2) or 'p=0.3' (0 <= p < 1)")
            }
            if isRead { plan.readRefusals = pattern } else { plan.writeRefusals = pattern }
        }
        for key in ["maxRead", "maxWrite"] where entry.has(key) {
            let value = try entry.int(key, default: 0)
            guard value > 0, value <= Self.maximumPayload else { throw entry.error(key, "is \(value); use 1…\(Self.maximumPayload)") }
            if key == "maxRead" { plan.maxReadChunk = value } else { plan.maxWriteChunk = value }
        }
        return plan
    }

    private static func parseExpectation(_ entry: FixtureReader) throws(ConfigurationError) -> Expectation {
        try entry.allowOnly(Set(ObservedField.allCases.map(\.rawValue)))
        var fields: [ObservedField: ExpectedValue] = [:]
        for field in ObservedField.allCases where entry.has(field.rawValue) {
            let value: ExpectedValue
            if entry.mapping[field.rawValue] is [Any] {
                value = .oneOf(try entry.strings(field.rawValue))
            } else {
                value = .exactly(try entry.string(field.rawValue))
            }
            let candidates: [String] = switch value {
            case .exactly(let text): [text]
            case .oneOf(let texts): texts
            }
            for text in candidates {
                if let problem = ObservationVocabulary.problem(with: text, for: field) {
                    throw entry.error(field.rawValue, "'\(text)' \(problem)")
                }
            }
            fields[field] = value
        }
        guard !fields.isEmpty else { throw entry.error("", "must name at least one field") }
        return Expectation(fields)
    }
}
