#if canImport(Glibc)
import Glibc
#endif

/// A nonblocking listening socket on a loopback address, on a port the kernel chose unless one was asked for.
public final class TCPListener {
    public let socket: SocketDescriptor
    public let address: LoopbackAddress

    /// `port` 0 lets the kernel choose (every cell); `tls-interop serve` may be given one.
    public init(family: LoopbackAddress.Family = .ipv4, port: UInt16 = 0, backlog: Int32 = 16) throws(SocketError) {
        let requested = LoopbackAddress(family: family, port: port)
        let descriptor = try SocketDescriptor.tcp(family: requested.socketFamily)
        try descriptor.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        let bound = requested.withSocketAddress { bind(descriptor.fileDescriptor, $0, $1) }
        guard bound == 0 else { throw SocketError("bind(\(requested))", errno: errno) }
        guard listen(descriptor.fileDescriptor, backlog) == 0 else { throw SocketError("listen", errno: errno) }
        self.socket = descriptor
        self.address = try LoopbackAddress.bound(to: descriptor.fileDescriptor)
    }

    /// A listening socket another process bound and handed over (a runner to its server peer, as descriptor 3).
    public init(adopting fileDescriptor: Int32) throws(SocketError) {
        _ = fcntl(fileDescriptor, F_SETFL, fcntl(fileDescriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fileDescriptor, F_SETFD, FD_CLOEXEC)
        address = try LoopbackAddress.bound(to: fileDescriptor)
        socket = SocketDescriptor(adopting: fileDescriptor)
    }

    /// Accepts one pending connection as a nonblocking socket, or nil when none is waiting.
    public func acceptSocket() throws(SocketError) -> SocketDescriptor? {
        switch nonblockingSystemCall({ Glibc.accept(socket.fileDescriptor, nil, nil) }) {
        case .done(let fd):
            // Accepted sockets do not inherit O_NONBLOCK on Linux, and accept4 is hidden behind _GNU_SOURCE.
            let descriptor = SocketDescriptor(adopting: fd)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            descriptor.disableNagle()
            return descriptor
        case .wouldBlock: return nil
        case .failed(let code): throw SocketError("accept4", errno: code)
        }
    }
}

/// Starts a nonblocking connect to a loopback address; completion is seen as writability, then `SO_ERROR`.
public func startConnect(_ socket: SocketDescriptor, to address: LoopbackAddress) throws(SocketError) {
    let result = nonblockingSystemCall { address.withSocketAddress { connect(socket.fileDescriptor, $0, $1) } }
    if case .failed(let code) = result { throw SocketError("connect(\(address))", errno: code) }
}
