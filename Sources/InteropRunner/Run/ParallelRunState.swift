import Foundation

/// The shared state of a parallel run: the cells still to claim in each lane (a queue of cell indices that its
/// own threads work through), finished results, and a condition the main thread waits on.
final class ParallelRunState: @unchecked Sendable {
    // Every field is read and written under `condition`'s lock.
    private let condition = NSCondition()
    private let lanes: [[Int]]
    private var next: [Int]
    private var finishedSinceReport: [CellResult] = []
    private var running = 0
    private(set) var results: [CellResult?]
    private var stopRequested = false
    private var exited = 0

    /// `lanes`: every cell index exactly once, each lane in the order its threads take them.
    init(count: Int, lanes: [[Int]]) {
        results = Array(repeating: nil, count: count)
        self.lanes = lanes
        next = lanes.map { _ in 0 }
    }

    private var everythingClaimed: Bool {
        zip(lanes, next).allSatisfy { $1 >= $0.count }
    }

    /// The next cell of `lane`, or nil when the lane is done or the run stopped (the thread then exits).
    func claim(lane: Int) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard !stopRequested, next[lane] < lanes[lane].count else {
            exited += 1
            condition.broadcast()
            return nil
        }
        next[lane] += 1
        running += 1
        return lanes[lane][next[lane] - 1]
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
        while finishedSinceReport.isEmpty && !(running == 0 && (everythingClaimed || stopRequested)) {
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
        }
        let finished = finishedSinceReport
        finishedSinceReport = []
        return finished
    }

    var allDone: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running == 0 && (everythingClaimed || stopRequested) && finishedSinceReport.isEmpty
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
