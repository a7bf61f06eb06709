internal import COpenSSL
import InteropCore

/// The guide's ALPN rule for a listener: the first of the server's protocols the client offers, or a fatal
/// no_application_protocol. Keeps what it saw, for the connection the listener hands out next.
final class QUICALPNPolicy {
    private let accepted: UnsafeMutableBufferPointer<UInt8>
    private(set) var notes: [String] = []

    init(accepted protocols: [String]) {
        let wire = ALPNWireFormat.encode(protocols)
        accepted = .allocate(capacity: max(wire.count, 1))
        _ = accepted.initialize(from: wire)
    }

    deinit {
        accepted.deallocate()
    }

    func takeNotes() -> [String] {
        defer { notes = [] }
        return notes
    }

    func select(
        _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
        _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32
    ) -> Int32 {
        notes.append("ALPN select callback called (client offered \(ALPNWireFormat.describe(offered, offeredLength)))")
        var selected: UnsafeMutablePointer<UInt8>?
        let status = SSL_select_next_proto(&selected, outLength, accepted.baseAddress, UInt32(accepted.count), offered, offeredLength)
        guard status == OPENSSL_NPN_NEGOTIATED, let selected else {
            notes.append("ALPN select callback returned SSL_TLSEXT_ERR_ALERT_FATAL")
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
        out?.pointee = UnsafePointer(selected)
        return SSL_TLSEXT_ERR_OK
    }
}

/// `SSL_CTX_set_alpn_select_cb` for a QUIC listener: the policy comes in the callback's argument, because the
/// connection object is the listener's creation and carries no application data of the harness.
func quicSelectALPN(
    _ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
    _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32, _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let argument else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    return Unmanaged<QUICALPNPolicy>.fromOpaque(argument).takeUnretainedValue().select(out, outLength, offered, offeredLength)
}
