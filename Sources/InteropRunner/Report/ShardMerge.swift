import Foundation
import InteropCore

/// Puts the results of a sharded run back together into one report, refusing anything that would make the
/// merged report lie: shards of different harness or library versions, seeds or selections, a shard missing or
/// given twice, a cell present twice.
public enum ShardMerge {
    public static func merge(_ paths: [String], libraries: LibraryRegistry) throws(ConfigurationError) -> RunReport {
        guard !paths.isEmpty else { throw ConfigurationError("merge: no results files given") }
        var documents: [(String, ResultsDocument)] = []
        for path in paths { documents.append((path, try ResultsDocument.load(path))) }
        let (firstPath, first) = documents[0]
        guard let reference = first.shard else {
            throw ConfigurationError("\(firstPath): not the results of a shard (run with --shard K/N)")
        }
        var byIndex: [Int: String] = [:]
        for (path, document) in documents {
            guard let shard = document.shard else {
                throw ConfigurationError("\(path): not the results of a shard (run with --shard K/N)")
            }
            if document.tool != first.tool {
                throw ConfigurationError("\(path): made by \(document.tool), \(firstPath) by \(first.tool)")
            }
            if document.libraries != first.libraries {
                throw ConfigurationError(
                    "\(path): library versions \(describe(document.libraries)) differ from \(firstPath)'s \(describe(first.libraries))")
            }
            if document.seed != first.seed {
                throw ConfigurationError("\(path): seed \(document.seed) differs from \(firstPath)'s \(first.seed)")
            }
            if shard.total != reference.total || shard.selectionDigest != reference.selectionDigest {
                throw ConfigurationError(
                    "\(path): shard \(shard.index)/\(shard.total) of another selection than \(firstPath) (\(reference.index)/\(reference.total))")
            }
            if let earlier = byIndex[shard.index] {
                throw ConfigurationError("shard \(shard.index)/\(shard.total) given twice: \(earlier) and \(path)")
            }
            byIndex[shard.index] = path
        }
        let missing = (1...reference.total).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            throw ConfigurationError(
                "missing shard\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(reference.total)" }.joined(separator: ", "))")
        }
        var seen: [String: String] = [:]
        for (path, document) in documents {
            for cell in document.cells {
                if let earlier = seen[cell.id] {
                    throw ConfigurationError("cell \(cell.id) is in both \(earlier) and \(path)")
                }
                seen[cell.id] = path
            }
        }
        let ordered = documents.sorted { ($0.1.shard?.index ?? 0) < ($1.1.shard?.index ?? 0) }
        var results: [CellResult] = []
        for (_, document) in ordered {
            for record in document.cells { results.append(result(record)) }
        }
        let interruptions = documents.compactMap { $0.1.interrupted.map { "shard \($0)" } }
        if interruptions.isEmpty && results.count != reference.selectionCells {
            throw ConfigurationError("the shards hold \(results.count) cells, the selection has \(reference.selectionCells)")
        }
        let longest = documents.map(\.1.durationSeconds).max() ?? 0
        var report = RunReport(
            results: results, libraries: libraries.reported(versions: first.libraries), seed: first.seed,
            startedAt: documents.map(\.1.startedAt).min() ?? Date(), duration: .milliseconds(Int64(longest * 1000)))
        report.hostname = "merged from \(reference.total) shards"
        report.plannedCells = reference.selectionCells
        report.source = first.source
        if !interruptions.isEmpty { report.interruption = "interrupted (\(interruptions.joined(separator: ", ")))" }
        return report
    }

    private static func describe(_ libraries: [String: String]) -> String {
        libraries.sorted { $0.key < $1.key }.map(\.value).joined(separator: ", ")
    }

    /// A cell of a results file back as a result, from the file alone: the scenario as the report shows it and the
    /// divergence as the cell met it.
    static func result(_ record: ResultsDocument.CellRecord) -> CellResult {
        let scenario = Scenario.reported(
            id: record.scenario, family: record.family, familyTitle: record.familyTitle ?? record.family,
            name: record.scenarioName ?? "", summary: record.description ?? "")
        let cell = Cell(
            scenario: scenario, server: record.server, client: record.client, protocolVersion: record.protocolVersion,
            mode: record.mode, endpoint: record.endpoint)
        var observation = CellObservation(serverConnections: [], clients: [], payloadSize: 0)
        observation.values = [:]
        for (name, value) in record.observed { if let field = ObservedField(rawValue: name) { observation.values[field] = value } }
        let divergence = record.divergence.map { id in
            let detail = record.divergenceDetail
            var observed: [ObservedField: String] = [:]
            for (name, value) in detail?.observed ?? [:] { if let field = ObservedField(rawValue: name) { observed[field] = value } }
            return Divergence(
                id: id, scenario: record.scenario, server: nil, client: nil, protocolVersion: nil, observed: observed,
                raw: detail?.raw ?? "", reason: detail?.reason ?? "", reference: detail?.reference ?? "")
        }
        var result = CellResult(
            cell: cell, status: record.status, message: record.message,
            checks: record.checks.map {
                Check(field: $0.field, expected: $0.expected, observed: $0.observed, passed: $0.passed, notObservable: $0.notObservable == true)
            },
            divergence: divergence, serverConnections: record.serverConnections, clients: record.clients,
            observation: observation, seed: record.seed, duration: .milliseconds(Int64(record.durationMilliseconds)),
            deadlineExpired: record.ending != .completed)
        result.ending = record.ending
        result.peerOutput = record.peerOutput
        result.reproduceCommand = record.reproduce
        result.evidence = record.evidence.map(CellEvidence.init(written:))
        return result
    }
}
