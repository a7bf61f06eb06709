import Foundation

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
