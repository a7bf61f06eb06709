/// A `ByteTransport` over a real socket: `recv`/`send`, EAGAIN as "would block", 0 as end of stream, plus writes
/// refused on request and the endpoint's own `FaultPlan` (refused calls, short reads and writes), applied to its
/// own socket as the in-memory link applies it. Without faults it behaves exactly like the library's own socket I/O.
public final class InterposedTransport: ByteTransport {
    public typealias CallbackStyle = TransportCallbackStyle

    public let socket: SocketDescriptor
    public let style: TransportCallbackStyle
    public var writeRefusalsPending = 0
    public private(set) var refusalRecord = RefusalRecord()
    public private(set) var sawEndOfStream = false
    public private(set) var bytesSent = 0
    /// The largest read the library was given.
    public private(set) var largestDelivery = 0
    private var schedule: FaultSchedule
    /// Whether this transport injects faults of its own (an out-of-process endpoint's fault plan).
    public var injectsFaults: Bool { schedule.plan != .none }

    public init(socket: SocketDescriptor, style: TransportCallbackStyle = .classic, faults: FaultPlan = .none, seed: UInt64 = 0) {
        self.socket = socket
        self.style = style
        self.schedule = FaultSchedule(plan: faults, seed: seed)
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        schedule.count(.read)
        // As on the in-memory link, only a read that could have moved bytes is refused on purpose.
        if schedule.plan.readRefusals != .never && socket.pendingInputCount() > 0 && schedule.refuses(.read) {
            refuse(.read, injected: true)
            return .wouldBlock
        }
        let limited = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, schedule.readLimit())])
        switch socket.receive(into: limited) {
        case .done(0):
            sawEndOfStream = true
            return .endOfStream
        case .done(let count):
            largestDelivery = max(largestDelivery, count)
            return .transferred(count)
        case .wouldBlock:
            refuse(.read, injected: false)
            return .wouldBlock
        case .failed(let code):
            return .failed(code)
        }
    }

    public func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        schedule.count(.write)
        if schedule.refusesWrite(pending: &writeRefusalsPending) {
            refuse(.write, injected: true)
            return .wouldBlock
        }
        switch socket.send(UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, schedule.plan.maxWriteChunk ?? Int.max)])) {
        case .done(let count):
            bytesSent += count
            return .transferred(count)
        case .wouldBlock:
            refuse(.write, injected: false)
            return .wouldBlock
        case .failed(let code):
            return .failed(code)
        }
    }

    private func refuse(_ direction: TransportDirection, injected: Bool) {
        refusalRecord.refuse(direction, injected: injected)
    }
}
