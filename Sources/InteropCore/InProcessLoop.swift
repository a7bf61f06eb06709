/// One thread, one `poll`: drives every participant of a cell until all are done or the deadline passes.
public struct InProcessLoop {
    public enum Ending: Sendable, Equatable {
        case completed
        /// The deadline passed with these participants still busy.
        case deadlineExpired
        /// Every participant waited on an in-memory condition no one could satisfy: a deadlock, found at once.
        case stalled
    }

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
            // In-memory conditions are checked directly; sockets are polled, without waiting if a condition is met.
            let conditionReady = participants.indices.filter { index in
                if case .condition(let isReady)? = waits[index] { return isReady() }
                return false
            }
            let polled = participants.indices.filter { waits[$0]?.isSocketEvent == true }
            if conditionReady.isEmpty && polled.isEmpty {
                // Nothing can change any more: every participant waits on an in-memory condition that no one will
                // satisfy. Report it now instead of sleeping until the deadline.
                participants.forEach { $0.expire(reason: "stalled") }
                return .stalled
            }
            let timeout = conditionReady.isEmpty ? milliseconds(remaining) : 0
            let ready = polled.isEmpty ? [] : Poller.wait(for: polled.map { waits[$0]! }, timeoutMilliseconds: timeout)
            let runnable = (conditionReady + zip(polled, ready).filter(\.1).map(\.0)).sorted()
            for index in runnable {
                waits[index] = participants[index].advance()
            }
        }
    }

    private func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}
