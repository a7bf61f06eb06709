/// One wait a QUIC library's own timer bounded: when it began (microseconds since the epoch, so that both ends of a
/// cell line up, in one process or two), what the timer said (`SSL_get_event_timeout`, `ngtcp2_conn_get_expiry`;
/// nil when none was armed), and during which step.
public struct TimerWait: Sendable, Hashable, Codable {
    public var at: UInt64
    public var milliseconds: Double?
    public var step: String

    public init(at: UInt64, milliseconds: Double?, step: String) {
        self.at = at
        self.milliseconds = milliseconds
        self.step = step
    }

    /// When the timer ends, in microseconds since the epoch.
    public var deadline: UInt64? { milliseconds.map { at + UInt64(($0 * 1000).rounded()) } }
}
