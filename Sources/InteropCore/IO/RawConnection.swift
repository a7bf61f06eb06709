#if canImport(Glibc)
import Glibc
#endif

/// One end of a connection as the harness's socket-level steps see it (FIN, RST, raw bytes, readiness), whether
/// it is a real loopback socket or an in-memory link.
public protocol RawConnection: AnyObject {
    var isOpen: Bool { get }
    /// The socket, or -1 for an in-memory link.
    var fileDescriptor: Int32 { get }
    /// What to wait on for this direction.
    func readiness(_ direction: TransportDirection) -> Readiness
    /// Whether an operation in this direction would block right now (for checking a library's request to wait).
    func wouldBlock(_ direction: TransportDirection) -> Bool
    func receiveRaw(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult
    func sendRaw(_ bytes: UnsafeRawBufferPointer) -> TransportResult
    /// FIN without closing: the peer reads end of stream, this end can still read.
    func finishWriting() throws(SocketError)
    /// RST.
    func closeWithReset() throws(SocketError)
    /// Close; like TCP, an in-memory link resets when unread bytes remain.
    func close()
}

/// A connection its listener accepted together with the TLS session on it: a QUIC listener's engine makes both, and
/// every connection shares the listener's one UDP socket.
public protocol SessionCarryingConnection: RawConnection {
    var session: any TLSSession { get }
}

extension SocketDescriptor: RawConnection {
    public func readiness(_ direction: TransportDirection) -> Readiness {
        direction == .read ? .readable(fileDescriptor) : .writable(fileDescriptor)
    }

    public func wouldBlock(_ direction: TransportDirection) -> Bool {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(direction == .read ? POLLIN : POLLOUT), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    public func receiveRaw(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        switch receive(into: buffer) {
        case .done(0): .endOfStream
        case .done(let count): .transferred(count)
        case .wouldBlock: .wouldBlock
        case .failed(let code): .failed(code)
        }
    }

    public func sendRaw(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        switch send(bytes) {
        case .done(let count): .transferred(count)
        case .wouldBlock: .wouldBlock
        case .failed(let code): .failed(code)
        }
    }

    public func finishWriting() throws(SocketError) {
        try shutdownWrite()
    }
}
