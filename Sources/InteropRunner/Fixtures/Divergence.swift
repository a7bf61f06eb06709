import InteropCore

/// A documented, observed case where a library behaves otherwise than the scenario's rule, kept as data with the
/// raw values that were seen, the reason, and a reference.
public struct Divergence: Sendable, Hashable, Identifiable {
    public var id: String
    /// A scenario id, or `*` for a library's behaviour that shows in any scenario (see `isLibraryWide`).
    public var scenario: String
    /// nil matches any library or protocol.
    public var server: TLSLibrary?
    public var client: TLSLibrary?
    public var protocolVersion: ProtocolVersion?
    /// What is observed instead of the expectation, field by field (a field seen either way, as timing decides,
    /// shows its values joined by " or ").
    public var observed: [ObservedField: String]
    /// Fields documented with more than one value, each of which shows the divergence (a race the libraries' own
    /// behaviour does not decide, e.g. whether a peer reads an alert before the connection closes).
    public var alternatives: [ObservedField: [String]] = [:]
    /// The raw library values behind the observation, as seen when it was recorded.
    public var raw: String
    public var reason: String
    public var reference: String
    /// Library version prefixes this divergence was observed on (e.g. `openssl: "3.0."`, or `gnutls: ["3.7.", "3.8."]`
    /// for one seen on both); a library it does not name matches any version.
    public var versions: [TLSLibrary: [String]] = [:]
    /// External modes: the real program the divergence is about (an endpoint adapter's id). An entry without one is
    /// about the libraries' own endpoints and tools, and does not excuse a program built on them; a library-wide
    /// entry applies to the Swift side of every cell.
    public var endpoint: String?
    /// The mode it was seen in (a program that plays both roles diverges in one), nil for any.
    public var mode: ExecutionMode?

    public init(
        id: String, scenario: String, server: TLSLibrary?, client: TLSLibrary?, protocolVersion: ProtocolVersion?,
        observed: [ObservedField: String], raw: String, reason: String, reference: String
    ) {
        self.id = id
        self.scenario = scenario
        self.server = server
        self.client = client
        self.protocolVersion = protocolVersion
        self.observed = observed
        self.raw = raw
        self.reason = reason
        self.reference = reference
    }

    /// Whether `value`, the cell's observation of `field`, is what this divergence documents.
    public func shows(_ field: ObservedField, _ value: String?) -> Bool {
        guard let value else { return false }
        return alternatives[field]?.contains(value) ?? (observed[field] == value)
    }

    /// Whether the observation shows every field this divergence documents.
    func isShown(in observation: CellObservation) -> Bool {
        observed.keys.allSatisfy { shows($0, observation.values[$0]) }
    }

    /// A divergence of the library itself rather than of one scenario (e.g. a direction every DTLS handshake
    /// reports). It excuses only cells whose observation shows exactly what it documents, alongside a scenario's own
    /// divergence if one applies; whether it still occurs anywhere is for a run over the whole matrix to show.
    public var isLibraryWide: Bool { scenario == "*" }

    /// Whether the divergence applies to `cell` on libraries whose runtime versions are `runtimeVersions`;
    /// `versions` holds full prefixes of those texts ("GnuTLS 3.7.", resolved when the catalog was read).
    public func matches(_ cell: Cell, runtimeVersions: [TLSLibrary: String]) -> Bool {
        (isLibraryWide || scenario == cell.scenario.id) && (isLibraryWide || endpoint == cell.endpoint)
            && (mode == nil || mode == cell.mode)
            && (server == nil || server == cell.server) && (client == nil || client == cell.client)
            && (protocolVersion == nil || protocolVersion == cell.protocolVersion)
            && versions.allSatisfy { library, prefixes in
                runtimeVersions[library].map { version in prefixes.contains { version.hasPrefix($0) } } == true
            }
    }
}

