#if canImport(Glibc)
import Glibc
#endif

/// One thread, one `poll`: drives every participant of a cell until all are done or the deadline passes.
public struct InProcessLoop {
    public typealias Ending = LoopEnding

    /// The longest a poll waits, so that an interruption is seen promptly even when nothing else happens.
    static let interruptionCheckInterval = Duration.milliseconds(200)

    public var deadline: Duration

    public init(deadline: Duration) {
        self.deadline = deadline
    }

    public func run(_ participants: [any LoopParticipant]) -> Ending {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: deadline)
        let count = participants.count
        var waits: [Readiness?] = participants.map { $0.advance() }
        // Reused on every pass: this loop turns once per library call that had to wait, tens of thousands of times
        // in a bulk cell, so it allocates nothing and walks the participants with plain index loops.
        var runnable = [Bool](repeating: false, count: count)
        var polled: [Int] = []
        var descriptors: [pollfd] = []
        polled.reserveCapacity(count)
        descriptors.reserveCapacity(count)
        while true {
            var busy = false
            for index in 0..<count where waits[index] != nil && !participants[index].isSettled {
                busy = true
                break
            }
            if !busy { return .completed }
            let remaining = clock.now.duration(to: end)
            if remaining <= .zero {
                participants.forEach { $0.expire(reason: "deadline") }
                return .deadlineExpired
            }
            if RunInterruption.signal != nil {
                participants.forEach { $0.expire(reason: "interrupted") }
                return .interrupted
            }
            // In-memory conditions and timers are checked directly; sockets are polled, without waiting if
            // something is already runnable, and otherwise no longer than the nearest timer.
            let now = clock.now
            var anyRunnable = false
            var nearestTimer: ContinuousClock.Instant?
            polled.removeAll(keepingCapacity: true)
            descriptors.removeAll(keepingCapacity: true)
            for index in 0..<count {
                runnable[index] = false
                guard let wait = waits[index] else { continue }
                let timer = wait.timer
                if let timer {
                    nearestTimer = nearestTimer.map { min($0, timer) } ?? timer
                    if timer <= now { runnable[index] = true }
                }
                let event = wait.event
                if !runnable[index], case .condition(let isReady) = event, isReady() { runnable[index] = true }
                if runnable[index] { anyRunnable = true }
                if event.isSocketEvent {
                    polled.append(index)
                    descriptors.append(pollfd(fd: event.fileDescriptor, events: event.pollEvents, revents: 0))
                }
            }
            if !anyRunnable && polled.isEmpty && nearestTimer == nil {
                // Nothing can change any more: every participant waits on an in-memory condition that no one will
                // satisfy and no timer is armed. Report it now instead of sleeping until the deadline.
                participants.forEach { $0.expire(reason: "stalled") }
                return .stalled
            }
            var wait = min(remaining, Self.interruptionCheckInterval)
            if let nearestTimer { wait = min(wait, max(.zero, now.duration(to: nearestTimer))) }
            Poller.wait(&descriptors, timeoutMilliseconds: anyRunnable ? 0 : milliseconds(wait))
            for (position, index) in polled.enumerated() where descriptors[position].revents != 0 {
                runnable[index] = true
            }
            if nearestTimer != nil {
                let after = clock.now
                for index in 0..<count where waits[index]?.timer.map({ $0 <= after }) == true {
                    runnable[index] = true
                }
            }
            for index in 0..<count where runnable[index] {
                waits[index] = participants[index].advance()
            }
        }
    }

    private func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        // Round up, so that a timer is due when the poll returns.
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
