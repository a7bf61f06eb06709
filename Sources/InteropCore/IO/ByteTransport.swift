/// A direction of transport I/O.
public enum TransportDirection: String, Sendable, Hashable, Codable {
    case read
    case write
}

/// What one transport call did, in `recv`/`send` terms.
public enum TransportResult: Sendable, Equatable {
    case transferred(Int)
    /// EAGAIN: nothing moved; wait for readiness in the same direction.
    case wouldBlock
    case endOfStream
    case failed(Int32)
}

/// How an OpenSSL BIO method reports to OpenSSL (GnuTLS's push/pull functions have one convention only).
public enum TransportCallbackStyle: String, Sendable, Hashable {
    /// `bread`/`bwrite`: a count or -1, as OpenSSL's own socket BIO does.
    case classic
    /// `read_ex`/`write_ex`: 1 or 0 with the size through a pointer.
    case extended
}

/// The byte stream a TLS library reads and writes through when the harness, not the library, owns the I/O
/// (an OpenSSL BIO method; GnuTLS push and pull functions). Every refusal is counted by direction so that a
/// library's request to wait can be checked against what really blocked.
public protocol ByteTransport: AnyObject {
    var style: TransportCallbackStyle { get }
    /// True once a read met end of stream: what OpenSSL's `BIO_eof` must report.
    var sawEndOfStream: Bool { get }
    /// Answers EAGAIN to the next this-many writes, on top of any schedule.
    var writeRefusalsPending: Int { get set }
    /// Every EAGAIN the transport answered.
    var refusalRecord: RefusalRecord { get }
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult
    func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult
}

extension ByteTransport {
    /// Every EAGAIN answered, by direction.
    public var refusals: [TransportDirection: Int] { refusalRecord.all }
    /// The EAGAINs that were injected rather than real, by direction.
    public var injectedRefusals: [TransportDirection: Int] { refusalRecord.injected }
    /// The direction of the most recent EAGAIN.
    public var lastRefusal: TransportDirection? { refusalRecord.last }
    /// Total EAGAINs so far, to tell whether one happened during a given library call.
    public var refusalCount: Int { refusalRecord.count }
}

/// The EAGAINs a transport answered, by direction, and which of them were injected on purpose.
public struct RefusalRecord: Sendable {
    public private(set) var all: [TransportDirection: Int] = [:]
    public private(set) var injected: [TransportDirection: Int] = [:]
    public private(set) var last: TransportDirection?
    /// The sum of `all`, kept as it grows: it is asked before and after every library call.
    public private(set) var count = 0

    public init() {}

    public mutating func refuse(_ direction: TransportDirection, injected isInjected: Bool) {
        count += 1
        all[direction, default: 0] += 1
        if isInjected { injected[direction, default: 0] += 1 }
        last = direction
    }
}

/// A class reference to a transport, so that C callbacks can carry it as one opaque pointer.
public final class TransportBox {
    public let transport: any ByteTransport

    public init(_ transport: any ByteTransport) {
        self.transport = transport
    }
}
