import Foundation
import ArgumentParser
import InteropCore
import InteropRunner
import LibraryPlugins
extension ProtocolVersion: ExpressibleByArgument {}
extension EvidencePolicy: ExpressibleByArgument {}

/// What the options chose: this job's cells, the shard they are, and for the coverage guard every id of the
/// selection before the shard cut it and whether the options could choose a given earlier cell.
struct SelectedCells {
    var cells: [Cell]
    var shard: ResultsDocument.ShardInfo?
    var selectionIDs: Set<String>
    var couldSelect: @Sendable (ResultsDocument.CellRecord) -> Bool
}

/// The options that choose cells and where their inputs live, shared by `list` and `run`.
struct SelectionOptions: ParsableArguments {
    @Option(name: .long, help: "Scenario ids or family letters, comma separated (e.g. A4,H). Default: all.")
    var filter: [String] = []

    @Option(name: .long, help: "Server library (openssl, gnutls); repeatable. Default: every linked library.")
    var server: [String] = []

    @Option(name: .long, help: "Client library (openssl, gnutls); repeatable. Default: every linked library.")
    var client: [String] = []

    @Option(name: [.customLong("protocol")], help: "Protocol (tls1.3, tls1.2); repeatable. Default: all.")
    var protocolVersion: [ProtocolVersion] = []

    @Option(
        name: .long,
        help: "Modes: in-process, out-of-process, external (both directions against the libraries' CLIs), all; repeatable.")
    var mode: [String] = ["all"]

    @Option(
        name: .long,
        help: """
            HOST:PORT (on loopback) of a server you run: the Swift clients of both libraries play the client side of \
            every scenario against it (mode target-server); what only the server could show is reported as not \
            observable.
            """)
    var targetServer: String?

    @Option(
        name: .long,
        help: """
            A client command of yours, run by /bin/sh, against the Swift servers of both libraries (mode target-client): \
            {host}, {port}, {alpn} (comma separated, empty for none) and {ca} are filled in, the payload is on its stdin; \
            what only the client could show is reported as not observable.
            """)
    var targetClient: String?

    @Option(
        name: .long,
        help: """
            External modes: run only these endpoints (ids of fixtures/endpoints/*.yaml, e.g. lighttpd, curl; openssl and \
            gnutls are the libraries' own tools); repeatable. Default: all.
            """)
    var endpoint: [String] = []

    @Option(name: .long, help: "Run only part K of N of the selection (K/N); default from CI_NODE_INDEX/CI_NODE_TOTAL or TLS_INTEROP_SHARD.")
    var shard: String?

    @Option(name: .long, help: "A previous results.json whose cell timings balance the shards (a static estimate otherwise).")
    var timings: String?

    @Option(name: .long, help: "Directory holding scenarios/ and divergences.yaml.")
    var fixtures: String = "fixtures"

    /// The libraries this build links: the CLI is the composition root that hands them to everything else.
    var libraries: LibraryRegistry { .linked }

    var selection: CellSelection {
        CellSelection(
            filter: filter.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                .filter { !$0.isEmpty },
            servers: targetServer != nil ? [.target] : server.isEmpty ? libraries.libraries : server.map { TLSLibrary($0) },
            clients: targetClient != nil ? [.target] : client.isEmpty ? libraries.libraries : client.map { TLSLibrary($0) },
            protocols: protocolVersion.isEmpty ? ProtocolVersion.allCases : protocolVersion, modes: modes)
    }

