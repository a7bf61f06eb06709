import Foundation
import InteropCore

/// A whole run: the cells' results and the context a reader needs to trust and reproduce them.
public struct RunReport: Sendable {
    public var results: [CellResult]
    /// The run's libraries, in the order reports list them, with the versions linked.
    public var libraries: [ReportedLibrary]
    public var seed: UInt64
    public var startedAt: Date
    public var duration: Duration
    public var hostname: String
    /// Set when a signal stopped the run early: the report holds only the cells that finished.
    public var interruption: String?
    /// Set when the run was one shard of a larger selection.
    public var shard: ResultsDocument.ShardInfo?
    /// The commit and branch the run was made from, when known.
    public var source: RunSource?
    /// The cells the run set out to run, when more than it reports (a signal stopped it); the results' count otherwise.
    public var plannedCells: Int?
    /// Set when the run was compared with a baseline: the baseline's cells it lost, allowed or not.
    public var coverageLosses: [CoverageLoss]?

    public init(results: [CellResult], libraries: [ReportedLibrary], seed: UInt64, startedAt: Date, duration: Duration) {
        self.results = results
        self.libraries = libraries
        self.seed = seed
        self.startedAt = startedAt
        self.duration = duration
        self.hostname = ProcessInfo.processInfo.hostName
    }

    public var libraryVersions: [TLSLibrary: String] { libraries.versions }

    public var coverage: Coverage { Coverage(results: results, planned: plannedCells) }

    /// The losses against the baseline that no fixture allows: each fails the run.
    public var unexcusedLosses: [CoverageLoss] { (coverageLosses ?? []).filter { $0.allowedBecause == nil } }

    /// Every server × client pairing of the run's libraries, server first.
    public var pairings: [(server: ReportedLibrary, client: ReportedLibrary)] {
        libraries.flatMap { server in libraries.map { (server, $0) } }
    }

    public func count(_ status: CellStatus) -> Int {
        results.filter { $0.status == status }.count
    }

    /// True when every cell met its expectation or a documented divergence (skipped cells do not fail a run).
    public var succeeded: Bool {
        count(.failed) == 0 && count(.error) == 0 && interruption == nil && unexcusedLosses.isEmpty
    }
}
