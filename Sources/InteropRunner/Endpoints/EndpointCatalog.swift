import Foundation
import InteropCore

/// The endpoint adapters of `fixtures/endpoints/*.yaml`: the libraries' own tools and real programs built on them.
public struct EndpointCatalog: Sendable {
    public var adapters: [EndpointAdapter]

    public init(adapters: [EndpointAdapter]) {
        self.adapters = adapters
    }

    /// Every `.yaml` file of `directory` in name order; a directory that does not exist holds none.
    public static func load(directory: String, libraries: LibraryRegistry) throws(ConfigurationError) -> EndpointCatalog {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return EndpointCatalog(adapters: []) }
        guard isDirectory.boolValue else { throw ConfigurationError("\(directory): not a directory of endpoint adapters") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigurationError("\(directory): cannot list endpoint adapters: \(error.localizedDescription)")
        }
        var adapters: [EndpointAdapter] = []
        var seen: [String: String] = [:]
        for name in names.filter({ $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }).sorted() {
            let file = "\(directory)/\(name)"
            var adapter = try FixtureDecoding.decode(EndpointAdapterFile.self, file: file, libraries: libraries).adapter
            adapter.file = file
            if let earlier = seen[adapter.id] {
                throw ConfigurationError("\(file): endpoint id '\(adapter.id)' is already defined in \(earlier)")
            }
            seen[adapter.id] = file
            adapters.append(adapter)
        }
        return EndpointCatalog(adapters: adapters)
    }

    /// Ids name cells, anchors and command-line arguments: lower-case letters, digits and dashes, at most 32.
    static func isValidId(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, bytes.count <= 32, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return bytes.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }

    /// The adapter with this id.
    public func adapter(_ id: String) -> EndpointAdapter? {
        adapters.first { $0.id == id }
    }

    /// The library's own tools for `plugin`: the first library-tools adapter built on it whose tools it ships.
    public func libraryTools(for plugin: LibraryPlugin) -> EndpointAdapter? {
        adapters.first { adapter in
            adapter.libraryTools && adapter.isBuilt(on: plugin) && adapter.tools.allSatisfy { plugin.commandLineTools[$0] != nil }
        }
    }

    /// Real programs (not a library's own tools) that play `role` on `plugin`'s library.
    public func programs(playing role: EndpointRole, on plugin: LibraryPlugin) -> [EndpointAdapter] {
        adapters.filter { !$0.libraryTools && $0.command(for: role) != nil && $0.isBuilt(on: plugin) }
    }
}

extension EndpointAdapter {
    /// Whether it names the plug-in's library or its family (`openssl` covers a second OpenSSL build).
    public func isBuilt(on plugin: LibraryPlugin) -> Bool {
        builds[plugin.library] != nil || builds[TLSLibrary(plugin.optionsKey)] != nil
    }

    /// The variables of its build on `plugin`'s library.
    public func variables(on plugin: LibraryPlugin) -> [String: String] {
        builds[plugin.library] ?? builds[TLSLibrary(plugin.optionsKey)] ?? [:]
    }
}

/// One adapter file, read field by field: unknown fields, unknown protocols and patterns that are not regular
/// expressions are refused with the file and the field.
struct EndpointAdapterFile: Decodable {
    var adapter: EndpointAdapter

    init(from decoder: any Decoder) throws {
        let document = try FixtureReader(
            decoder, allowing: ["id", "name", "builtOn", "libraryTools", "tools", "needs", "server", "client"])
        let id = try document.string("id")
        guard EndpointCatalog.isValidId(id) else {
            throw document.error("id", "is '\(id.prefix(40))'; use lower-case letters, digits and dashes, starting with a letter")
        }
        guard let builtOn = try document.nested("builtOn") else { throw document.error("builtOn", "is missing") }
        var builds: [TLSLibrary: [String: String]] = [:]
        for library in builtOn.keys.sorted() {
            guard let variables = try builtOn.nested(library) else { continue }
            builds[TLSLibrary(library)] = try Dictionary(uniqueKeysWithValues: variables.keys.sorted().map { ($0, try variables.string($0)) })
        }
        guard !builds.isEmpty else { throw document.error("builtOn", "names no library") }
        let server = try document.nested("server").map { try Self.command($0, role: .server) }
        let client = try document.nested("client").map { try Self.command($0, role: .client) }
        guard server != nil || client != nil else { throw document.error("server", "is missing (an adapter plays a server, a client or both)") }
        adapter = EndpointAdapter(
            id: id, name: try document.string("name"), file: "", builds: builds,
            libraryTools: try document.bool("libraryTools", default: false), tools: try document.strings("tools", default: []),
            needs: try document.optionalString("needs"), server: server, client: client)
    }

