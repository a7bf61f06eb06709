#if canImport(Glibc)
import Glibc
#endif

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
