/// An in-memory datagram link: whole datagrams, no FIN and no reset, and per-endpoint drop, duplicate and reorder
/// faults on what each end sends. A closed end simply stops sending, as a vanished UDP peer does.
final class DatagramQueue {
    var datagrams: [[UInt8]] = []
    var held: [UInt8]?
    /// A datagram late by one poll (`lateByOnePoll`): its index, and whether the receiver's library has already looked
    /// once and missed it.
    var lateAt: Int?
    var lateMissed = false
    /// The cell's capture, when it keeps wire evidence: every datagram the sender sends, whatever its fate.
    var tap: CaptureTap?
}

public final class MemoryDatagramConnection: RawConnection, DatagramTransport {
    let inbound: DatagramQueue
    let outbound: DatagramQueue
    private var book: DatagramSendBook
    public var style: TransportCallbackStyle = .classic
    public var writeRefusalsPending = 0
    public private(set) var refusalRecord = RefusalRecord()
    public let sawEndOfStream = false
    public private(set) var isOpen = true
    public let peerIdentity: [UInt8]

    init(inbound: DatagramQueue, outbound: DatagramQueue, faults: DatagramFaults, seed: UInt64, peerIdentity: [UInt8]) {
        self.inbound = inbound
        self.outbound = outbound
        self.book = DatagramSendBook(faults: faults, seed: seed)
        self.peerIdentity = peerIdentity
    }

    public var fileDescriptor: Int32 { -1 }
    public var datagramLog: [DatagramLogEntry] { book.log }
    public var unfiredFaults: [Int] { book.unfired }
    public var unfiredMessageFaults: [DTLSMessage] { book.unfiredMessages }
    public var inTimeoutHandling: Bool {
        get { book.inTimeoutHandling }
        set { book.inTimeoutHandling = newValue }
    }

    /// How many datagrams the library finds when it looks at the link: a datagram late by one poll is missed by the
    /// first look that reaches it (it lands a moment after) and there at the next.
    private func look() -> Int {
        guard let late = inbound.lateAt else { return inbound.datagrams.count }
        if late == 0 && !inbound.lateMissed {
            inbound.lateMissed = true
            return 0
        }
        if late == 0 { inbound.lateAt = nil }
        return late == 0 ? inbound.datagrams.count : late
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        guard look() > 0 else {
            refusalRecord.refuse(.read, injected: false)
            return .wouldBlock
        }
        let datagram = inbound.datagrams.removeFirst()
        if let late = inbound.lateAt { inbound.lateAt = late - 1 }
        // As recv does on a datagram socket: one datagram per call, truncated to the buffer.
        let count = min(datagram.count, buffer.count)
        datagram.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        book.noteReceived()
        return .transferred(count)
    }

    public func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        guard isOpen else { return .failed(9) }
        if writeRefusalsPending > 0 {
            writeRefusalsPending -= 1
            refusalRecord.refuse(.write, injected: true)
            return .wouldBlock
        }
        let datagram = Array(bytes)
        let fate = datagram.withUnsafeBytes({ book.nextFate($0) })
        if let tap = outbound.tap {
            switch fate {
            case .delivered: tap.record(.datagram(datagram))
            case .corrupted: tap.record(.datagram(DatagramLogEntry.corrupted(datagram)), note: "corrupted by the harness (a fault)")
            default: tap.record(.datagram(datagram), note: "\(fate) by the harness (a fault)")
            }
        }
        switch fate {
        case .delivered:
            outbound.datagrams.append(datagram)
            releaseHeld()
        case .dropped:
            break
        case .corrupted:
            outbound.datagrams.append(DatagramLogEntry.corrupted(datagram))
            releaseHeld()
        case .duplicated:
            outbound.datagrams.append(datagram)
            outbound.datagrams.append(datagram)
            releaseHeld()
        case .reordered:
            releaseHeld()
            outbound.held = datagram
        case .lateByOnePoll:
            releaseHeld()
            outbound.lateAt = outbound.datagrams.count
            outbound.lateMissed = false
            outbound.datagrams.append(datagram)
        }
        return .transferred(bytes.count)
    }

    private func releaseHeld() {
        if let held = outbound.held {
            outbound.datagrams.append(held)
            outbound.held = nil
        }
    }

    public var hasInboundDatagram: Bool { look() > 0 }

    public func unreceive(_ datagram: [UInt8]) {
        inbound.datagrams.insert(datagram, at: 0)
        if let late = inbound.lateAt { inbound.lateAt = late + 1 }
    }

    public func readiness(_ direction: TransportDirection) -> Readiness {
        let inbound = inbound
        // The loop sees what has arrived; only the library's own look misses a late datagram once.
        return direction == .read ? .condition { !inbound.datagrams.isEmpty } : .condition { true }
    }

    public func wouldBlock(_ direction: TransportDirection) -> Bool {
        direction == .read && inbound.datagrams.isEmpty
    }

    public func receiveRaw(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        receive(into: buffer)
    }

    public func sendRaw(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        send(bytes)
    }

    public func finishWriting() throws(SocketError) {
        throw SocketError("FIN on a datagram link", errno: 95)
    }

    public func closeWithReset() throws(SocketError) {
        throw SocketError("RST on a datagram link", errno: 95)
    }

    public func close() {
        // A datagram held for reordering is still delivered: it was sent.
        releaseHeld()
        isOpen = false
    }
}

extension MemoryDatagramConnection {
    /// A dialer to `listener` whose datagram links apply these faults, each end seeded from `seed` and the link's
    /// number.
    public static func dialer(
        to listener: InMemoryListener, clientFaults: DatagramFaults, serverFaults: DatagramFaults, seed: UInt64,
        capture: WireCapture? = nil
    ) -> InMemoryDialer {
        InMemoryDialer(listener: listener) { number in
            let toServer = DatagramQueue()
            let toClient = DatagramQueue()
            toServer.tap = capture.map { CaptureTap(capture: $0, link: Int(number), sender: .client) }
            toClient.tap = capture.map { CaptureTap(capture: $0, link: Int(number), sender: .server) }
            let base = seed &* 0x9E37_79B9 &+ number &* 0x1000
            return (
                MemoryDatagramConnection(
                    inbound: toClient, outbound: toServer, faults: clientFaults, seed: base &+ 1, peerIdentity: [0x53]),
                MemoryDatagramConnection(
                    inbound: toServer, outbound: toClient, faults: serverFaults, seed: base &+ 2,
                    peerIdentity: [0x43, UInt8(truncatingIfNeeded: number)])
            )
        }
    }
}
