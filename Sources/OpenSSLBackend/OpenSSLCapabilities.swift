internal import COpenSSL
import Foundation

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

extension OpenSSLCapabilities {
    /// The `openssl` command-line tool of the same installation as the linked libssl (`<prefix>/bin/openssl` next to
    /// `<prefix>/lib/libssl.so.3`), so a harness built against OpenSSL 3.5 drives 3.5's `s_client -quic`; the
    /// system's `/usr/bin/openssl` when the library is the system's. The library's path is read from the process's
    /// own memory map.
    static let commandLineTool: String = {
        let system = "/usr/bin/openssl"
        // /proc files report a size of 0, so they are read line by line rather than by size.
        guard let maps = fopen("/proc/self/maps", "r") else { return system }
        defer { fclose(maps) }
        var found: String?
        var buffer = [CChar](repeating: 0, count: 4096)
        while found == nil, fgets(&buffer, Int32(buffer.count), maps) != nil {
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.contains("/libssl.so") { found = text.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        guard let line = found, let pathStart = line.firstIndex(of: "/") else { return system }
        var components = line[pathStart...].split(separator: "/", omittingEmptySubsequences: false)
        guard components.count > 2 else { return system }
        components.removeLast(2)
        let candidate = components.joined(separator: "/") + "/bin/openssl"
        return access(candidate, X_OK) == 0 ? candidate : system
    }()
}
