internal import CGnuTLS
import Synchronization

/// The anti-replay context a GnuTLS server needs before it accepts any early data (RFC 8446 §8): one per process,
/// made before the first ticket it must judge, with the store of ClientHellos already seen that GnuTLS asks through
/// its add function (an entry seen before answers GNUTLS_E_DB_ENTRY_EXISTS, and that early data is rejected).
final class GnuTLSAntiReplay: @unchecked Sendable {
    static let shared = GnuTLSAntiReplay()
    // Made once under the lock; GnuTLS only reads the context afterwards, and `seen` is guarded by `store`.
    private let lock = Mutex<Void>(())
    private var context: gnutls_anti_replay_t?
    fileprivate static let store = Mutex<Set<[UInt8]>>([])

    /// The context, made on first use; nil if GnuTLS could not make one.
    func current() -> gnutls_anti_replay_t? {
        lock.withLock { _ in
            if context == nil {
                guard gnutls_anti_replay_init(&context) == 0 else { return nil }
                gnutls_anti_replay_set_add_function(context, gnuTLSAntiReplayAdd)
                // GnuTLS starts its recording window again once the window (10 s by default) has passed since it
                // began, at whichever check comes next, and rejects early data on every ticket made before that
                // start. One context serves the whole process, so a check in another cell running at the same time
                // could reject this cell's fresh ticket (seen in CI on T3, about one run in twenty). An hour outlasts
                // any run; each cell's tickets then meet only its own server's judgement.
                gnutls_anti_replay_set_window(context, 3_600_000)
            }
            return context
        }
    }
}

/// `gnutls_db_add_func`: stores a ClientHello's key unless it is there already.
private func gnuTLSAntiReplayAdd(
    _ pointer: UnsafeMutableRawPointer?, _ expires: time_t, _ key: UnsafePointer<gnutls_datum_t>?, _ data: UnsafePointer<gnutls_datum_t>?
) -> Int32 {
    guard let key = key?.pointee, let bytes = key.data else { return GNUTLS_E_INVALID_REQUEST }
    let entry = Array(UnsafeBufferPointer(start: bytes, count: Int(key.size)))
    return GnuTLSAntiReplay.store.withLock { seen in seen.insert(entry).inserted ? 0 : GNUTLS_E_DB_ENTRY_EXISTS }
}
