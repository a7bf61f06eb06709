import Foundation
import InteropCore

/// Any number of runs' `results.json` (CI artifacts, kept per commit) read as one history: per cell its outcome in
/// each run, the cells whose outcome changed, the cells that are flaky (their outcome changed between runs of the
/// same commit, library builds and seed: nothing else changed), and when each divergence appeared or went away.
public struct RunHistory: Sendable {
    public struct Run: Sendable {
        public var path: String
        public var document: ResultsDocument
        /// 1-based, oldest first, as the page and Markdown number runs.
        public var number: Int

        public var commit: String? { document.source?.commit }
        public var branch: String? { document.source?.branch }
        /// The library builds, e.g. "GnuTLS 3.7.9, OpenSSL 3.0.19 27 Jan 2026".
        public var builds: String { document.libraries.sorted { $0.key < $1.key }.map(\.value).joined(separator: ", ") }

        /// "#3 2026-12-01 17:13 · 37c76d1 · main".
        public var label: String {
            var parts = ["#\(number) " + RunHistory.minute(document.startedAt)]
            if let commit { parts.append(String(commit.prefix(7))) }
            if let branch { parts.append(branch) }
            return parts.joined(separator: " · ")
        }

        /// Runs with the same key differ in nothing but chance: a changed outcome between them is flakiness. A run
        /// of unknown commit has no such twin.
        var sameCodeKey: String? { commit.map { "\($0)|\(builds)|\(document.seed)" } }
    }

    /// A cell's outcome in one run: its status and, when divergent, which documented divergence.
    public struct Outcome: Sendable, Hashable {
        public var status: CellStatus
        public var divergence: String?

        public var text: String { divergence.map { "\(status.rawValue) \($0)" } ?? status.rawValue }
    }

    public struct CellLine: Sendable {
        public var id: String
        public var scenario: String
        public var family: String
        public var server: String
        public var client: String
        public var mode: String
        /// One entry per run, nil where the run did not have the cell.
        public var outcomes: [Outcome?]
        /// Set when the outcome changed between runs of the same code, builds and seed: the runs' numbers.
        public var flakyIn: [Int]

        public var changed: Bool { Set(outcomes.map { $0?.text ?? "-" }).count > 1 }

        /// "passed ×3 → divergent D8 ×2 → passed" (absent runs shown as "absent").
        public var sequence: String {
            var parts: [(String, Int)] = []
            for outcome in outcomes {
                let text = outcome?.text ?? "absent"
                if let last = parts.last, last.0 == text { parts[parts.count - 1].1 += 1 } else { parts.append((text, 1)) }
            }
            return parts.map { $0.1 > 1 ? "\($0.0) ×\($0.1)" : $0.0 }.joined(separator: " → ")
        }
    }

    /// A divergence seen on cells in one run and not the run before (appeared), or the reverse (went away).
    public struct DivergenceEvent: Sendable {
        public var divergence: String
        public var run: Int
        public var appeared: Bool
        public var cells: [String]
    }

    public var runs: [Run]
    public var cells: [CellLine]

    /// Reads every path: a results.json, a folder holding one, or a folder whose subfolders (three levels down, as
    /// CI artifacts unpack) hold them. Runs are ordered by start time; an unreadable file is an error naming it.
    public static func load(_ paths: [String]) throws(ConfigurationError) -> RunHistory {
        var files: [String] = []
        for path in paths { files += try resultsFiles(under: path) }
        guard !files.isEmpty else { throw ConfigurationError("history: no results.json under \(paths.joined(separator: ", "))") }
        var documents: [(String, ResultsDocument)] = []
        for file in files { documents.append((file, try ResultsDocument.load(file))) }
        documents.sort { $0.1.startedAt != $1.1.startedAt ? $0.1.startedAt < $1.1.startedAt : $0.0 < $1.0 }
        return RunHistory(documents.enumerated().map { Run(path: $0.element.0, document: $0.element.1, number: $0.offset + 1) })
    }

    init(_ runs: [Run]) {
        self.runs = runs
        var order: [String] = []
        var lines: [String: CellLine] = [:]
        for (index, run) in runs.enumerated() {
            for record in run.document.cells {
                if lines[record.id] == nil {
                    order.append(record.id)
                    lines[record.id] = CellLine(
                        id: record.id, scenario: record.scenario, family: record.family, server: record.server.rawValue,
                        client: record.client.rawValue, mode: record.mode.rawValue, outcomes: Array(repeating: nil, count: runs.count),
                        flakyIn: [])
                }
                lines[record.id]!.outcomes[index] = Outcome(status: record.status, divergence: record.divergence)
            }
        }
        let twins = Dictionary(grouping: runs.indices.filter { runs[$0].sameCodeKey != nil }) { runs[$0].sameCodeKey! }.values.filter { $0.count > 1 }
        for id in order {
            for group in twins {
                let seen = group.filter { lines[id]!.outcomes[$0] != nil }
                if Set(seen.map { lines[id]!.outcomes[$0]! }).count > 1 { lines[id]!.flakyIn += seen.map { runs[$0].number } }
            }
            lines[id]!.flakyIn.sort()
        }
        cells = order.map { lines[$0]! }
    }

    public var changedCells: [CellLine] { cells.filter(\.changed) }
    public var flakyCells: [CellLine] { cells.filter { !$0.flakyIn.isEmpty } }

    /// Between each run and the one before it: divergences that appeared on cells, or went away from them.
    public var divergenceEvents: [DivergenceEvent] {
        var events: [DivergenceEvent] = []
        for index in runs.indices.dropFirst() {
            var appeared: [String: [String]] = [:]
            var gone: [String: [String]] = [:]
            for cell in cells {
                let before = cell.outcomes[index - 1]?.divergence
                let after = cell.outcomes[index]?.divergence
                guard before != after else { continue }
                // A cell absent from one run neither gains nor loses a divergence; coverage reports that.
                guard cell.outcomes[index - 1] != nil, cell.outcomes[index] != nil else { continue }
                if let after { appeared[after, default: []].append(cell.id) }
                if let before { gone[before, default: []].append(cell.id) }
            }
            for (id, ids) in appeared.sorted(by: { $0.key < $1.key }) {
                events.append(DivergenceEvent(divergence: id, run: runs[index].number, appeared: true, cells: ids))
            }
            for (id, ids) in gone.sorted(by: { $0.key < $1.key }) {
                events.append(DivergenceEvent(divergence: id, run: runs[index].number, appeared: false, cells: ids))
            }
        }
        return events
    }

    static func minute(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return String(formatter.string(from: date).prefix(16))
    }

    private static func resultsFiles(under path: String) throws(ConfigurationError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigurationError("history: \(path): no such file or folder")
        }
        guard isDirectory.boolValue else { return [path] }
        var found: [String] = []
        func walk(_ folder: String, depth: Int) {
            let direct = folder + "/results.json"
            if FileManager.default.fileExists(atPath: direct) { found.append(direct); return }
            guard depth < 3, let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
            for entry in entries.sorted() where !entry.hasPrefix(".") {
                var sub: ObjCBool = false
                if FileManager.default.fileExists(atPath: folder + "/" + entry, isDirectory: &sub), sub.boolValue { walk(folder + "/" + entry, depth: depth + 1) }
            }
        }
        walk(path, depth: 0)
        guard !found.isEmpty else { throw ConfigurationError("history: \(path): holds no results.json (looked three folders down)") }
        return found
    }
}