extension Divergence {
    /// Two divergences that apply to one cell, reported as one: every field each documents, both texts.
    func joined(with other: Divergence) -> Divergence {
        var joined = self
        joined.id = "\(id) + \(other.id)"
        joined.observed.merge(other.observed) { own, _ in own }
        joined.alternatives.merge(other.alternatives.filter { observed[$0.key] == nil }) { own, _ in own }
        joined.raw = "\(raw) | \(other.raw)"
        joined.reason = "\(reason) | \(other.reason)"
        joined.reference = "\(reference); \(other.reference)"
        return joined
    }
}

/// `fixtures/divergences.yaml`.
public struct DivergenceCatalog: Sendable {
    public let divergences: [Divergence]
    /// The versions of the libraries the cells run on, which version-bound divergences are matched against.
    public let runtimeVersions: [TLSLibrary: String]
    /// The catalog by scenario, and its library-wide entries: every cell looks its divergence up.
    private let byScenario: [String: [Divergence]]
    private let libraryWide: [Divergence]

    public init(divergences: [Divergence], runtimeVersions: [TLSLibrary: String]) {
        self.divergences = divergences
        self.runtimeVersions = runtimeVersions
        byScenario = Dictionary(grouping: divergences.filter { !$0.isLibraryWide }, by: \.scenario)
        libraryWide = divergences.filter(\.isLibraryWide)
    }

    /// The scenario's divergence for this cell, joined by every library-wide divergence the observation shows.
    public func divergence(for cell: Cell, observation: CellObservation) -> Divergence? {
        let versions = runtimeVersions
        let specific = byScenario[cell.scenario.id]?.first { $0.matches(cell, runtimeVersions: versions) }
        let shown = libraryWide.filter { divergence in
            divergence.matches(cell, runtimeVersions: versions)
                && divergence.isShown(in: observation)
        }
        return ([specific].compactMap { $0 } + shown).reduce(nil) { joined, next in joined?.joined(with: next) ?? next }
    }

    /// Reads the catalog for cells that run on `libraries` (their names resolve version prefixes, their versions
    /// are what the divergences are matched against).
    public static func load(file: String, scenarios: ScenarioCatalog, libraries: LibraryRegistry) throws(ConfigurationError)
        -> DivergenceCatalog
    {
        let decoded = try FixtureDecoding.decode(DivergenceFile.self, file: file, libraries: libraries)
        let known = Set(scenarios.scenarios.map(\.id))
        for (divergence, path) in zip(decoded.divergences, decoded.paths) where !known.contains(divergence.scenario) && divergence.scenario != "*" {
            let field = FixtureFieldError(path: path + [FixtureKey("scenario")], "names unknown scenario '\(divergence.scenario)'")
            throw ConfigurationError("\(file): \(field.description)")
        }
        // Programs are checked when the catalog has read them (a run does; a peer process has no use for them).
        let programs = Set(scenarios.endpoints.adapters.map(\.id))
        for (divergence, path) in zip(decoded.divergences, decoded.paths) {
            guard let endpoint = divergence.endpoint, !programs.isEmpty, !programs.contains(endpoint) else { continue }
            let field = FixtureFieldError(
                path: path + [FixtureKey("endpoint")], "names unknown endpoint '\(endpoint)' (known: \(programs.sorted().joined(separator: ", ")))")
            throw ConfigurationError("\(file): \(field.description)")
        }
        return DivergenceCatalog(divergences: decoded.divergences, runtimeVersions: libraries.runtimeVersions)
    }

