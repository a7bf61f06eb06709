/// One direction of an in-memory link: what one end wrote and the other has not read yet.
final class MemoryPipe {
    private var bytes: [UInt8] = []
    private var head = 0
    let capacity: Int
    /// The writer sent FIN.
    var finished = false {
        didSet { if finished && !oldValue { tap?.record(.finish) } }
    }
    /// The writer reset the connection.
    var reset = false {
        didSet { if reset && !oldValue { tap?.record(.reset) } }
    }
    /// The cell's capture, when it keeps wire evidence: what the writer hands this pipe.
    var tap: CaptureTap?
    /// The reader closed; further bytes are discarded.
    var readerGone = false

    init(capacity: Int) {
        self.capacity = capacity
    }

    var available: Int { bytes.count - head }
    var space: Int { max(0, capacity - available) }

    func append(_ data: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: data)
        tap?.record(.bytes(Array(data)))
    }

    func take(into buffer: UnsafeMutableRawBufferPointer, limit: Int) -> Int {
        let count = min(limit, available, buffer.count)
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + head, byteCount: count)
        }
        head += count
        if head > 64 * 1024 && head * 2 > bytes.count {
            bytes.removeFirst(head)
            head = 0
        }
        return count
    }
}

/// One end of an in-memory link between two in-process endpoints. To the harness's socket-level steps it is a
/// `RawConnection` (FIN, RST, raw bytes, like TCP); to the TLS library it is a `ByteTransport` that applies a
/// seeded `FaultPlan`: refused calls, bytes released a few at a time, and writes held back while the peer has not
/// drained the link's capacity. Same seed, same plan, same calls: the same trace, byte for byte.
public final class MemoryConnection: RawConnection, ByteTransport {
    let inbound: MemoryPipe
    let outbound: MemoryPipe
    private var schedule: FaultSchedule
    public var plan: FaultPlan { schedule.plan }
    public var style: TransportCallbackStyle = .classic
    public var writeRefusalsPending = 0
    public private(set) var refusalRecord = RefusalRecord()
    public private(set) var sawEndOfStream = false
    public private(set) var isOpen = true
    /// Library calls per direction.
    public var calls: [TransportDirection: Int] { schedule.calls }
    /// The largest read the library was given.
    public private(set) var largestDelivery = 0

    init(inbound: MemoryPipe, outbound: MemoryPipe, plan: FaultPlan, seed: UInt64) {
        self.inbound = inbound
        self.outbound = outbound
        self.schedule = FaultSchedule(plan: plan, seed: seed)
    }

    public var fileDescriptor: Int32 { -1 }

    // MARK: ByteTransport (the library's I/O, with faults)

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        schedule.count(.read)
        if inbound.reset { return .failed(104) }
        if inbound.available > 0 && schedule.refuses(.read) {
            refuse(.read, injected: true)
            return .wouldBlock
        }
        guard inbound.available > 0 else {
            if inbound.finished {
                sawEndOfStream = true
                return .endOfStream
            }
            refuse(.read, injected: false)
            return .wouldBlock
        }
        let count = inbound.take(into: buffer, limit: schedule.readLimit())
        largestDelivery = max(largestDelivery, count)
        return .transferred(count)
    }

    public func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        schedule.count(.write)
        if outbound.reset || !isOpen { return .failed(32) }
        if schedule.refusesWrite(pending: &writeRefusalsPending) {
            refuse(.write, injected: true)
            return .wouldBlock
        }
        if outbound.readerGone { return .transferred(bytes.count) }
        let count = min(bytes.count, outbound.space, plan.maxWriteChunk ?? Int.max)
        guard count > 0 else {
            refuse(.write, injected: false)
            return .wouldBlock
        }
        outbound.append(UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
        return .transferred(count)
    }

    private func refuse(_ direction: TransportDirection, injected: Bool) {
        refusalRecord.refuse(direction, injected: injected)
    }

    // MARK: RawConnection (the harness's socket-level steps, without faults)

    public func readiness(_ direction: TransportDirection) -> Readiness {
        let inbound = inbound
        let outbound = outbound
        switch direction {
        case .read: return .condition { inbound.available > 0 || inbound.finished || inbound.reset }
        case .write: return .condition { outbound.space > 0 || outbound.readerGone || outbound.reset }
        }
    }

    public func wouldBlock(_ direction: TransportDirection) -> Bool {
        switch direction {
        case .read: inbound.available == 0 && !inbound.finished && !inbound.reset
        case .write: outbound.space == 0 && !outbound.readerGone
        }
    }

    public func receiveRaw(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        if inbound.reset { return .failed(104) }
        if inbound.available == 0 { return inbound.finished ? .endOfStream : .wouldBlock }
        return .transferred(inbound.take(into: buffer, limit: Int.max))
    }

    public func sendRaw(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        if outbound.reset || !isOpen { return .failed(32) }
        if outbound.readerGone { return .transferred(bytes.count) }
        outbound.append(bytes)
        return .transferred(bytes.count)
    }

    public func finishWriting() throws(SocketError) {
        outbound.finished = true
    }

    public func closeWithReset() throws(SocketError) {
        outbound.reset = true
        inbound.readerGone = true
        isOpen = false
    }

    public func close() {
        guard isOpen else { return }
        // As TCP does: unread bytes turn the close into a reset.
        if inbound.available > 0 { outbound.reset = true } else { outbound.finished = true }
        inbound.readerGone = true
        isOpen = false
    }
}

extension MemoryConnection {
    /// A dialer to `listener` whose byte-stream links hold `capacity` bytes per direction and carry these fault
    /// plans, each end seeded from `seed` and the link's number; with `capture`, every byte they carry is recorded.
    public static func dialer(
        to listener: InMemoryListener, capacity: Int = 256 * 1024, clientPlan: FaultPlan, serverPlan: FaultPlan,
        seed: UInt64, capture: WireCapture? = nil
    ) -> InMemoryDialer {
        InMemoryDialer(listener: listener) { number in
            let toServer = MemoryPipe(capacity: capacity)
            let toClient = MemoryPipe(capacity: capacity)
            toServer.tap = capture.map { CaptureTap(capture: $0, link: Int(number), sender: .client) }
            toClient.tap = capture.map { CaptureTap(capture: $0, link: Int(number), sender: .server) }
            return (
                MemoryConnection(
                    inbound: toClient, outbound: toServer, plan: clientPlan,
                    seed: FaultSchedule.seed(cellSeed: seed, link: number, role: .client)),
                MemoryConnection(
                    inbound: toServer, outbound: toClient, plan: serverPlan,
                    seed: FaultSchedule.seed(cellSeed: seed, link: number, role: .server))
            )
        }
    }
}
