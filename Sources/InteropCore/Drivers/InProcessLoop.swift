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
        var waits: [Readiness?] = participants.map { $0.advance() }
        while true {
            let busy = participants.indices.filter { waits[$0] != nil && !participants[$0].isSettled }
            if busy.isEmpty { return .completed }
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
            let conditionReady = participants.indices.filter { index in
                guard let wait = waits[index] else { return false }
                if let timer = wait.timer, timer <= now { return true }
                if case .condition(let isReady) = wait.event { return isReady() }
                return false
            }
            let polled = participants.indices.filter { waits[$0]?.isSocketEvent == true }
            let nearestTimer = participants.indices.compactMap { waits[$0]?.timer }.min()
            if conditionReady.isEmpty && polled.isEmpty && nearestTimer == nil {
                // Nothing can change any more: every participant waits on an in-memory condition that no one will
                // satisfy and no timer is armed. Report it now instead of sleeping until the deadline.
                participants.forEach { $0.expire(reason: "stalled") }
                return .stalled
            }
            var wait = min(remaining, Self.interruptionCheckInterval)
            if let nearestTimer { wait = min(wait, max(.zero, now.duration(to: nearestTimer))) }
            let timeout = conditionReady.isEmpty ? milliseconds(wait) : 0
            let ready = Poller.wait(for: polled.map { waits[$0]!.event }, timeoutMilliseconds: timeout)
            var runnable = Set(conditionReady).union(zip(polled, ready).filter(\.1).map(\.0))
            let after = clock.now
            for index in participants.indices where waits[index]?.timer.map({ $0 <= after }) == true {
                runnable.insert(index)
            }
            for index in runnable.sorted() {
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
