#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of a nonblocking system call: done, would block, or failed with `errno`.
public enum SystemCallResult<Value> {
    case done(Value)
    case wouldBlock
    case failed(Int32)
}

/// Runs a system call, retrying `EINTR` and turning `EAGAIN`/`EINPROGRESS` into `.wouldBlock`.
@inline(__always)
public func nonblockingSystemCall<Value: BinaryInteger>(_ body: () -> Value) -> SystemCallResult<Value> {
    while true {
        let result = body()
        if result >= 0 { return .done(result) }
        let error = errno
        switch error {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK, EINPROGRESS: return .wouldBlock
        default: return .failed(error)
        }
    }
}

/// Owns one file descriptor and closes it exactly once.
public final class SocketDescriptor {
    public private(set) var fileDescriptor: Int32

    public init(adopting fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    public var isOpen: Bool { fileDescriptor >= 0 }

    /// A new nonblocking TCP socket for IPv4 or IPv6, with Nagle's algorithm off.
    public static func tcp(family: Int32 = AF_INET) throws(SocketError) -> SocketDescriptor {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket", errno: errno) }
        let descriptor = SocketDescriptor(adopting: fd)
        descriptor.disableNagle()
        return descriptor
    }

    /// TCP_NODELAY: TLS writes a record and its close_notify as separate small segments, and Nagle's algorithm
    /// with the peer's delayed ACK would hold the second one back for 40 ms on loopback.
    public func disableNagle() {
        var on: Int32 = 1
        _ = setsockopt(fileDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    public func setOption(level: Int32, name: Int32, value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(fileDescriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError("setsockopt(\(name))", errno: errno)
        }
    }

    /// The pending socket error (`SO_ERROR`), which is how a nonblocking connect reports failure.
    public func pendingError() -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fileDescriptor, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return errno }
        return value
    }

    /// Sends FIN (`shutdown(SHUT_WR)`) and keeps the socket open for reading: TCP's half-close, without any TLS
    /// close_notify.
    public func shutdownWrite() throws(SocketError) {
        guard Glibc.shutdown(fileDescriptor, Int32(SHUT_WR)) == 0 else { throw SocketError("shutdown(SHUT_WR)", errno: errno) }
    }

    /// Closes with `SO_LINGER` {on, 0}, which makes the kernel send RST instead of FIN.
    public func closeWithReset() throws(SocketError) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        guard setsockopt(fileDescriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size)) == 0 else {
            throw SocketError("setsockopt(SO_LINGER)", errno: errno)
        }
        close()
    }

    /// One nonblocking `recv` of raw bytes, bypassing TLS.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> SystemCallResult<Int> {
        nonblockingSystemCall { recv(fileDescriptor, buffer.baseAddress, buffer.count, 0) }
    }

    /// One nonblocking `send` of raw bytes, bypassing TLS; never raises SIGPIPE.
    public func send(_ bytes: UnsafeRawBufferPointer) -> SystemCallResult<Int> {
        nonblockingSystemCall { Glibc.send(fileDescriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Bytes waiting in the receive buffer (`FIONREAD`).
    public func pendingInputCount() -> Int {
        var count: Int32 = 0
        return ioctl(fileDescriptor, UInt(FIONREAD), &count) == 0 ? Int(count) : -1
    }

    /// Closes the descriptor: the kernel sends FIN, or RST when unread bytes remain in the receive buffer.
    public func close() {
        guard fileDescriptor >= 0 else { return }
        _ = Glibc.close(fileDescriptor)
        fileDescriptor = -1
    }

    deinit {
        close()
    }
}

/// A failed socket call, with the call's name and `errno`.
public struct SocketError: Error, Sendable, CustomStringConvertible {
    public var call: String
    public var code: Int32

    public init(_ call: String, errno code: Int32) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call) failed: \(String(cString: strerror(code))) (errno \(code))" }
}
