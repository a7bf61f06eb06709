import Foundation
import InteropCore

/// The scenarios of `fixtures/scenarios/*.yaml`, validated as a whole: every id unique, every field known.
public struct ScenarioCatalog: Sendable {
    public var scenarios: [Scenario]
    /// The endpoint adapters beside the scenarios (`fixtures/endpoints/`), which the external modes run.
    public var endpoints = EndpointCatalog(adapters: [])

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
        if let file { return try loadFile(file, libraries: libraries, onlyScenario: id).first { $0.id == id } }
        return try load(directory: directory, libraries: libraries).scenarios.first { $0.id == id }
    }

    /// The scenarios of one file (or of `text`, a document read elsewhere, named `file`); with `onlyScenario`, that
    /// one alone (the others are not built). Each keeps its own one-scenario document for peer processes.
    static func loadFile(_ file: String, text: String? = nil, libraries: LibraryRegistry, onlyScenario: String? = nil)
        throws(ConfigurationError) -> [Scenario]
    {
        let root = try FixtureDecoding.compose(file: file, text: text)
        let scenarios = try FixtureDecoding.decode(
            ScenarioFile.self, root: root, file: file, libraries: libraries, onlyScenario: onlyScenario
        ).scenarios
        let entries = root.mapping?["scenarios"]?.sequence.map(Array.init) ?? []
        return scenarios.map { scenario in
            var scenario = scenario
            scenario.sourceFile = file
            scenario.peerDocument = ScenarioDocument.single(scenario.id, of: root, entries: entries)
            return scenario
        }
    }

    /// A scenario read from a document a runner handed over (`tls-interop peer --scenario-file -`).
    public static func loadScenario(id: String, document: String, named name: String, libraries: LibraryRegistry)
        throws(ConfigurationError) -> Scenario?
    {
        if document.first(where: { !$0.isWhitespace }) == "{" {
            // The runner's form (`ScenarioDocument`): JSON, read without a YAML parser.
            let file = try FixtureDecoding.decode(
                ScenarioFile.self, json: Array(document.utf8), file: name, libraries: libraries, onlyScenario: id)
            return file.scenarios.first { $0.id == id }
        }
        return try loadFile(name, text: document, libraries: libraries, onlyScenario: id).first { $0.id == id }
    }

    /// `^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`, checked by hand: a regular expression would load ICU into every peer.
    static func isValidIdentifier(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, bytes.count <= 32, isASCIIAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// `^[A-Z][A-Za-z0-9]{0,7}$`, checked by hand.
    static func isValidFamily(_ family: String) -> Bool {
        let bytes = Array(family.utf8)
        guard let first = bytes.first, bytes.count <= 8, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else { return false }
        return bytes.allSatisfy(isASCIIAlphanumeric)
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// One entry of a scenario file's `scenarios`, of family `family`.
    static func parseScenario(_ entry: FixtureReader, family: String, title: String) throws -> Scenario {
        let libraries = entry.libraries
        try entry.allowOnly([
            "id", "name", "description", "protocols", "clients", "payload", "serverPayload", "servers",
            "clientLibraries", "notApplicableReason", "server", "client", "expect", "link", "external", "inProcessOnly", "deadlineSeconds", "deadlineAtMostSeconds",
            "typicalSeconds",
        ])
        let id = try entry.string("id")
        guard Self.isValidIdentifier(id) else {
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
        func libraryList(_ key: String) throws -> [TLSLibrary] {
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
        var statedCapacity: Int?
        if let link = try entry.nested("link") {
            try link.allowOnly(["kind", "capacity"])
            guard try link.string("kind") == "memory" else {
                throw link.error("kind", "must be memory (omit link for loopback TCP)")
            }
            capacity = try link.int("capacity", default: 256 * 1024)
            guard capacity! > 0, capacity! <= Self.maximumPayload else {
                throw link.error("capacity", "is \(capacity!) bytes; use 1…\(Self.maximumPayload)")
            }
            if link.has("capacity") { statedCapacity = capacity }
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
        let server = try parseEndpoint(serverEntry, defaultSteps: EndpointAction.echoServer, role: .server)
        let client = try parseEndpoint(clientEntry, defaultSteps: EndpointAction.echoClient, role: .client)
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
            try externalEntry.allowOnly(["alpnFatal", "expect", "protocols", "modes"])
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
            if externalEntry.has("modes") {
                external?.modes = try externalEntry.strings("modes").map { name in
                    guard let mode = ExecutionMode(rawValue: name), mode.isExternal else {
                        throw externalEntry.error("modes", "has '\(name)'; use external-server, external-client")
                    }
                    return mode
                }
            }
        }
        var scenario = Scenario(
            id: id, family: family, familyTitle: title, name: try entry.string("name"), summary: try entry.string("description"),
            protocols: protocols, clientCount: clients, payloadSize: payload, serverPayloadSize: serverPayload,
            server: server, client: client,
            expectation: try parseExpectation(expectEntry), memoryLinkCapacity: capacity, serverLibraries: servers,
            clientLibraries: clientLibraries, notApplicableReason: reason,
            sourceFile: "")
        scenario.external = external
        scenario.socketBufferLimit = statedCapacity
        scenario.inProcessOnlyReason = try entry.optionalString("inProcessOnly")
        if let text = try entry.optionalString("deadlineSeconds") {
            guard let seconds = Double(text), seconds > 0, seconds <= 600 else {
                throw entry.error("deadlineSeconds", "is '\(text)'; use a number of seconds above 0 and at most 600")
            }
            scenario.minimumDeadline = .milliseconds(Int64(seconds * 1000))
        }
        if let text = try entry.optionalString("deadlineAtMostSeconds") {
            guard let seconds = Double(text), seconds > 0, seconds <= 600 else {
                throw entry.error("deadlineAtMostSeconds", "is '\(text)'; use a number of seconds above 0 and at most 600")
            }
            scenario.maximumDeadline = .milliseconds(Int64(seconds * 1000))
        }
        let holdsForTimers = !scenario.server.datagramFaults.lateMessages.isEmpty || !scenario.client.datagramFaults.lateMessages.isEmpty
        if holdsForTimers && scenario.inProcessOnlyReason == nil {
            throw entry.error("inProcessOnly", "is required with lateByOnePoll: a relay between processes cannot see a peer's polls")
        }
        if scenario.client.datagramFaults.dropOnceClosing && scenario.inProcessOnlyReason == nil {
            throw entry.error("inProcessOnly", "is required with dropOnceClosing: a relay between processes cannot see when the client starts closing")
        }
        if let typical = try entry.nested("typicalSeconds") {
            try typical.allowOnly(Set(protocols.map(\.rawValue)))
            for version in protocols where typical.has(version.rawValue) {
                let text = try typical.string(version.rawValue)
                guard let seconds = Double(text), seconds >= 0, seconds <= 600 else {
                    throw typical.error(version.rawValue, "is '\(text)'; use a number of seconds from 0 to 600")
                }
                scenario.typicalSeconds[version] = seconds
            }
        }
        return scenario
    }
}

/// A scenario file (`fixtures/scenarios/*.yaml`) as decoded: the family, its title, and its scenarios.
struct ScenarioFile: Decodable {
    var scenarios: [Scenario]

    init(from decoder: any Decoder) throws {
        let document = try FixtureReader(decoder, allowing: ["family", "title", "scenarios"])
        let family = try document.string("family")
        // Families and ids name anchors, CSS classes, JUnit classes and command-line arguments: letters and digits.
        guard ScenarioCatalog.isValidFamily(family) else {
            throw document.error("family", "is '\(family.prefix(40))'; use a capital letter followed by up to 7 letters or digits")
        }
        let title = try document.string("title")
        let only = decoder.userInfo[FixtureDecoding.onlyScenarioKey] as? String
        scenarios = try document.each("scenarios") { entry in
            if let only, try entry.string("id") != only { return nil }
            return try ScenarioCatalog.parseScenario(entry, family: family, title: title)
        }.compactMap { $0 }
    }
}
