import Foundation
import Glibc
import InteropCore

/// `reports/results.json`: one record per cell with its neutral and raw outcomes, in a versioned schema so that a
/// later run can compare itself with it (`--baseline`, `tls-interop diff`).
public struct ResultsDocument: Codable, Sendable {
    /// Bumped whenever a field changes meaning; readers refuse other versions.
    public static let currentSchemaVersion = 1

    public struct CellRecord: Codable, Sendable {
        public var id: String
        public var name: String
        public var scenario: String
        public var family: String
        public var server: TLSLibrary
        public var client: TLSLibrary
        public var protocolVersion: ProtocolVersion
        public var mode: ExecutionMode
        public var status: CellStatus
        public var message: String
        public var seed: UInt64
        public var durationMilliseconds: Double
        public var reproduce: String
        public var ending: LoopEnding
        /// Every observed field, in its neutral textual form.
        public var observed: [String: String]
        public var checks: [CheckRecord]
        public var divergence: String?
        public var serverConnections: [ConnectionRecord]
        public var clients: [ConnectionRecord]
        public var peerOutput: [String]
        /// What a report shows about the scenario and the divergence beside the ids, so that every report can be
        /// rendered from results alone (`merge`, `versions`), without the fixtures. Absent in older files.
        public var scenarioName: String?
        public var familyTitle: String?
        public var description: String?
        public var divergenceDetail: DivergenceRecord?
        /// External modes: the real program that stood for one side (an endpoint adapter's id); absent for the
        /// libraries' own tools and in older files.
        public var endpoint: String? = nil
        /// The cell's capture and key log under the reports folder, when the run kept them.
        public var evidence: EvidenceFiles? = nil
    }

    /// A documented divergence as the cell met it (joined divergences as one).
    public struct DivergenceRecord: Codable, Sendable {
        public var reason: String
        public var raw: String
        public var reference: String
        public var observed: [String: String]
    }

    public struct CheckRecord: Codable, Sendable {
        public var field: String
        public var expected: String
        public var observed: String
        public var passed: Bool
        /// True only for a check nobody could see (a target server's side); absent otherwise.
        public var notObservable: Bool?

        /// `ok`, `MISMATCH` or `not observable`, as reports mark it.
        public var mark: String { notObservable == true ? "not observable" : passed ? "ok" : "MISMATCH" }
    }

    /// Which part of a sharded selection these results are.
    public struct ShardInfo: Codable, Sendable, Equatable {
        public var index: Int
        public var total: Int
        /// How many cells the whole selection has, and a digest of their ids.
        public var selectionCells: Int
        public var selectionDigest: String

        public init(index: Int, total: Int, selectionCells: Int, selectionDigest: String) {
            self.index = index
            self.total = total
            self.selectionCells = selectionCells
            self.selectionDigest = selectionDigest
        }
    }

    /// The harness's own version; merging refuses results from different versions.
    public static let toolVersion = "tls-interop 1 (results schema \(currentSchemaVersion))"

    public var schemaVersion: Int
    public var tool: String
    public var shard: ShardInfo?
    public var libraries: [String: String]
    public var seed: UInt64
    public var startedAt: Date
    public var durationSeconds: Double
    public var hostname: String
    /// The commit and branch the run was made from (`tls-interop history` keys runs by them).
    public var source: RunSource?
    public var interrupted: String?
    /// Planned, ran and not applicable by reason (results written before the coverage guard have none).
    public var coverage: Coverage?
    public var cells: [CellRecord]

    public init(_ report: RunReport) {
        schemaVersion = Self.currentSchemaVersion
        tool = Self.toolVersion
        shard = report.shard
        libraries = Dictionary(uniqueKeysWithValues: report.libraryVersions.map { ($0.key.rawValue, $0.value) })
        seed = report.seed
        startedAt = report.startedAt
        durationSeconds = Self.seconds(report.duration)
        hostname = report.hostname
        source = report.source
        interrupted = report.interruption
        coverage = report.coverage
        cells = report.results.map(CellRecord.init)
    }

    /// The document as results.json keeps it: whole traces for the cells a reader investigates (failed, divergent,
    /// interrupted, flaky, and those in `changed`, e.g. changed since a baseline), the head and tail of long traces
    /// for passed cells (`TraceSummary`), whose whole trace `tls-interop explain ID --rerun` prints. A default run's
    /// file was 6.7 MB with every trace whole.
    public func summarizingPassedTraces(except changed: Set<String> = []) -> ResultsDocument {
        var document = self
        for index in document.cells.indices where document.cells[index].status == .passed && !changed.contains(document.cells[index].id) {
            document.cells[index].serverConnections = document.cells[index].serverConnections.map(TraceSummary.summarized)
            document.cells[index].clients = document.cells[index].clients.map(TraceSummary.summarized)
        }
        return document
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `libraries` keyed by library again (unknown names, from a newer harness, are left out).
    public var libraryVersions: [TLSLibrary: String] {
        Dictionary(uniqueKeysWithValues: libraries.map { (TLSLibrary($0.key), $0.value) })
    }

    /// Compact JSON with one cell per line: half the size of indented JSON (a default run's was 11.8 MB), and still
    /// a file a person can grep cell by cell.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var header = self
        header.cells = []
        var text = String(decoding: try encoder.encode(header), as: UTF8.self)
        let lines = try cells.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        // Sorted keys put "cells" first, so its empty list is the first occurrence.
        if let empty = text.range(of: #""cells":[]"#) {
            text.replaceSubrange(empty, with: "\"cells\":[\n" + lines.joined(separator: ",\n") + "\n]")
        }
        return Data((text + "\n").utf8)
    }

