#if canImport(Glibc)
import Glibc
#endif

/// A connected, nonblocking UDP socket on loopback as a datagram transport: one `recv` / `send` per datagram.
public final class UDPConnection: RawConnection, DatagramTransport {
    public let socket: SocketDescriptor
    private var book = DatagramSendBook(faults: .none, seed: 0)
    private var requeued: [[UInt8]] = []
    public var style: TransportCallbackStyle = .classic
    public var writeRefusalsPending = 0
    public private(set) var refusalRecord = RefusalRecord()
    public let sawEndOfStream = false
    public let peerIdentity: [UInt8]

    init(socket: SocketDescriptor, peerIdentity: [UInt8]) {
        self.socket = socket
        self.peerIdentity = peerIdentity
    }

    public var isOpen: Bool { socket.isOpen }
    public var fileDescriptor: Int32 { socket.fileDescriptor }
    public var datagramLog: [DatagramLogEntry] { book.log }
    public var unfiredFaults: [Int] { [] }
    public var unfiredMessageFaults: [DTLSMessage] { [] }
    public var inTimeoutHandling: Bool {
        get { book.inTimeoutHandling }
        set { book.inTimeoutHandling = newValue }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        if !requeued.isEmpty {
            let datagram = requeued.removeFirst()
            let count = min(datagram.count, buffer.count)
            datagram.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            book.noteReceived()
            return .transferred(count)
        }
        switch socket.receive(into: buffer) {
        case .done(let count):
            book.noteReceived()
            return .transferred(count)
        case .wouldBlock:
            refusalRecord.refuse(.read, injected: false)
            return .wouldBlock
        case .failed(let code):
            return .failed(code)
        }
    }

    public func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        if writeRefusalsPending > 0 {
            writeRefusalsPending -= 1
            refusalRecord.refuse(.write, injected: true)
            return .wouldBlock
        }
        switch socket.send(bytes) {
        case .done(let count):
            _ = book.nextFate(UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
            return .transferred(count)
        case .wouldBlock:
            refusalRecord.refuse(.write, injected: false)
            return .wouldBlock
        case .failed(let code):
            return .failed(code)
        }
    }

    public var hasInboundDatagram: Bool { !requeued.isEmpty || !socket.wouldBlock(.read) }

    public func unreceive(_ datagram: [UInt8]) {
        requeued.insert(datagram, at: 0)
    }

    public func readiness(_ direction: TransportDirection) -> Readiness {
        if direction == .read && !requeued.isEmpty { return .condition { true } }
        return socket.readiness(direction)
    }

    public func wouldBlock(_ direction: TransportDirection) -> Bool {
        direction == .read && !requeued.isEmpty ? false : socket.wouldBlock(direction)
    }

    public func receiveRaw(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult { receive(into: buffer) }
    public func sendRaw(_ bytes: UnsafeRawBufferPointer) -> TransportResult { send(bytes) }

    public func finishWriting() throws(SocketError) {
        throw SocketError("FIN on a UDP socket", errno: EOPNOTSUPP)
    }

    public func closeWithReset() throws(SocketError) {
        throw SocketError("RST on a UDP socket", errno: EOPNOTSUPP)
    }

    public func close() {
        socket.close()
    }
}

extension SocketDescriptor {
    /// A new nonblocking UDP socket.
    public static func udp(family: Int32 = AF_INET) throws(SocketError) -> SocketDescriptor {
        let fd = Glibc.socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket(SOCK_DGRAM)", errno: errno) }
        return SocketDescriptor(adopting: fd)
    }
}

extension SocketDescriptor {
    /// A new nonblocking UDP socket bound to 127.0.0.1 (`port` 0: one the kernel chooses), and the address it got.
    /// `sharingPort` sets SO_REUSEADDR first, so that another socket can be bound to the same port later.
    public static func udpBound(port: UInt16 = 0, sharingPort: Bool = false) throws(SocketError) -> (SocketDescriptor, LoopbackAddress) {
        let requested = LoopbackAddress(family: .ipv4, port: port)
        let descriptor = try SocketDescriptor.udp()
        if sharingPort { try descriptor.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1) }
        let bound = requested.withSocketAddress { bind(descriptor.fileDescriptor, $0, $1) }
        guard bound == 0 else { throw SocketError("bind(udp \(requested))", errno: errno) }
        var storage = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor.fileDescriptor, $0, &length) }
        }
        return (descriptor, LoopbackAddress(family: .ipv4, port: UInt16(bigEndian: storage.sin_port)))
    }
}

