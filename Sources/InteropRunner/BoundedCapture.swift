/// What a child printed on one stream, kept within a bound: the first `headLimit` bytes and the last `tailLimit`,
/// with a count of what was dropped between them, so a tool that prints gigabytes cannot exhaust the runner.
struct BoundedCapture {
    let headLimit: Int
    let tailLimit: Int
    private(set) var head: [UInt8] = []
    /// A ring of the latest bytes once the head is full; `tailStart` is where its oldest byte is.
    private var tail: [UInt8] = []
    private var tailStart = 0
    private(set) var totalBytes = 0

    init(headLimit: Int = 16 << 20, tailLimit: Int = 1 << 20) {
        self.headLimit = headLimit
        self.tailLimit = tailLimit
    }

    var droppedBytes: Int { totalBytes - head.count - tail.count }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        totalBytes += bytes.count
        let intoHead = min(bytes.count, headLimit - head.count)
        head.append(contentsOf: bytes[0..<intoHead])
        var rest = bytes[intoHead...]
        guard !rest.isEmpty, tailLimit > 0 else { return }
        if rest.count >= tailLimit {
            tail = Array(rest.suffix(tailLimit))
            tailStart = 0
            return
        }
        if tail.count < tailLimit {
            let room = min(rest.count, tailLimit - tail.count)
            tail.append(contentsOf: rest.prefix(room))
            rest = rest.dropFirst(room)
        }
        for byte in rest {
            tail[tailStart] = byte
            tailStart = (tailStart + 1) % tailLimit
        }
    }

    /// Everything kept, in order; a marker line stands where bytes were dropped.
    var bytes: [UInt8] {
        let latest = Array(tail[tailStart...] + tail[..<tailStart])
        guard droppedBytes > 0 else { return head + latest }
        return head + Array("\n[tls-interop: \(droppedBytes) bytes of output dropped here]\n".utf8) + latest
    }
}
