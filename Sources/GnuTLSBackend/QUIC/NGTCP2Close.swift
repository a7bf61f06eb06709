#if NGTCP2_GNUTLS
internal import CNGTCP2

/// How an ngtcp2 connection ended: a CONNECTION_CLOSE this end sent or received (its type and code), or the library
/// giving up without one (idle or handshake time-out, a dropped connection), with ngtcp2's error underneath.
struct NGTCP2Close: CustomStringConvertible {
    enum Kind {
        case transport
        case application
        case silent
    }

    var kind: Kind
    var errorCode: UInt64
    var isLocal: Bool
    /// The ngtcp2 library error that ended it (`NGTCP2_ERR_*`), 0 for the application's own close.
    var libraryError: Int32

    init(_ error: ngtcp2_ccerr, isLocal: Bool, libraryError: Int32) {
        switch error.type {
        case NGTCP2_CCERR_TYPE_APPLICATION: kind = .application
        case NGTCP2_CCERR_TYPE_TRANSPORT: kind = .transport
        default: kind = .silent
        }
        errorCode = error.error_code
        self.isLocal = isLocal
        self.libraryError = libraryError
    }

    init(libraryError: Int32) {
        kind = .silent
        errorCode = 0
        isLocal = true
        self.libraryError = libraryError
    }

    /// CRYPTO_ERROR 0x100 + alert (RFC 9001 §4.8): the TLS alert the close carries.
    var tlsAlert: UInt8? {
        guard kind == .transport, (0x100...0x1FF).contains(errorCode) else { return nil }
        return UInt8(errorCode - 0x100)
    }

    var description: String {
        let side = isLocal ? "sent" : "received"
        let error = libraryError == 0 ? "" : " (\(String(cString: ngtcp2_strerror(libraryError))))"
        switch kind {
        case .transport: return "CONNECTION_CLOSE \(side): transport error 0x\(String(errorCode, radix: 16))\(error)"
        case .application: return "CONNECTION_CLOSE \(side): application error \(errorCode)\(error)"
        case .silent: return "closed without CONNECTION_CLOSE\(error)"
        }
    }
}
#endif