/// A UDP "listener" for a server that serves one client: a bound socket that, when the first datagram arrives,
/// connects itself to that datagram's sender and becomes the connection.
public final class UDPListener: ConnectionListener {
    public let address: LoopbackAddress
    private var socket: SocketDescriptor?
    /// After handing its socket to a client, bind a fresh one to the same address: one listener serves client after
    /// client (`tls-interop serve`). The kernel gives a connected socket its own peer's datagrams, and the fresh,
    /// unconnected one everybody else's.
    private let rebinding: Bool

    public init() throws(SocketError) {
        let (bound, address) = try SocketDescriptor.udpBound()
        self.socket = bound
        self.address = address
        rebinding = false
    }

    /// A listener on `port` (0: one the kernel chooses) that serves one client after another.
    public init(servingPort port: UInt16) throws(SocketError) {
        let (bound, address) = try SocketDescriptor.udpBound(port: port, sharingPort: true)
        self.socket = bound
        self.address = address
        rebinding = true
    }

    /// A bound UDP socket another process handed over (a runner to its server peer, as descriptor 3).
    public init(adopting fileDescriptor: Int32) throws(SocketError) {
        _ = fcntl(fileDescriptor, F_SETFL, fcntl(fileDescriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fileDescriptor, F_SETFD, FD_CLOEXEC)
        address = try LoopbackAddress.bound(to: fileDescriptor)
        socket = SocketDescriptor(adopting: fileDescriptor)
        rebinding = false
    }

    /// The bound socket, for handing to another process; -1 once a client has taken it.
    public var fileDescriptor: Int32 { socket?.fileDescriptor ?? -1 }

    public func accept() throws(SocketError) -> (any RawConnection)? {
        guard let socket else { return nil }
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        var byte: UInt8 = 0
        let peeked = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(socket.fileDescriptor, &byte, 1, Int32(MSG_PEEK), $0, &length)
            }
        }
        if peeked < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw SocketError("recvfrom(MSG_PEEK)", errno: errno)
        }
        let connected = withUnsafePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket.fileDescriptor, $0, length) }
        }
        guard connected == 0 else { throw SocketError("connect(udp peer)", errno: errno) }
        self.socket = rebinding ? try SocketDescriptor.udpBound(port: address.port, sharingPort: true).0 : nil
        let identity = withUnsafeBytes(of: peer) { Array($0.prefix(Int(length))) }
        return UDPConnection(socket: socket, peerIdentity: identity)
    }

    public var acceptReadiness: Readiness {
        guard let socket else { return .condition { false } }
        return .readable(socket.fileDescriptor)
    }
}

/// Opens connected UDP sockets to a loopback address.
public final class UDPDialer: ConnectionDialer {
    public let address: LoopbackAddress

    public init(address: LoopbackAddress) {
        self.address = address
    }

    public func open() throws(SocketError) -> any RawConnection {
        UDPConnection(socket: try SocketDescriptor.udp(family: address.socketFamily), peerIdentity: Array(address.description.utf8))
    }

    public func connect(_ connection: any RawConnection) throws(SocketError) -> Readiness? {
        guard let udp = connection as? UDPConnection else { throw SocketError("connect", errno: EINVAL) }
        let result = address.withSocketAddress { Glibc.connect(udp.socket.fileDescriptor, $0, $1) }
        guard result == 0 else { throw SocketError("connect(udp \(address))", errno: errno) }
        return nil
    }

    public func connectError(_ connection: any RawConnection) -> Int32 { 0 }
}
