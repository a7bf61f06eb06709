/// A transport the harness places between a TLS library and its socket (an OpenSSL BIO method, GnuTLS push and
/// pull functions), so that it sees every read and write the library makes and can refuse some on purpose.
///
/// Without injected faults it behaves exactly like the socket: `recv`/`send`, EAGAIN as "would block", 0 as end of
/// stream. Every refusal is counted by direction, so a library's WANT_READ/WANT_WRITE or
/// `gnutls_record_get_direction` can be compared with what the transport really refused.
public final class InterposedTransport {
    public enum Direction: String, Sendable {
        case read
        case write
    }

    public enum Result: Sendable, Equatable {
        case transferred(Int)
        case wouldBlock
        case endOfStream
        case failed(Int32)
    }

    /// How an OpenSSL BIO method reports to OpenSSL (GnuTLS's push/pull functions have one convention only).
    public enum CallbackStyle: String, Sendable {
        /// `bread`/`bwrite`: a count or -1, as OpenSSL's own socket BIO does.
        case classic
        /// `read_ex`/`write_ex`: 1 or 0 with the size through a pointer.
        case extended
    }

    public let socket: SocketDescriptor
    public let style: CallbackStyle
    /// The next this-many writes are answered EAGAIN without touching the socket.
    public var writeRefusalsPending = 0
    public private(set) var refusals: [Direction: Int] = [:]
    public private(set) var injectedRefusals: [Direction: Int] = [:]
    public private(set) var lastRefusal: Direction?
    /// True once `recv` returned 0: what OpenSSL's `BIO_eof` must report.
    public private(set) var sawEndOfStream = false
    public private(set) var bytesReceived = 0
    public private(set) var bytesSent = 0

    public init(socket: SocketDescriptor, style: CallbackStyle = .classic) {
        self.socket = socket
        self.style = style
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> Result {
        switch socket.receive(into: buffer) {
        case .done(0):
            sawEndOfStream = true
            return .endOfStream
        case .done(let count):
            bytesReceived += count
            return .transferred(count)
        case .wouldBlock:
            refuse(.read, injected: false)
            return .wouldBlock
        case .failed(let code):
            return .failed(code)
        }
    }

    public func send(_ bytes: UnsafeRawBufferPointer) -> Result {
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

    private func refuse(_ direction: Direction, injected: Bool) {
        refusals[direction, default: 0] += 1
        if injected { injectedRefusals[direction, default: 0] += 1 }
        lastRefusal = direction
    }
}
