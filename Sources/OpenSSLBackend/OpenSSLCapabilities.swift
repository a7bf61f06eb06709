internal import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// What the linked libssl offers beyond OpenSSL 3.0, found at run time so one build serves every version.
enum OpenSSLCapabilities {
    typealias HandleEvents = @convention(c) (OpaquePointer?) -> Int32

    /// `SSL_handle_events` (OpenSSL 3.2+), which supersedes `DTLSv1_handle_timeout` for DTLS.
    static var handleEvents: HandleEvents? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "SSL_handle_events") else { return nil }
        return unsafeBitCast(symbol, to: HandleEvents.self)
    }
}
