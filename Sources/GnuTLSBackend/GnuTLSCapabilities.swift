internal import CGnuTLS
import InteropCore

/// What the linked libgnutls offers beyond the oldest GnuTLS the harness runs on, looked up at run time like
/// OpenSSL's newer calls, so one harness build serves every GnuTLS build (`--build`). (Compared with 3.7.9, 3.8.9
/// adds 13 calls — key derivation, PSK and PKCS#12 helpers — none of which a scenario needs.)
enum GnuTLSCapabilities {
    typealias DefaultPriorityAppend = @convention(c) (
        gnutls_session_t?, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafePointer<CChar>?>?, UInt32
    ) -> Int32

    /// `gnutls_set_default_priority_append` (3.6.3): the library's default priority with the cell's version
    /// appended, which the system-configuration mode (`--library-config system`) needs.
    static let defaultPriorityAppendCall = RuntimeCall("gnutls_set_default_priority_append", since: "GnuTLS 3.6.3")
    static var defaultPriorityAppend: DefaultPriorityAppend? {
        defaultPriorityAppendCall.address.map { unsafeBitCast($0, to: DefaultPriorityAppend.self) }
    }
}
