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

    public init(results: [CellResult], libraries: [ReportedLibrary], seed: UInt64, startedAt: Date, duration: Duration) {
        self.results = results
        self.libraries = libraries
        self.seed = seed
        self.startedAt = startedAt
        self.duration = duration
        self.hostname = ProcessInfo.processInfo.hostName
    }

    public var libraryVersions: [TLSLibrary: String] { libraries.versions }

    /// Every server × client pairing of the run's libraries, server first.
    public var pairings: [(server: ReportedLibrary, client: ReportedLibrary)] {
        libraries.flatMap { server in libraries.map { (server, $0) } }
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
    /// cells' order, and `progress` is called one cell at a time.
    func runInParallel(
        _ cells: [Cell], shouldStop: () -> Bool, progress: (CellResult, Int) -> Void
    ) -> ([CellResult], Bool) {
        let costs = cells.map { CellCost.estimate($0, libraries: libraries) }
        let order = cells.indices.sorted { costs[$0] > costs[$1] }
        let state = ParallelRunState(count: cells.count)
        let threads = (0..<min(jobs, cells.count)).map { _ in
            Thread { [self] in
                while let position = state.claim() {
                    let index = order[position]
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

/// The shared state of a parallel run: the next cell to claim, finished results, and a condition the main thread
/// waits on.
final class ParallelRunState: @unchecked Sendable {
    // Every field is read and written under `condition`'s lock.
    private let condition = NSCondition()
    private var next = 0
    private var finishedSinceReport: [CellResult] = []
    private var running = 0
    private(set) var results: [CellResult?]
    private var stopRequested = false
    private var exited = 0

    init(count: Int) {
        results = Array(repeating: nil, count: count)
    }

    func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard !stopRequested, next < results.count else {
            exited += 1
            condition.broadcast()
            return nil
        }
        next += 1
        running += 1
        return next - 1
    }

    var stopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopRequested
    }

    func finish(_ index: Int, _ result: CellResult) {
        condition.lock()
        results[index] = result
        finishedSinceReport.append(result)
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until some cell finished (or everything is over), returning what finished since the last call.
    func waitForFinished() -> [CellResult] {
        condition.lock()
        defer { condition.unlock() }
        while finishedSinceReport.isEmpty && !(running == 0 && (next >= results.count || stopRequested)) {
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
        }
        let finished = finishedSinceReport
        finishedSinceReport = []
        return finished
    }

    var allDone: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running == 0 && (next >= results.count || stopRequested) && finishedSinceReport.isEmpty
    }

    func stop() {
        condition.lock()
        stopRequested = true
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilIdle(threads: Int) {
        condition.lock()
        while exited < threads || running > 0 { _ = condition.wait(until: Date().addingTimeInterval(0.2)) }
        condition.unlock()
    }
}

/// A static guess at what a cell costs, so long cells start first when cells run in parallel.
enum CellCost {
    static func estimate(_ cell: Cell, libraries: LibraryRegistry) -> Double {
        // A cell the linked libraries cannot run is skipped at once (on OpenSSL 3.0, every QUIC cell).
        if CellPlan(cell: cell, seed: 1, credentials: .standard(in: "."), libraries: libraries).notApplicableReason != nil {
            return 0.1
        }
        var cost = 1.0
        switch cell.mode {
        case .inProcess: break
        case .outOfProcess: cost += 6
        case .externalServer, .externalClient: cost += 10
        }
        let scenario = cell.scenario
        cost += Double(scenario.payloadSize + scenario.serverPayloadSize) / 20_000
        if cell.protocolVersion.isDatagram && scenario.dtlsInitialTimeout(scenario.client) == nil { cost += 5 }
        if scenario.id == "A4n" && cell.protocolVersion.isDatagram { cost += 200 }
        // QUIC: 0.1–0.3 s per cell on loopback; a lost flight costs a probe timeout of about 1 s.
        if cell.protocolVersion.isQUIC { cost += scenario.hasDatagramFaults ? 200 : 30 }
        return cost
    }
}
