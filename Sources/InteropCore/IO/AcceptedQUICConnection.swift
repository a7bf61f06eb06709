#if canImport(Glibc)
import Glibc
#endif

/// A connection of a QUIC listener (OpenSSL's own, or the ngtcp2 one): the listener's socket, shared, and the
/// session the listener made.
public final class AcceptedQUICConnection: SessionCarryingConnection {
    public let fileDescriptor: Int32
    public let session: any TLSSession
    public private(set) var isOpen = true

    public init(socket: Int32, session: any TLSSession) {
        fileDescriptor = socket
        self.session = session
    }

    public func readiness(_ direction: TransportDirection) -> Readiness {
        direction == .read ? .readable(fileDescriptor) : .writable(fileDescriptor)
    }

    public func wouldBlock(_ direction: TransportDirection) -> Bool {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(direction == .read ? POLLIN : POLLOUT), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    // The socket carries every connection of the listener: raw socket steps have no meaning on one of them.
    public func receiveRaw(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult { .failed(EOPNOTSUPP) }
    public func sendRaw(_ bytes: UnsafeRawBufferPointer) -> TransportResult { .failed(EOPNOTSUPP) }

    public func finishWriting() throws(SocketError) {
        throw SocketError("FIN on a QUIC listener's shared socket", errno: EOPNOTSUPP)
    }

    public func closeWithReset() throws(SocketError) {
        throw SocketError("RST on a QUIC listener's shared socket", errno: EOPNOTSUPP)
    }

    /// The socket stays open for the listener's next connection.
    public func close() {
        isOpen = false
    }
}
