import Foundation
import InteropCore

/// Runs the selected cells one after another.
public struct MatrixRunner: Sendable {
    public var runner: any CellRunning
    public var seed: UInt64
    /// Cells with randomized faults run with seeds `seed`, `seed + 1`, … up to this many, stopping at the first failure.
    public var seedCount: Int
    /// Every cell runs this many times with the same seed; differing outcomes make it fail as flaky.
    public var repeatCount: Int
    /// Cells run at once, each on its own thread (cells share nothing but the libraries, which are thread-safe).
    public var jobs: Int
    /// The run's libraries: what the reports list, and what tells which cells are not applicable at once.
    public var libraries: LibraryRegistry
    /// What the reproduce commands say besides each cell's id and seed.
    public var options: RunOptions = .defaults

    public init(
        runner: any CellRunning, libraries: LibraryRegistry, seed: UInt64, seedCount: Int = 1, repeatCount: Int = 1, jobs: Int = 1
    ) {
        self.runner = runner
        self.libraries = libraries
        self.seed = seed
        self.seedCount = max(1, seedCount)
        self.repeatCount = max(1, repeatCount)
        self.jobs = max(1, jobs)
    }

    /// Runs the cells in order; `shouldStop` is asked before each one (an interrupted run keeps what it has).
    public func run(
        _ cells: [Cell], shouldStop: () -> Bool = { false }, progress: (CellResult, Int) -> Void = { _, _ in }
    ) -> RunReport {
        let started = Date()
        let clock = ContinuousClock()
        let begin = clock.now
        var interrupted = false
        var results: [CellResult] = []
        if jobs == 1 {
            for cell in cells {
                if shouldStop() {
                    interrupted = true
                    break
                }
                var result = runAcrossSeeds(cell)
                if shouldStop() || RunInterruption.signal != nil { result = CellVerdict.interrupted(result) }
                results.append(result)
                progress(result, results.count)
            }
        } else {
            (results, interrupted) = runInParallel(cells, shouldStop: shouldStop, progress: progress)
        }
        var report = RunReport(
            results: results, libraries: libraries.reported, seed: seed, startedAt: started,
            duration: begin.duration(to: clock.now))
        if interrupted || shouldStop() {
            let finished = results.filter { $0.status != .interrupted }.count
            report.interruption = "interrupted after \(finished) of \(cells.count) cells"
        }
        return report
    }
}

extension MatrixRunner {
    /// Runs cells on `jobs` threads, the costliest first so the threads finish together; results come back in the
    /// cells' order, and `progress` is called one cell at a time. Cells of real programs (which spend their time
    /// waiting for a program to start or give up) have `jobs` threads of their own beside those, so that their
    /// waiting overlaps with the libraries' work instead of holding a job.
    func runInParallel(
        _ cells: [Cell], shouldStop: () -> Bool, progress: (CellResult, Int) -> Void
    ) -> ([CellResult], Bool) {
        let costs = cells.map { CellCost.estimate($0, libraries: libraries) }
        let order = cells.indices.sorted { costs[$0] > costs[$1] }
        let lanes = [order.filter { cells[$0].endpoint == nil }, order.filter { cells[$0].endpoint != nil }]
        let state = ParallelRunState(count: cells.count, lanes: lanes)
        let laneOfThread = lanes.enumerated().flatMap { lane, indices in Array(repeating: lane, count: min(jobs, indices.count)) }
        let threads = laneOfThread.map { lane in
            Thread { [self] in
                while let index = state.claim(lane: lane) {
                    let result = runAcrossSeeds(cells[index])
                    state.finish(index, state.stopped || RunInterruption.signal != nil ? CellVerdict.interrupted(result) : result)
                }
            }
        }
        threads.forEach { $0.stackSize = 8 << 20 }
        threads.forEach { $0.start() }
        var reported = 0
        var interrupted = false
        while reported < cells.count {
            for result in state.waitForFinished() {
                reported += 1
                progress(result, reported)
            }
            if shouldStop() {
                state.stop()
                interrupted = true
            }
            if state.allDone { break }
        }
        state.waitUntilIdle(threads: threads.count)
        let results = state.results.compactMap { $0 }
        return (results, interrupted || results.count < cells.count)
    }

    /// One cell over its seeds (randomized cells only), each seed repeated; the first failing run is the result.
    func runAcrossSeeds(_ cell: Cell) -> CellResult {
        var result = runEverySeed(cell)
        result.reproduceCommand = cell.reproduceCommand(seed: result.seed, options: options)
        return result
    }

    private func runEverySeed(_ cell: Cell) -> CellResult {
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
            if let flaky = CellVerdict.flaky(first: first, again: again, attempt: attempt, of: repeatCount) { return flaky }
        }
        var result = first
        result.message += " (\(repeatCount) identical runs)"
        return result
    }
}
