/// What a library that does its own network I/O and keeps its own timers (OpenSSL QUIC) wants before its next call
/// can progress: `SSL_net_read_desired`, `SSL_net_write_desired` and `SSL_get_event_timeout`, as one value.
public struct NetworkInterest: Sendable, Hashable, CustomStringConvertible {
    public var wantsRead: Bool
    public var wantsWrite: Bool
    /// Time left until the library wants to be called whatever the socket does; nil for none (infinite).
    public var timer: Duration?
    /// The library's own calls behind the value, as the trace shows them, when they are not OpenSSL's.
    public var reading: String?

    public init(wantsRead: Bool, wantsWrite: Bool, timer: Duration?, reading: String? = nil) {
        self.wantsRead = wantsRead
        self.wantsWrite = wantsWrite
        self.timer = timer
        self.reading = reading
    }

    /// The wait on `socket`: writability if the library has datagrams it could not send, readability otherwise (a
    /// library that desires neither still needs the peer's next datagram to progress), ended early by the timer.
    public func readiness(on socket: Int32) -> Readiness {
        let event: Readiness = wantsWrite ? .writable(socket) : .readable(socket)
        guard let timer else { return event }
        // At least a millisecond: a timer reported as due now would otherwise spin the loop until it is handled.
        return .until(ContinuousClock.now.advanced(by: max(timer, .milliseconds(1))), event)
    }

    public var description: String {
        if let reading { return reading }
        let timerText = timer.map { "\(Self.milliseconds($0)) ms" } ?? "infinite"
        return "net_read_desired=\(wantsRead ? 1 : 0) net_write_desired=\(wantsWrite ? 1 : 0) event_timeout=\(timerText)"
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
