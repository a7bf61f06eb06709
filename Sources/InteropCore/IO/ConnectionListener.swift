#if canImport(Glibc)
import Glibc
#endif

/// Where a server accepts connections: a loopback listening socket or an in-memory listener.
public protocol ConnectionListener: AnyObject {
    func accept() throws(SocketError) -> (any RawConnection)?
    /// What to wait on for the next connection.
    var acceptReadiness: Readiness { get }
}

/// A listener with a loopback address a client can be pointed at.
public protocol BoundListener: ConnectionListener {
    var address: LoopbackAddress { get }
    /// The bound socket, which a runner can hand to a peer process.
    var fileDescriptor: Int32 { get }
}

extension TCPListener: BoundListener {
    public var fileDescriptor: Int32 { socket.fileDescriptor }
}
extension UDPListener: BoundListener {}

/// How a client reaches a server: the session is set up on `open()`'s connection before `connect`, so that a
/// setting the library refuses sends nothing.
public protocol ConnectionDialer: AnyObject {
    func open() throws(SocketError) -> any RawConnection
    /// Starts connecting; returns what to wait for, or nil when already connected.
    func connect(_ connection: any RawConnection) throws(SocketError) -> Readiness?
    /// After the wait: 0, or the connect error.
    func connectError(_ connection: any RawConnection) -> Int32
}

extension TCPListener: ConnectionListener {
    public func accept() throws(SocketError) -> (any RawConnection)? {
        let socket: SocketDescriptor? = try acceptSocket()
        return socket
    }

    public var acceptReadiness: Readiness { .readable(socket.fileDescriptor) }
}

/// Connects nonblocking TCP sockets to a loopback address.
public final class TCPDialer: ConnectionDialer {
    public let address: LoopbackAddress

    public init(address: LoopbackAddress) {
        self.address = address
    }

    public func open() throws(SocketError) -> any RawConnection {
        try SocketDescriptor.tcp(family: address.socketFamily)
    }

    public func connect(_ connection: any RawConnection) throws(SocketError) -> Readiness? {
        guard let socket = connection as? SocketDescriptor else { throw SocketError("connect", errno: 22) }
        try startConnect(socket, to: address)
        return .writable(socket.fileDescriptor)
    }

    public func connectError(_ connection: any RawConnection) -> Int32 {
        (connection as? SocketDescriptor)?.pendingError() ?? 22
    }
}

/// The transport a session's library does its I/O through, if not its own socket I/O: the in-memory link itself,
/// or an `InterposedTransport` over the socket when the settings ask for one or carry faults. `link` numbers the
/// endpoint's connections from 1, so each draws its own fault schedule.
public func libraryTransport(for connection: any RawConnection, settings: EndpointSettings, link: Int) -> (any ByteTransport)? {
    if let memory = connection as? MemoryConnection {
        memory.style = settings.interposedStyle ?? .classic
        return memory
    }
    // DTLS always runs through the harness's datagram transport, so that timers, retransmissions and every datagram
    // can be logged.
    if let datagram = connection as? any DatagramTransport {
        return datagram
    }
    guard let socket = connection as? SocketDescriptor else { return nil }
    if let limit = settings.socketBufferLimit {
        // The send buffer only: the kernel doubles what it is given, and the point is back-pressure well below the
        // payload. A receive buffer that small throttles TCP to a window per delayed ACK (R3's 1 MiB took over 10 s).
        try? socket.setOption(level: SOL_SOCKET, name: SO_SNDBUF, value: Int32(clamping: limit))
    }
    guard settings.interposedStyle != nil || settings.transportFaults != .none else { return nil }
    return InterposedTransport(
        socket: socket, style: settings.interposedStyle ?? .classic, faults: settings.transportFaults,
        seed: FaultSchedule.seed(cellSeed: settings.faultSeed, link: UInt64(link), role: settings.role))
}
