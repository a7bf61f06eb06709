import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// A connection of a QUIC listener: the listener's socket, shared, and the session the listener made.
final class AcceptedQUICConnection: SessionCarryingConnection {
    let fileDescriptor: Int32
    let session: any TLSSession
    private(set) var isOpen = true

    init(socket: Int32, session: any TLSSession) {
        fileDescriptor = socket
        self.session = session
    }

    func readiness(_ direction: TransportDirection) -> Readiness {
        direction == .read ? .readable(fileDescriptor) : .writable(fileDescriptor)
    }

    func wouldBlock(_ direction: TransportDirection) -> Bool {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(direction == .read ? POLLIN : POLLOUT), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    // The socket carries every connection of the listener: raw socket steps have no meaning on one of them.
    func receiveRaw(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult { .failed(EOPNOTSUPP) }
    func sendRaw(_ bytes: UnsafeRawBufferPointer) -> TransportResult { .failed(EOPNOTSUPP) }

    func finishWriting() throws(SocketError) {
        throw SocketError("FIN on a QUIC listener's shared socket", errno: EOPNOTSUPP)
    }

    func closeWithReset() throws(SocketError) {
        throw SocketError("RST on a QUIC listener's shared socket", errno: EOPNOTSUPP)
    }

    /// The socket stays open for the listener's next connection.
    func close() {
        isOpen = false
    }
}