    /// Twenty times a default run's file.
    static let maximumBytes = 256 << 20

    /// Reads a results file, refusing anything that is not this schema version, with the file named.
    public static func load(_ path: String) throws(ConfigurationError) -> ResultsDocument {
        // A device or FIFO given where a results file belongs would be read for ever.
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else { throw ConfigurationError("\(path): not a regular file") }
            guard status.st_size <= maximumBytes else {
                throw ConfigurationError("\(path): \(status.st_size) bytes; results files are read up to \(maximumBytes) bytes")
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("\(path): cannot read results file (missing or unreadable)")
        }
        struct Header: Decodable { var schemaVersion: Int? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw ConfigurationError("\(path): not a JSON results file")
        }
        guard header.schemaVersion == currentSchemaVersion else {
            throw ConfigurationError(
                "\(path): results schema version \(header.schemaVersion.map(String.init) ?? "missing"), this tool reads "
                    + "version \(currentSchemaVersion)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(ResultsDocument.self, from: data)
        } catch {
            throw ConfigurationError("\(path): results file does not match schema version \(currentSchemaVersion): \(error)")
        }
    }
}

extension CellStatus {
    var rank: Int {
        switch self {
        case .passed: 0
        case .skipped, .interrupted: 1
        case .divergent: 2
        case .failed: 3
        case .error: 4
        }
    }
}

extension ResultsDocument.CellRecord {
    /// A result as results.json records it.
    public init(_ result: CellResult) {
        self = ResultsDocument.CellRecord(
            id: result.cell.id, name: result.cell.displayName, scenario: result.cell.scenario.id,
            family: result.cell.scenario.family, server: result.cell.server, client: result.cell.client,
            protocolVersion: result.cell.protocolVersion, mode: result.cell.mode, status: result.status,
            message: result.message, seed: result.seed, durationMilliseconds: ResultsDocument.seconds(result.duration) * 1000,
            reproduce: result.reproduceCommand, ending: result.ending,
            observed: Dictionary(uniqueKeysWithValues: (result.observation?.values ?? [:]).map { ($0.key.rawValue, $0.value) }),
            checks: result.checks.map {
                ResultsDocument.CheckRecord(field: $0.field, expected: $0.expected, observed: $0.observed, passed: $0.passed, notObservable: $0.notObservable ? true : nil)
            },
            divergence: result.divergence?.id, serverConnections: result.serverConnections, clients: result.clients,
            peerOutput: result.peerOutput, scenarioName: result.cell.scenario.name,
            familyTitle: result.cell.scenario.familyTitle, description: result.cell.scenario.summary,
            divergenceDetail: result.divergence.map {
                ResultsDocument.DivergenceRecord(
                    reason: $0.reason, raw: $0.raw, reference: $0.reference,
                    observed: Dictionary(uniqueKeysWithValues: $0.observed.map { ($0.key.rawValue, $0.value) }))
            }, endpoint: result.cell.endpoint)
        evidence = result.evidence?.files
    }
}

/// Cells whose outcome changed between two results files: status, or any observed field.
public enum ResultsDiff {
    public struct Change: Sendable {
        public var id: String
        public var summary: String
    }

    /// How one cell's outcome changed, nil when it did not. The outcome is the verdict and every judged
    /// observation; informational counts (spurious waits, retransmissions under real timers) may vary without it.
    public static func change(from previous: ResultsDocument.CellRecord, to cell: ResultsDocument.CellRecord) -> String? {
        var parts: [String] = []
        if previous.status != cell.status { parts.append("status \(previous.status.rawValue) → \(cell.status.rawValue)") }
        let judged = Set(previous.checks.map(\.field)).union(cell.checks.map(\.field))
        for key in judged.sorted() where previous.observed[key] != cell.observed[key] {
            parts.append("\(key) \(previous.observed[key] ?? "-") → \(cell.observed[key] ?? "-")")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    public static func changes(from old: ResultsDocument, to new: ResultsDocument) -> [Change] {
        let before = Dictionary(old.cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [Change] = []
        for cell in new.cells {
            guard let previous = before[cell.id] else {
                changes.append(Change(id: cell.id, summary: "new cell: \(cell.status.rawValue)"))
                continue
            }
            if let summary = change(from: previous, to: cell) { changes.append(Change(id: cell.id, summary: summary)) }
        }
        for cell in old.cells where after[cell.id] == nil {
            changes.append(Change(id: cell.id, summary: "cell no longer run (was \(cell.status.rawValue))"))
        }
        return changes
    }
}