    /// One entry of `divergences`.
    static func parse(_ entry: FixtureReader) throws -> Divergence {
        let libraries = entry.libraries
        try entry.allowOnly(["id", "scenario", "server", "client", "protocol", "observed", "raw", "reason", "reference", "versions", "endpoint", "mode"])
        let scenario = try entry.string("scenario")
        guard let observedEntry = try entry.nested("observed") else { throw entry.error("observed", "is missing") }
        try observedEntry.allowOnly(Set(ObservedField.allCases.map(\.rawValue)))
        var observed: [ObservedField: String] = [:]
        var alternatives: [ObservedField: [String]] = [:]
        for field in ObservedField.allCases where observedEntry.has(field.rawValue) {
            let isList = observedEntry.isList(field.rawValue)
            let texts = isList ? try observedEntry.strings(field.rawValue) : [try observedEntry.string(field.rawValue)]
            guard !texts.isEmpty else { throw observedEntry.error(field.rawValue, "must list at least one value") }
            // Fields whose expectation is a single "good" value are documented with the bad value observed.
            let freeText: Set<ObservedField> = [.applicationData, .alpnAgreement, .writeAccounting, .directionConsistency, .datagramsWithinMTU]
            for text in texts {
                if let problem = field.problem(with: text), !freeText.contains(field) {
                    throw observedEntry.error(field.rawValue, "'\(text)' \(problem)")
                }
            }
            observed[field] = texts.joined(separator: " or ")
            if isList { alternatives[field] = texts }
        }
        guard !observed.isEmpty else { throw entry.error("observed", "must name at least one field") }
        var versions: [TLSLibrary: [String]] = [:]
        if let versionEntry = try entry.nested("versions") {
            try versionEntry.allowOnly(Set(libraries.libraries.map(\.rawValue)))
            for library in libraries.libraries where versionEntry.has(library.rawValue) {
                let prefixes = versionEntry.isList(library.rawValue)
                    ? try versionEntry.strings(library.rawValue) : [try versionEntry.string(library.rawValue)]
                guard !prefixes.isEmpty else { throw versionEntry.error(library.rawValue, "must name at least one version prefix") }
                // "OpenSSL 3.0.19 27 Jan 2026" / "GnuTLS 3.7.9": the number follows the name.
                versions[library] = prefixes.map { libraries.displayName(for: library) + " " + $0 }
            }
        }
        var divergence = Divergence(
            id: try entry.string("id"), scenario: scenario, server: try library(entry, "server", libraries),
            client: try library(entry, "client", libraries), protocolVersion: try protocolVersion(entry),
            observed: observed, raw: try entry.string("raw"), reason: try entry.string("reason"),
            reference: try entry.string("reference"))
        divergence.versions = versions
        divergence.alternatives = alternatives
        divergence.endpoint = try entry.optionalString("endpoint")
        if let text = try entry.optionalString("mode") {
            guard let mode = ExecutionMode(rawValue: text) else {
                throw entry.error("mode", "is '\(text)'; known: \(ExecutionMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            divergence.mode = mode
        }
        return divergence
    }

    private static func library(_ entry: FixtureReader, _ key: String, _ libraries: LibraryRegistry) throws -> TLSLibrary? {
        guard let text = try entry.optionalString(key), text != "*" else { return nil }
        guard let library = libraries.library(named: text) else {
            throw entry.error(key, "is '\(text)'; known: \(libraries.knownList), *")
        }
        return library
    }

    private static func protocolVersion(_ entry: FixtureReader) throws -> ProtocolVersion? {
        guard let text = try entry.optionalString("protocol"), text != "*" else { return nil }
        guard let version = ProtocolVersion(rawValue: text) else {
            throw entry.error("protocol", "is '\(text)'; known: tls1.3, tls1.2, *")
        }
        return version
    }
}

/// `fixtures/divergences.yaml` as decoded, with where each entry stands (for errors found once the scenarios are
/// known).
struct DivergenceFile: Decodable {
    var divergences: [Divergence]
    var paths: [[any CodingKey]]

    init(from decoder: any Decoder) throws {
        let document = try FixtureReader(decoder, allowing: ["divergences"])
        let entries = try document.each("divergences") { entry in (try DivergenceCatalog.parse(entry), entry.path) }
        divergences = entries.map(\.0)
        paths = entries.map(\.1)
    }
}
