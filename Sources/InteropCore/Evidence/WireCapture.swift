import Synchronization

/// What an in-memory link carried, in order and with when: every byte each end handed the other, FIN and RST on a
/// byte stream, every datagram sent (with what the link's faults did to it). A capture on loopback would have
/// shown the same; `PcapngWriter` turns it into one Wireshark reads.
public final class WireCapture: @unchecked Sendable {
    public enum Sender: Sendable { case client, server }

    public enum Content: Sendable {
        case bytes([UInt8])
        case finish
        case reset
        case datagram([UInt8])
    }

    public struct Segment: Sendable {
        /// Which connection of the cell (1 for the first client), as several clients make several links.
        public var link: Int
        public var sender: Sender
        public var content: Content
        /// Microseconds since the epoch.
        public var time: UInt64
        /// What the harness did to it (a datagram dropped, duplicated, corrupted, reordered), for the packet's comment.
        public var note: String?
    }

    public let isDatagram: Bool
    private struct State {
        var kept: [Segment] = []
        var bytes = 0
        var droppedBytes = 0
    }
    private let state = Mutex(State())
    public static let limit = 8 << 20

    public init(isDatagram: Bool) {
        self.isDatagram = isDatagram
    }

    public var segments: [Segment] { state.withLock { $0.kept } }
    /// Bytes not kept once `limit` was reached (a bulk cell's megabytes are not evidence anyone opens).
    public var droppedBytes: Int { state.withLock { $0.droppedBytes } }

    /// Frees what was kept, once written (or not wanted): the report keeps every cell's result.
    public func discard() { state.withLock { $0 = State() } }

    func record(link: Int, sender: Sender, _ content: Content, note: String? = nil) {
        let time = WallClock.microseconds
        let size: Int
        switch content {
        case .bytes(let data), .datagram(let data): size = data.count
        case .finish, .reset: size = 0
        }
        state.withLock { state in
            guard state.bytes + size <= Self.limit else {
                state.droppedBytes += size
                return
            }
            state.bytes += size
            state.kept.append(Segment(link: link, sender: sender, content: content, time: time, note: note))
        }
    }
}

/// One end's view into a cell's capture: the link and the side it sends from.
struct CaptureTap {
    let capture: WireCapture
    let link: Int
    let sender: WireCapture.Sender

    func record(_ content: WireCapture.Content, note: String? = nil) {
        capture.record(link: link, sender: sender, content, note: note)
    }
}
