#if canImport(Glibc)
import Glibc
#endif

/// A port for `gnutls-serv`, which cannot be told an address or port 0: it binds the port on 0.0.0.0 and on [::]
/// and goes on serving on whichever worked. A port free on 127.0.0.1 alone may be taken on another address, so
/// the probe binds both wildcards (without listening) and keeps a port only if both binds succeed.
enum WildcardPortProbe {
    static func freePort(datagram: Bool, attempts: Int = 32) throws -> UInt16 {
        let type = datagram ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        for _ in 0..<attempts {
            guard let port = bindIPv4Wildcard(type: type) else { continue }
            if bindIPv6Wildcard(type: type, port: port) { return port }
        }
        throw ChildProcessError("no port free on both 0.0.0.0 and [::] after \(attempts) tries", 0)
    }

    /// Binds 0.0.0.0 on a port the kernel picks, closes the socket and returns the port.
    private static func bindIPv4Wildcard(type: Int32) -> UInt16? {
        let descriptor = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        return bound ? UInt16(bigEndian: address.sin_port) : nil
    }

    /// Whether [::]:port (IPv6 only, as gnutls-serv binds it) is free; true on a machine without IPv6.
    private static func bindIPv6Wildcard(type: Int32, port: UInt16) -> Bool {
        let descriptor = socket(AF_INET6, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return errno == EAFNOSUPPORT }
        defer { close(descriptor) }
        var only: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &only, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
        }
    }
}