    private static func command(_ entry: FixtureReader, role: EndpointRole) throws -> EndpointCommand {
        try entry.allowOnly([
            "display", "executable", "environment", "arguments", "versions", "alpn", "alpnFatal", "datagram", "protocols", "port",
            "leavesAfterOneConnection", "unsupported", "needsOption", "files", "handshake", "otherwise", "negotiatedALPN",
            "endOfStream", "keepLines", "blindTo",
        ])
        var versions: [ProtocolVersion: [String]] = [:]
        if let table = try entry.nested("versions") {
            for key in table.keys.sorted() { versions[try protocolVersion(key, in: table)] = try table.strings(key) }
        }
        var unsupported: [ProtocolVersion: String] = [:]
        if let table = try entry.nested("unsupported") {
            for key in table.keys.sorted() { unsupported[try protocolVersion(key, in: table)] = try table.string(key) }
        }
        var needsOption: [ProtocolVersion: HelpOption] = [:]
        if let table = try entry.nested("needsOption") {
            for key in table.keys.sorted() {
                let option = try table.nested(key, allowing: ["arguments", "option"])!
                needsOption[try protocolVersion(key, in: table)] = HelpOption(
                    arguments: try option.strings("arguments"), option: try option.string("option"))
            }
        }
        var extras: [ProtocolVersion: ProtocolExtras] = [:]
        if let table = try entry.nested("protocols") {
            for key in table.keys.sorted() {
                let extra = try table.nested(key, allowing: ["arguments", "input", "request"])!
                extras[try protocolVersion(key, in: table)] = ProtocolExtras(
                    arguments: try extra.strings("arguments", default: []), input: try extra.optionalString("input"),
                    request: try extra.optionalString("request"))
            }
        }
        var files: [String: String] = [:]
        if let table = try entry.nested("files") {
            for name in table.keys.sorted() {
                guard !name.contains("/"), !name.hasPrefix(".") else {
                    throw table.error(name, "is not a plain file name (files are written into the cell's own directory)")
                }
                // Not trimmed: a configuration file keeps its last newline.
                files[name] = try table.string(name) + "\n"
            }
        }
        let handshake = try entry.each("handshake") { rule -> HandshakeRule in
            try rule.allowOnly(["pattern", "outcome", "alert"])
            let alert = rule.has("alert") ? try rule.int("alert", default: 0) : nil
            if let alert, !(0...255).contains(alert) { throw rule.error("alert", "is \(alert); an alert number is 0…255") }
            return HandshakeRule(pattern: try pattern("pattern", in: rule), outcome: try verdict("outcome", in: rule), alert: alert)
        }
        guard let otherwiseEntry = try entry.nested("otherwise", allowing: ["outcome", "evidence", "default"]) else {
            throw entry.error("otherwise", "is missing (the outcome when no handshake rule matches)")
        }
        var evidenceLines: [EvidenceLine] = []
        if otherwiseEntry.has("evidence") {
            evidenceLines = try otherwiseEntry.each("evidence") { line -> EvidenceLine in
                try line.allowOnly(["first", "last"])
                if line.has("last") { return EvidenceLine(pattern: try pattern("last", in: line), last: true) }
                return EvidenceLine(pattern: try pattern("first", in: line), last: false)
            }
        }
        let otherwise = FallbackRule(
            outcome: try verdict("outcome", in: otherwiseEntry), evidenceLines: evidenceLines,
            evidence: try otherwiseEntry.optionalString("default") ?? "no handshake line")
        var endOfStream: [EndOfStreamRule] = []
        if entry.has("endOfStream") {
            endOfStream = try entry.each("endOfStream") { rule -> EndOfStreamRule in
                try rule.allowOnly(["pattern", "outcome"])
                let text = try rule.string("outcome")
                guard let outcome = Outcome(parsing: text) else { throw rule.error("outcome", "is '\(text)', not an outcome such as eof(clean) or eof(unexpected)") }
                return EndOfStreamRule(pattern: try pattern("pattern", in: rule), outcome: outcome)
            }
        }
        var blind: [ObservedField] = []
        for name in try entry.strings("blindTo", default: []) {
            guard let field = ObservedField(rawValue: name) else {
                throw entry.error("blindTo", "has '\(name)', which is not an observation (known: \(ObservedField.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            blind.append(field)
        }
        var environment: [String: String] = [:]
        if let table = try entry.nested("environment") {
            for name in table.keys.sorted() {
                guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
                    throw table.error(name, "is not an environment variable's name")
                }
                environment[name] = try table.string(name)
            }
        }
        var command = EndpointCommand(
            display: try entry.string("display"), executable: try entry.string("executable"),
            arguments: try entry.strings("arguments", default: []), versions: versions,
            alpn: try alpnArguments(entry), alpnFatal: try entry.strings("alpnFatal", default: []),
            datagram: try entry.strings("datagram", default: []), protocolExtras: extras,
            port: role == .client ? .notAServer : try port(entry),
            leavesAfterOneConnection: try entry.bool("leavesAfterOneConnection", default: false), unsupported: unsupported,
            needsOption: needsOption, files: files, handshake: handshake, otherwise: otherwise,
            negotiatedALPN: try entry.has("negotiatedALPN") ? pattern("negotiatedALPN", in: entry) : nil, endOfStream: endOfStream,
            keepLines: try patterns("keepLines", in: entry), blindTo: blind)
        command.environment = environment
        return command
    }

    private static func protocolVersion(_ key: String, in table: FixtureReader) throws -> ProtocolVersion {
        guard let version = ProtocolVersion(rawValue: key) else {
            throw table.error(key, "is not a protocol (known: \(ProtocolVersion.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return version
    }

    private static func pattern(_ key: String, in entry: FixtureReader) throws -> String {
        let text = try entry.string(key)
        do {
            _ = try Regex(text)
        } catch {
            throw entry.error(key, "is not a regular expression: \(error)")
        }
        return text
    }

    private static func patterns(_ key: String, in entry: FixtureReader) throws -> [String] {
        let texts = try entry.strings(key, default: [])
        for (index, text) in texts.enumerated() {
            do {
                _ = try Regex(text)
            } catch {
                throw entry.error("\(key)[\(index)]", "is not a regular expression: \(error)")
            }
        }
        return texts
    }

    private static func verdict(_ key: String, in entry: FixtureReader) throws -> HandshakeVerdict {
        let text = try entry.string(key)
        guard let verdict = HandshakeVerdict(rawValue: text) else {
            throw entry.error(key, "is '\(text)'; use \(HandshakeVerdict.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return verdict
    }

    private static func alpnArguments(_ entry: FixtureReader) throws -> ALPNArguments {
        guard let alpn = try entry.nested("alpn", allowing: ["fixed", "each", "joined", "separator", "choices"]) else { return .fixed([]) }
        if alpn.has("fixed") { return .fixed(try alpn.strings("fixed")) }
        if alpn.has("choices") {
            return .choices(try alpn.each("choices") { choice in
                try choice.allowOnly(["offers", "arguments"])
                return ALPNChoice(offers: try choice.strings("offers"), arguments: try choice.strings("arguments"))
            })
        }
        if alpn.has("each") { return .each(try alpn.strings("each")) }
        if alpn.has("joined") { return .joined(try alpn.strings("joined"), separator: try alpn.optionalString("separator") ?? ",") }
        throw alpn.error("", "must have fixed, each, joined or choices")
    }

    private static func port(_ entry: FixtureReader) throws -> PortAnnouncement {
        guard let port = try entry.nested("port", allowing: ["announced", "chosen"]) else {
            throw entry.error("port", "is missing (announced: PATTERN, or chosen: {ready, busy, attempts})")
        }
        if port.has("announced") { return .announced(pattern: try pattern("announced", in: port)) }
        guard let chosen = try port.nested("chosen", allowing: ["ready", "busy", "attempts"]) else {
            throw port.error("", "must have announced or chosen")
        }
        let attempts = try chosen.int("attempts", default: 1)
        guard (1...16).contains(attempts) else { throw chosen.error("attempts", "is \(attempts); use 1…16") }
        return .chosen(
            ready: try chosen.has("ready") ? pattern("ready", in: chosen) : nil,
            busy: try chosen.has("busy") ? pattern("busy", in: chosen) : nil, attempts: attempts)
    }
}