    var modes: [ExecutionMode] {
        mode.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }.flatMap { name in
            switch name {
            case "all": targetServer != nil ? [.targetServer] : targetClient != nil ? [.targetClient] : ExecutionMode.builtIn
            case "external": [ExecutionMode.externalServer, .externalClient]
            default: ExecutionMode(rawValue: name).map { [$0] } ?? []
            }
        }
    }

    func validate() throws {
        for (option, names) in [("--server", server), ("--client", client)] {
            for name in names where libraries.library(named: name) == nil {
                throw ValidationError("\(option): unknown library '\(name)' (known: \(libraries.knownList))")
            }
        }
        let known = ["all", "external"] + ExecutionMode.builtIn.map(\.rawValue)
        for name in mode.flatMap({ $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
        where !known.contains(name) && !(name == ExecutionMode.targetServer.rawValue && targetServer != nil)
            && !(name == ExecutionMode.targetClient.rawValue && targetClient != nil)
        {
            throw ValidationError(
                "--mode: unknown mode '\(name)' (known: \(known.joined(separator: ", ")); target-server with --target-server, target-client with --target-client)")
        }
        if targetServer != nil && targetClient != nil {
            throw ValidationError("--target-server and --target-client: one of your endpoints at a time, against the Swift other side")
        }
        if targetClient != nil {
            guard modes == [.targetClient] else { throw ValidationError("--target-client runs mode target-client alone; leave --mode out") }
            guard client.isEmpty else { throw ValidationError("--target-client: the client is yours; leave --client out") }
            _ = try checkedTargetClient()
        }
        if let targetServer {
            guard modes == [.targetServer] else { throw ValidationError("--target-server runs mode target-server alone; leave --mode out") }
            guard server.isEmpty else { throw ValidationError("--target-server: the server is yours; leave --server out") }
            _ = try TargetAddress(targetServer)
        }
    }

    /// The selected cells, cut down to this job's shard when one is asked for; with the shard's description.
    /// Also every cell id of the selection before the shard cut it (the coverage guard's view of what was chosen).
    /// A selection or a shard with no cell is an error: a run of 0 cells passes, and nobody notices it.
    func shardedCells(from catalog: ScenarioCatalog) throws(ConfigurationError) -> SelectedCells {
        var selection = selection
        for id in (chosenEndpoints ?? []).sorted() where catalog.endpoints.adapter(id) == nil {
            throw ConfigurationError(
                "--endpoint: unknown endpoint '\(id)' (known: \(catalog.endpoints.adapters.map(\.id).joined(separator: ", ")))")
        }
        let only = chosenEndpoints
        selection.programs = catalog.endpoints.programs(on: libraries, only: only)
        selection.includesLibraryTools = only.map { ids in catalog.endpoints.adapters.contains { $0.libraryTools && ids.contains($0.id) } } ?? true
        let all = try selection.cells(from: catalog)
        guard !all.isEmpty else {
            throw ConfigurationError("the selection has no cell: \(chosenOptions.isEmpty ? "the catalogue is empty" : "no scenario runs with " + chosenOptions)")
        }
        let ids = Set(all.map(\.id))
        let chosen: Shard?
        if let shard {
            chosen = try Shard(parsing: shard, source: "--shard")
        } else {
            chosen = try Shard.fromEnvironment(ProcessInfo.processInfo.environment)
        }
        let (endpoints, chooser) = (chosenEndpoints, selection)
        let scope = { @Sendable (record: ResultsDocument.CellRecord) in chooser.couldSelect(record, endpoints: endpoints) }
        guard let chosen else { return SelectedCells(cells: all, shard: nil, selectionIDs: ids, couldSelect: scope) }
        var costs: [String: Double] = [:]
        if let timings {
            for cell in try ResultsDocument.load(timings).cells { costs[cell.id] = cell.durationMilliseconds }
        }
        let info = ResultsDocument.ShardInfo(
            index: chosen.index, total: chosen.total, selectionCells: all.count, selectionDigest: Shard.selectionDigest(all))
        let cells = chosen.cells(of: all, timings: costs, libraries: libraries)
        guard !cells.isEmpty else {
            throw ConfigurationError(
                "shard \(chosen.index)/\(chosen.total) (\(shard != nil ? "--shard" : "from the environment")) has no cell: the selection has "
                    + "\(all.count) cell\(all.count == 1 ? "" : "s"); use at most \(all.count) shards")
        }
        return SelectedCells(cells: cells, shard: info, selectionIDs: ids, couldSelect: scope)
    }

    /// The selecting options as given, e.g. `--filter A1 --protocol dtls1.2`, for errors about what they select.
    var chosenOptions: String {
        var words: [String] = []
        for value in filter { words += ["--filter", value] }
        for value in server { words += ["--server", value] }
        for value in client { words += ["--client", value] }
        for value in protocolVersion { words += ["--protocol", value.rawValue] }
        for value in mode where mode != ["all"] { words += ["--mode", value] }
        for value in endpoint { words += ["--endpoint", value] }
        if let targetServer { words += ["--target-server", targetServer] }
        if targetClient != nil { words += ["--target-client", "…"] }
        return words.joined(separator: " ")
    }

    /// The endpoint ids `--endpoint` names, nil for all.
    var chosenEndpoints: Set<String>? {
        let ids = Set(endpoint.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
        return ids.isEmpty ? nil : ids
    }

    func loadCatalog() throws(ConfigurationError) -> (ScenarioCatalog, DivergenceCatalog) {
        var scenarios = try ScenarioCatalog.load(directory: fixtures + "/scenarios", libraries: libraries)
        scenarios.endpoints = try EndpointCatalog.load(directory: fixtures + "/endpoints", libraries: libraries)
        let divergences = try DivergenceCatalog.load(file: fixtures + "/divergences.yaml", scenarios: scenarios, libraries: libraries)
        return (scenarios, divergences)
    }
}

extension SelectionOptions {
    /// `--target-client` when its program can run: the first word is an executable (a path, or a name on PATH).
    func checkedTargetClient() throws(ConfigurationError) -> String? {
        guard let command = targetClient else { return nil }
        guard let program = command.split(separator: " ").first.map(String.init), !program.isEmpty else {
            throw ConfigurationError("--target-client: the command is empty")
        }
        let candidates = program.contains("/") ? [program]
            : (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(program)" }
        guard candidates.contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ConfigurationError("--target-client: '\(program)' is not an executable (nor a program on PATH)")
        }
        return command
    }
}
