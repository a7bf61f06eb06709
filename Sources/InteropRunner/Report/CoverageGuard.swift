import Glibc
import InteropCore

/// A cell of the baseline that this run lost: no longer selected at all, or turned not applicable.
public struct CoverageLoss: Sendable, Equatable {
    public var id: String
    /// What happened, e.g. "no longer run (was passed)" or "not applicable now: … (was divergent)".
    public var summary: String
    /// The reason `fixtures/coverage.yaml` gives when it allows this loss; unexcused losses fail the run.
    public var allowedBecause: String?
}

/// Compares a run's coverage with a baseline's, cell by cell: a run must not quietly get smaller. Only cells the
/// run could have selected are compared (a baseline of every cell against a run of `--filter A` loses nothing), and
/// the selection is what the options say rather than what the catalogue still holds, so a scenario file deleted
/// or an endpoint adapter gone shows as lost cells.
public enum CoverageGuard {
    /// - Parameters:
    ///   - selected: every cell id the run selected (for a shard, the whole selection before it was cut); nil when
    ///     unknown (a shard's results read alone), which leaves vanished cells unchecked.
    ///   - inScope: whether the run's options could select a baseline cell.
    public static func losses(
        baseline: ResultsDocument, current: ResultsDocument, selected: Set<String>?,
        inScope: (ResultsDocument.CellRecord) -> Bool = { _ in true }, allowed: CoverageExceptions = .none
    ) -> [CoverageLoss] {
        let now = Dictionary(current.cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var losses: [CoverageLoss] = []
        for cell in baseline.cells where inScope(cell) && cell.status != .interrupted {
            var summary: String?
            if let later = now[cell.id] {
                if later.status == .skipped && cell.status != .skipped {
                    summary = "not applicable now: \(Coverage.reason(later.message)) (was \(cell.status.rawValue))"
                }
            } else if let selected, !selected.contains(cell.id) {
                summary = "no longer run (was \(cell.status.rawValue))"
            }
            if let summary {
                losses.append(CoverageLoss(id: cell.id, summary: summary, allowedBecause: allowed.reason(for: cell.id)))
            }
        }
        return losses
    }
}

/// Losses a project has decided to accept, each with its reason (`fixtures/coverage.yaml`): cell-id patterns in
/// shell glob syntax, where `*` also crosses the `/` between an id's parts.
public struct CoverageExceptions: Sendable {
    public struct Allowed: Sendable {
        public var cells: String
        public var reason: String
    }

    public var allowed: [Allowed]

    public static let none = CoverageExceptions(allowed: [])

    public func reason(for id: String) -> String? {
        allowed.first { fnmatch($0.cells, id, 0) == 0 }?.reason
    }

    /// Reads `file` when it exists (no file: no exceptions); unknown fields and empty reasons are refused.
    public static func load(file: String, libraries: LibraryRegistry) throws(ConfigurationError) -> CoverageExceptions {
        var status = stat()
        guard stat(file, &status) == 0 else { return .none }
        return try FixtureDecoding.decode(CoverageExceptionsFile.self, file: file, libraries: libraries).exceptions
    }
}

struct CoverageExceptionsFile: Decodable {
    var exceptions: CoverageExceptions

    init(from decoder: any Decoder) throws {
        let document = try FixtureReader(decoder, allowing: ["allowedLosses"])
        var allowed: [CoverageExceptions.Allowed] = []
        if document.has("allowedLosses") {
            allowed = try document.each("allowedLosses") { entry -> CoverageExceptions.Allowed in
                try entry.allowOnly(["cells", "reason"])
                let reason = try entry.string("reason")
                guard !reason.isEmpty else { throw entry.error("reason", "is empty; say why these cells may be lost") }
                return CoverageExceptions.Allowed(cells: try entry.string("cells"), reason: reason)
            }
        }
        exceptions = CoverageExceptions(allowed: allowed)
    }
}
