#if canImport(Glibc)
import Glibc
#endif

/// An address on the loopback interface; the harness never listens or connects anywhere else.
public struct LoopbackAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: String, Sendable, Hashable {
        case ipv4
        case ipv6
    }

    public var family: Family
    public var port: UInt16

    public init(family: Family = .ipv4, port: UInt16) {
        self.family = family
        self.port = port
    }

    public var description: String {
        switch family {
        case .ipv4: "127.0.0.1:\(port)"
        case .ipv6: "[::1]:\(port)"
        }
    }

    var socketFamily: Int32 {
        switch family {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        }
    }

    /// Calls `body` with this address as a `sockaddr`, for `bind`.
    public func withSocketAddressForBinding<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withSocketAddress(body)
    }

    /// Calls `body` with this address as a `sockaddr`.
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        switch family {
        case .ipv4:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .ipv6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = in6addr_loopback
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }
}

extension LoopbackAddress {
    /// The address a socket is bound to (`getsockname`).
    public static func bound(to fileDescriptor: Int32) throws(SocketError) -> LoopbackAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        guard named == 0 else { throw SocketError("getsockname", errno: errno) }
        let isIPv6 = storage.ss_family == sa_family_t(AF_INET6)
        return withUnsafePointer(to: &storage) { pointer in
            if isIPv6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    LoopbackAddress(family: .ipv6, port: UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                LoopbackAddress(family: .ipv4, port: UInt16(bigEndian: $0.pointee.sin_port))
            }
        }
    }
}
