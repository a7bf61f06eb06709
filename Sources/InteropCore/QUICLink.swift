#if canImport(Glibc)
import Glibc
#endif

/// A listener with a loopback address a client can be pointed at.
public protocol BoundListener: ConnectionListener {
    var address: LoopbackAddress { get }
}

extension TCPListener: BoundListener {}
extension UDPListener: BoundListener {}

/// A connection its listener accepted together with the TLS session on it: a QUIC listener's engine makes both, and
/// every connection shares the listener's one UDP socket.
public protocol SessionCarryingConnection: RawConnection {
    var session: any TLSSession { get }
}

/// Opens connected nonblocking UDP sockets for a library that does its own datagram I/O (OpenSSL QUIC): unlike
/// `UDPDialer`, no harness transport sits between the library and the socket.
public final class QUICDialer: ConnectionDialer {
    public let address: LoopbackAddress

    public init(address: LoopbackAddress) {
        self.address = address
    }

    /// Connected already: a UDP connect sends nothing, and the QUIC session needs its peer's address when it is set up.
    public func open() throws(SocketError) -> any RawConnection {
        let socket = try SocketDescriptor.udp(family: address.socketFamily)
        let result = address.withSocketAddress { Glibc.connect(socket.fileDescriptor, $0, $1) }
        guard result == 0 else { throw SocketError("connect(udp \(address))", errno: errno) }
        return socket
    }

    public func connect(_ connection: any RawConnection) throws(SocketError) -> Readiness? { nil }

    public func connectError(_ connection: any RawConnection) -> Int32 { 0 }
}
