/// One thread, one `poll`: drives every participant of a cell until all are done or the deadline passes.
public struct InProcessLoop {
    public enum Ending: Sendable, Equatable {
        case completed
        /// The deadline passed with these participants still busy.
        case deadlineExpired
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
                participants.forEach { $0.expire() }
                return .deadlineExpired
            }
            let polled = participants.indices.filter { waits[$0] != nil }
            let ready = Poller.wait(for: polled.map { waits[$0]! }, timeoutMilliseconds: milliseconds(remaining))
            for (position, index) in polled.enumerated() where ready[position] {
                waits[index] = participants[index].advance()
            }
        }
    }

    private func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}
