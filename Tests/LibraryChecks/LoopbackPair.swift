#if canImport(Glibc)
import Glibc
#endif

/// Two connected nonblocking TCP sockets on 127.0.0.1, made with plain socket calls (no harness code), so the checks in
/// this target see only what the libraries themselves return.
struct LoopbackPair {
    let client: Int32
    let server: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                guard bind(listener, generic, length) == 0, listen(listener, 1) == 0,
                    getsockname(listener, generic, &length) == 0
                else { throw SocketFailure(call: "bind/listen", code: errno) }
            }
        }
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
        }
        guard connected == 0 else { throw SocketFailure(call: "connect", code: errno) }
        let server = accept(listener, nil, nil)
        guard server >= 0 else { throw SocketFailure(call: "accept", code: errno) }
        for descriptor in [client, server] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        self.client = client
        self.server = server
    }

    func closeBoth() {
        close(client)
        close(server)
    }

    /// Reads and discards whatever is waiting on `descriptor` (the peer's handshake bytes), without TLS.
    static func drain(_ descriptor: Int32) -> Int {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return total }
            total += count
        }
    }

    /// Closes with SO_LINGER 0, so the kernel sends RST instead of FIN.
    static func reset(_ descriptor: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(descriptor)
    }
}

struct SocketFailure: Error {
    var call: String
    var code: Int32
}

/// Where the test PKI lives, found from this file's path.
enum CertificatePaths {
    static let directory: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/certs"
    }()
}
