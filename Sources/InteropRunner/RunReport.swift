import Foundation
import InteropCore

/// A whole run: the cells' results and the context a reader needs to trust and reproduce them.
public struct RunReport: Sendable {
    public var results: [CellResult]
    public var libraryVersions: [TLSLibrary: String]
    public var seed: UInt64
    public var startedAt: Date
    public var duration: Duration
    public var hostname: String

    public init(results: [CellResult], libraryVersions: [TLSLibrary: String], seed: UInt64, startedAt: Date, duration: Duration) {
        self.results = results
        self.libraryVersions = libraryVersions
        self.seed = seed
        self.startedAt = startedAt
        self.duration = duration
        self.hostname = ProcessInfo.processInfo.hostName
    }

    public func count(_ status: CellStatus) -> Int {
        results.filter { $0.status == status }.count
    }

    /// True when every cell met its expectation or a documented divergence (skipped cells do not fail a run).
    public var succeeded: Bool {
        count(.failed) == 0 && count(.error) == 0
    }
}

/// Runs the selected cells one after another.
public struct MatrixRunner: Sendable {
    public var runner: InProcessCellRunner
    public var seed: UInt64

    public init(runner: InProcessCellRunner, seed: UInt64) {
        self.runner = runner
        self.seed = seed
    }

    public func run(_ cells: [Cell], progress: (CellResult, Int) -> Void = { _, _ in }) -> RunReport {
        let started = Date()
        let clock = ContinuousClock()
        let begin = clock.now
        var results: [CellResult] = []
        for cell in cells {
            let result = runner.run(cell, seed: seed)
            results.append(result)
            progress(result, results.count)
        }
        return RunReport(
            results: results, libraryVersions: Backends.runtimeVersions, seed: seed, startedAt: started,
            duration: begin.duration(to: clock.now))
    }
}
