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
        head.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<intoHead]))
        var rest = UnsafeBufferPointer(rebasing: bytes[intoHead...])
        guard !rest.isEmpty, tailLimit > 0 else { return }
        if rest.count >= tailLimit {
            tail = Array(UnsafeBufferPointer(rebasing: rest[(rest.count - tailLimit)...]))
            tailStart = 0
            return
        }
        if tail.count < tailLimit {
            let room = min(rest.count, tailLimit - tail.count)
            tail.append(contentsOf: UnsafeBufferPointer(rebasing: rest[0..<room]))
            rest = UnsafeBufferPointer(rebasing: rest[room...])
        }
        // The ring is full: overwrite from the oldest byte on, in at most two copies.
        while !rest.isEmpty {
            let count = min(rest.count, tailLimit - tailStart)
            tail.withUnsafeMutableBytes { ring in
                UnsafeMutableRawBufferPointer(rebasing: ring[tailStart..<(tailStart + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: rest[0..<count])))
            }
            tailStart = (tailStart + count) % tailLimit
            rest = UnsafeBufferPointer(rebasing: rest[count...])
        }
    }

    /// Everything kept, in order; a marker line stands where bytes were dropped.
    var bytes: [UInt8] {
        let latest = Array(tail[tailStart...] + tail[..<tailStart])
        guard droppedBytes > 0 else { return head + latest }
        return head + Array("\n[tls-interop: \(droppedBytes) bytes of output dropped here]\n".utf8) + latest
    }
}
