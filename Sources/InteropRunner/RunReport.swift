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
    /// Set when a signal stopped the run early: the report holds only the cells that finished.
    public var interruption: String?
    public var plannedCells = 0

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
        count(.failed) == 0 && count(.error) == 0 && interruption == nil
    }
}

/// Runs the selected cells one after another.
public struct MatrixRunner: Sendable {
    public var runner: any CellRunning
    public var seed: UInt64
    /// Cells with randomized faults run with seeds `seed`, `seed + 1`, … up to this many, stopping at the first failure.
    public var seedCount: Int
    /// Every cell runs this many times with the same seed; differing outcomes make it fail as flaky.
    public var repeatCount: Int

    public init(runner: any CellRunning, seed: UInt64, seedCount: Int = 1, repeatCount: Int = 1) {
        self.runner = runner
        self.seed = seed
        self.seedCount = max(1, seedCount)
        self.repeatCount = max(1, repeatCount)
    }

    /// Runs the cells in order; `shouldStop` is asked before each one (an interrupted run keeps what it has).
    public func run(
        _ cells: [Cell], shouldStop: () -> Bool = { false }, progress: (CellResult, Int) -> Void = { _, _ in }
    ) -> RunReport {
        let started = Date()
        let clock = ContinuousClock()
        let begin = clock.now
        var results: [CellResult] = []
        var interrupted = false
        for cell in cells {
            if shouldStop() {
                interrupted = true
                break
            }
            let result = runAcrossSeeds(cell)
            results.append(result)
            progress(result, results.count)
        }
        var report = RunReport(
            results: results, libraryVersions: Backends.runtimeVersions, seed: seed, startedAt: started,
            duration: begin.duration(to: clock.now))
        if interrupted || shouldStop() {
            report.interruption = "interrupted after \(results.count) of \(cells.count) cells"
        }
        report.plannedCells = cells.count
        return report
    }
}

extension MatrixRunner {
    /// One cell over its seeds (randomized cells only), each seed repeated; the first failing run is the result.
    func runAcrossSeeds(_ cell: Cell) -> CellResult {
        let seeds = cell.scenario.isRandomized ? seedCount : 1
        var last: CellResult?
        for offset in 0..<seeds {
            let current = seed &+ UInt64(offset)
            var result = runRepeated(cell, seed: current)
            if result.status == .failed || result.status == .error {
                if seeds > 1 {
                    result.message = "first failing seed \(current) (seeds \(seed)…\(current &- 1) passed): " + result.message
                }
                return result
            }
            last = result
        }
        var result = last!
        if seeds > 1 && result.status != .skipped {
            result.message += " (seeds \(seed)…\(seed &+ UInt64(seeds - 1)))"
        }
        return result
    }

    /// Runs a cell `repeatCount` times with one seed; a cell whose observations differ between runs is flaky.
    func runRepeated(_ cell: Cell, seed: UInt64) -> CellResult {
        let first = runner.run(cell, seed: seed)
        guard repeatCount > 1, first.status != .skipped else { return first }
        for attempt in 2...repeatCount {
            let again = runner.run(cell, seed: seed)
            // Only judged observations: informational counts may vary between identical runs.
            let judged = Set(first.checks.map(\.field))
            let before = (first.observation?.values ?? [:]).filter { judged.contains($0.key.rawValue) }
            let after = (again.observation?.values ?? [:]).filter { judged.contains($0.key.rawValue) }
            if again.status != first.status || before != after {
                let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
                    .sorted().map { "\($0.rawValue): \(before[$0] ?? "-") → \(after[$0] ?? "-")" }
                var flaky = again
                flaky.status = .failed
                flaky.message = "flaky: run \(attempt) of \(repeatCount) with seed \(seed) differs from run 1 "
                    + "(\(first.status.rawValue) → \(again.status.rawValue)\(changed.isEmpty ? "" : "; " + changed.joined(separator: "; ")))"
                return flaky
            }
        }
        var result = first
        result.message += " (\(repeatCount) identical runs)"
        return result
    }
}
