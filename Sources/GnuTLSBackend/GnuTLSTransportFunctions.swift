internal import CGnuTLS
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

// The push, pull and pull-timeout functions GnuTLS calls when a session does its I/O through the harness's
// interposed transport instead of its own socket.

/// GnuTLS push function over a `ByteTransport`: like `send`, -1 with `errno` on failure, which GnuTLS's
/// default errno function reads.
func interposedPush(_ pointer: UnsafeMutableRawPointer?, _ bytes: UnsafeRawPointer?, _ length: Int) -> Int {
    guard let pointer else { return -1 }
    let transport = Unmanaged<TransportBox>.fromOpaque(pointer).takeUnretainedValue().transport
    switch transport.send(UnsafeRawBufferPointer(start: bytes, count: length)) {
    case .transferred(let count): return count
    case .wouldBlock: errno = EAGAIN; return -1
    case .endOfStream: errno = EPIPE; return -1
    case .failed(let code): errno = code; return -1
    }
}

/// GnuTLS pull function over a `ByteTransport`: like `recv`, 0 at end of stream.
func interposedPull(_ pointer: UnsafeMutableRawPointer?, _ buffer: UnsafeMutableRawPointer?, _ length: Int) -> Int {
    guard let pointer else { return -1 }
    let transport = Unmanaged<TransportBox>.fromOpaque(pointer).takeUnretainedValue().transport
    switch transport.receive(into: UnsafeMutableRawBufferPointer(start: buffer, count: length)) {
    case .transferred(let count): return count
    case .wouldBlock: errno = EAGAIN; return -1
    case .endOfStream: return 0
    case .failed(let code): errno = code; return -1
    }
}

/// GnuTLS pull-timeout function: called with 0 in nonblocking mode, it reports whether a datagram is waiting.
func interposedPullTimeout(_ pointer: UnsafeMutableRawPointer?, _ milliseconds: UInt32) -> Int32 {
    guard let pointer else { return -1 }
    let transport = Unmanaged<TransportBox>.fromOpaque(pointer).takeUnretainedValue().transport
    if let datagrams = transport as? any DatagramTransport {
        return datagrams.hasInboundDatagram ? 1 : 0
    }
    return 1
}
