internal import CGnuTLS
import Synchronization

/// The key a GnuTLS server encrypts its session tickets with: one per process, so that every server session of a
/// run can decrypt a ticket another issued (what resumption needs).
final class GnuTLSTicketKey: @unchecked Sendable {
    static let shared = GnuTLSTicketKey()
    // Generated once under the lock; read-only afterwards.
    private let lock = Mutex<Void>(())
    private var key = gnutls_datum_t()

    /// The key, generated on first use; nil if GnuTLS could not make one.
    func datum() -> UnsafePointer<gnutls_datum_t>? {
        lock.withLock { _ in
            if key.data == nil && gnutls_session_ticket_key_generate(&key) < 0 { return nil }
            return withUnsafePointer(to: &key) { $0 }
        }
    }
}
