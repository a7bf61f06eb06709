/// A `ByteTransport` over a real socket: `recv`/`send`, EAGAIN as "would block", 0 as end of stream, plus writes
/// refused on request. Without injected refusals it behaves exactly like the library's own socket I/O.
public final class InterposedTransport: ByteTransport {
    public typealias CallbackStyle = TransportCallbackStyle

    public let socket: SocketDescriptor
    public let style: TransportCallbackStyle
    public var writeRefusalsPending = 0
    public private(set) var refusalRecord = RefusalRecord()
    public private(set) var sawEndOfStream = false
    public private(set) var bytesSent = 0

    public init(socket: SocketDescriptor, style: TransportCallbackStyle = .classic) {
        self.socket = socket
        self.style = style
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        switch socket.receive(into: buffer) {
        case .done(0):
            sawEndOfStream = true
            return .endOfStream
        case .done(let count):
            return .transferred(count)
        case .wouldBlock:
            refuse(.read, injected: false)
            return .wouldBlock
        case .failed(let code):
            return .failed(code)
        }
    }

    public func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        if writeRefusalsPending > 0 {
            writeRefusalsPending -= 1
            refuse(.write, injected: true)
            return .wouldBlock
        }
        switch socket.send(bytes) {
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
