import InteropCore

/// Which cells a run covers: scenario filter × libraries × protocols.
public struct CellSelection: Sendable {
    /// Scenario ids or family letters, e.g. `["A4", "H"]`; empty selects everything.
    public var filter: [String]
    public var servers: [TLSLibrary]
    public var clients: [TLSLibrary]
    public var protocols: [ProtocolVersion]
    public var modes: [ExecutionMode]
    /// External modes: real programs to run besides the libraries' own tools, by the role they play.
    public var programs: [EndpointRole: [ProgramOnLibrary]] = [:]
    /// External modes: false when `--endpoint` names only real programs, so the libraries' own tools are left out.
    public var includesLibraryTools = true

    public init(
        filter: [String] = [], servers: [TLSLibrary], clients: [TLSLibrary],
        protocols: [ProtocolVersion] = ProtocolVersion.allCases, modes: [ExecutionMode] = [.inProcess]
    ) {
        self.modes = modes
        self.filter = filter
        self.servers = servers
        self.clients = clients
        self.protocols = protocols
    }

    /// Expands the catalogue into cells; a filter token that names no scenario or family is an error.
    public func cells(from catalog: ScenarioCatalog) throws(ConfigurationError) -> [Cell] {
        for token in filter where !catalog.scenarios.contains(where: { Self.token(token, selects: $0) }) {
            let known = catalog.scenarios.map(\.id).joined(separator: ", ")
            throw ConfigurationError("--filter: '\(token)' names no scenario or family (known scenarios: \(known))")
        }
        let scenarios = catalog.scenarios.filter { scenario in
            filter.isEmpty || filter.contains { Self.token($0, selects: scenario) }
        }
        var cells: [Cell] = []
        for mode in ExecutionMode.allCases where modes.contains(mode) {
            for scenario in scenarios where mode == .inProcess || scenario.runsOutOfProcess(mode) {
                let versions = mode.isExternal ? (scenario.external?.protocols ?? []) : scenario.protocols
                for version in ProtocolVersion.allCases where protocols.contains(version) && versions.contains(version) {
                    // A target speaks TLS over TCP: its cells are the stream versions.
                    if mode.hasTarget && version.transport != .stream { continue }
                    for server in mode == .targetServer ? [.target] : servers.filter({ $0 != .target })
                    where !mode.isExternal || includesLibraryTools {
                        for client in mode == .targetClient ? [.target] : clients.filter({ $0 != .target }) {
                            cells.append(
                                Cell(scenario: scenario, server: server, client: client, protocolVersion: version, mode: mode))
                        }
                    }
                    // Real programs after the libraries' own tools, each on the libraries it is built on.
                    if mode.isExternal {
                        let role: EndpointRole = mode == .externalServer ? .server : .client
                        for program in programs[role] ?? []
                        where (role == .server ? servers : clients).contains(program.library) && program.protocols.contains(version) {
                            for other in role == .server ? clients : servers where other != .target {
                                let (server, client) = role == .server ? (program.library, other) : (other, program.library)
                                cells.append(
                                    Cell(scenario: scenario, server: server, client: client, protocolVersion: version, mode: mode,
                                        endpoint: program.endpoint))
                            }
                        }
                    }
                }
            }
        }
        return cells
    }

    static func token(_ token: String, selects scenario: Scenario) -> Bool {
        token == scenario.id || token == scenario.family || token == "\(scenario.id) \(scenario.name)"
            || token == scenario.name
    }

    /// Whether these options could select a cell of an earlier run's results, judged from the options alone (not
    /// the catalogue): a cell whose scenario or endpoint is gone is still in scope, so its loss is seen.
    /// - Parameter endpoints: the ids `--endpoint` names, nil for all.
    public func couldSelect(_ record: ResultsDocument.CellRecord, endpoints: Set<String>?) -> Bool {
        let name = record.scenarioName
        let scenarioChosen = filter.isEmpty || filter.contains { token in
            token == record.scenario || token == record.family || (name.map { token == $0 || token == "\(record.scenario) \($0)" } ?? false)
        }
        guard scenarioChosen, modes.contains(record.mode), protocols.contains(record.protocolVersion) else { return false }
        guard record.mode == .targetServer || servers.contains(record.server) else { return false }
        guard record.mode == .targetClient || clients.contains(record.client) else { return false }
        guard record.mode.isExternal else { return true }
        guard let endpoint = record.endpoint else { return includesLibraryTools }
        return endpoints?.contains(endpoint) ?? true
    }
}

/// A real program (an endpoint adapter) built on one of the run's libraries, and the protocols it plays or says
/// it cannot (those it does not mention make no cells).
public struct ProgramOnLibrary: Sendable, Hashable {
    public var library: TLSLibrary
    public var endpoint: String
    public var protocols: Set<ProtocolVersion>

    public init(library: TLSLibrary, endpoint: String, protocols: Set<ProtocolVersion>) {
        self.library = library
        self.endpoint = endpoint
        self.protocols = protocols
    }
}

extension EndpointCatalog {
    /// The real programs (not the libraries' own tools) on the linked libraries, by role; `only` keeps those ids.
    public func programs(on libraries: LibraryRegistry, only: Set<String>? = nil) -> [EndpointRole: [ProgramOnLibrary]] {
        var programs: [EndpointRole: [ProgramOnLibrary]] = [:]
        for role in [EndpointRole.server, .client] {
            for plugin in libraries.plugins {
                for adapter in self.programs(playing: role, on: plugin) where only?.contains(adapter.id) ?? true {
                    let command = adapter.command(for: role)!
                    programs[role, default: []].append(
                        ProgramOnLibrary(
                            library: plugin.library, endpoint: adapter.id,
                            protocols: Set(command.versions.keys).union(command.unsupported.keys)))
                }
            }
        }
        return programs
    }
}
