internal import COpenSSL
import InteropCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the linked libssl offers beyond OpenSSL 3.0, found at run time so one build serves every version.
enum OpenSSLCapabilities {
    typealias HandleEvents = @convention(c) (OpaquePointer?) -> Int32

    /// `SSL_handle_events` (OpenSSL 3.2+), which supersedes `DTLSv1_handle_timeout` for DTLS.
    static let handleEventsCall = RuntimeCall("SSL_handle_events", since: "OpenSSL 3.2")
    static var handleEvents: HandleEvents? { handleEventsCall.address.map { unsafeBitCast($0, to: HandleEvents.self) } }
}

extension OpenSSLCapabilities {
    /// The `openssl` command-line tool of the same installation as the linked libssl (`<prefix>/bin/openssl` next to
    /// `<prefix>/lib/libssl.so.3`), so a harness built against OpenSSL 3.5 drives 3.5's `s_client -quic`; the
    /// system's `/usr/bin/openssl` when the library is the system's. The library's path is the one the dynamic
    /// loader recorded (`SharedObject`), not a scan of the process's memory map, which cost a peer process a tenth of
    /// its start-up.
    static let commandLineTool: String = {
        let system = "/usr/bin/openssl"
        // <prefix>/lib/libssl.so.3 → <prefix>; two components up.
        guard var prefix = OpenSSLBackend.sharedObjects[0].loadedPath else { return system }
        for _ in 0..<2 {
            guard let slash = prefix.lastIndex(of: "/") else { return system }
            prefix = String(prefix[..<slash])
        }
        let candidate = prefix + "/bin/openssl"
        return access(candidate, X_OK) == 0 ? candidate : system
    }()
}
