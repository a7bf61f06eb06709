/// One direction of an in-memory link: what one end wrote and the other has not read yet.
final class MemoryPipe {
    private var bytes: [UInt8] = []
    private var head = 0
    let capacity: Int
    /// The writer sent FIN.
    var finished = false
    /// The writer reset the connection.
    var reset = false
    /// The reader closed; further bytes are discarded.
    var readerGone = false

    init(capacity: Int) {
        self.capacity = capacity
    }

    var available: Int { bytes.count - head }
    var space: Int { max(0, capacity - available) }

    func append(_ data: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: data)
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
    public var plan: FaultPlan
    public var style: TransportCallbackStyle = .classic
    public var writeRefusalsPending = 0
    public private(set) var refusals: [TransportDirection: Int] = [:]
    public private(set) var injectedRefusals: [TransportDirection: Int] = [:]
    public private(set) var lastRefusal: TransportDirection?
    public private(set) var sawEndOfStream = false
    public private(set) var isOpen = true
    /// Library calls per direction, and the largest read the library was given.
    public private(set) var calls: [TransportDirection: Int] = [:]
    public private(set) var largestDelivery = 0
    public private(set) var bytesDelivered = 0
    private var generator: SeededGenerator

    init(inbound: MemoryPipe, outbound: MemoryPipe, plan: FaultPlan, seed: UInt64) {
        self.inbound = inbound
        self.outbound = outbound
        self.plan = plan
        self.generator = SeededGenerator(seed: seed)
    }

    public var fileDescriptor: Int32 { -1 }

    // MARK: ByteTransport (the library's I/O, with faults)

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        calls[.read, default: 0] += 1
        if inbound.reset { return .failed(104) }
        if inbound.available > 0 && shouldRefuse(.read) {
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
        let count = inbound.take(into: buffer, limit: plan.maxReadChunk ?? Int.max)
        largestDelivery = max(largestDelivery, count)
        bytesDelivered += count
        return .transferred(count)
    }

    public func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        calls[.write, default: 0] += 1
        if outbound.reset || !isOpen { return .failed(32) }
        if writeRefusalsPending > 0 {
            writeRefusalsPending -= 1
            refuse(.write, injected: true)
            return .wouldBlock
        }
        if shouldRefuse(.write) {
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

    private func shouldRefuse(_ direction: TransportDirection) -> Bool {
        switch direction == .read ? plan.readRefusals : plan.writeRefusals {
        case .never: false
        case .everyNth(let count): calls[direction, default: 0] % count == 0
        case .probability(let value): Double(generator.next() >> 11) / Double(1 << 53) < value
        }
    }

    private func refuse(_ direction: TransportDirection, injected: Bool) {
        refusals[direction, default: 0] += 1
        if injected { injectedRefusals[direction, default: 0] += 1 }
        lastRefusal = direction
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

/// Accepts in-memory connections; a client "connects" by queueing the server end of a new link.
public final class MemoryListener: ConnectionListener {
    private var pending: [MemoryConnection] = []
    /// Bytes each direction of a link holds before writes block.
    public let capacity: Int

    public init(capacity: Int = 256 * 1024) {
        self.capacity = capacity
    }

    public func accept() throws(SocketError) -> (any RawConnection)? {
        pending.isEmpty ? nil : pending.removeFirst()
    }

    public var acceptReadiness: Readiness {
        .condition { [unowned self] in !self.pending.isEmpty }
    }

    /// A dialer whose links carry these plans, each end seeded from `seed`.
    public func dialer(clientPlan: FaultPlan, serverPlan: FaultPlan, seed: UInt64) -> MemoryDialer {
        MemoryDialer(listener: self, clientPlan: clientPlan, serverPlan: serverPlan, seed: seed)
    }

    fileprivate func enqueue(_ connection: MemoryConnection) {
        pending.append(connection)
    }
}

/// Opens in-memory links to a `MemoryListener`.
public final class MemoryDialer: ConnectionDialer {
    private let listener: MemoryListener
    private let clientPlan: FaultPlan
    private let serverPlan: FaultPlan
    private let seed: UInt64
    private var serverEnds: [ObjectIdentifier: MemoryConnection] = [:]
    private var opened: UInt64 = 0

    init(listener: MemoryListener, clientPlan: FaultPlan, serverPlan: FaultPlan, seed: UInt64) {
        self.listener = listener
        self.clientPlan = clientPlan
        self.serverPlan = serverPlan
        self.seed = seed
    }

    public func open() throws(SocketError) -> any RawConnection {
        opened += 1
        let toServer = MemoryPipe(capacity: listener.capacity)
        let toClient = MemoryPipe(capacity: listener.capacity)
        let base = seed &* 0x9E37_79B9 &+ opened &* 0x1000
        let client = MemoryConnection(inbound: toClient, outbound: toServer, plan: clientPlan, seed: base &+ 1)
        let server = MemoryConnection(inbound: toServer, outbound: toClient, plan: serverPlan, seed: base &+ 2)
        serverEnds[ObjectIdentifier(client)] = server
        return client
    }

    public func connect(_ connection: any RawConnection) throws(SocketError) -> Readiness? {
        guard let server = serverEnds.removeValue(forKey: ObjectIdentifier(connection)) else {
            throw SocketError("connect (memory link)", errno: 22)
        }
        listener.enqueue(server)
        return nil
    }

    public func connectError(_ connection: any RawConnection) -> Int32 { 0 }
}
