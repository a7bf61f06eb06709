import Synchronization

/// A cell's TLS secrets in the key log format Wireshark and tshark read (`CLIENT_RANDOM …`,
/// `CLIENT_HANDSHAKE_TRAFFIC_SECRET …`, one line per secret), as the libraries hand them out while they derive them
/// (`SSL_CTX_set_keylog_callback`, `gnutls_session_set_keylog_function`).
public final class SecretLog: Sendable {
    private let kept = Mutex<[String]>([])

    public init() {}

    public var lines: [String] { kept.withLock { $0 } }

    public func add(_ line: String) {
        kept.withLock { $0.append(line) }
    }

    /// `LABEL <client random> <secret>`, both in lower-case hex.
    public func add(label: String, clientRandom: [UInt8], secret: [UInt8]) {
        add("\(label) \(Hexadecimal.string(clientRandom)) \(Hexadecimal.string(secret))")
    }
}

/// A session that can hand the secrets it derives to a log, from its first handshake on.
public protocol SecretLogging: AnyObject {
    func logSecrets(to log: SecretLog)
}

/// Secret logs by the library object whose secrets they take (an `SSL`, an `SSL_CTX`, a `gnutls_session_t`), for the
/// key log callbacks that get nothing else to find them by: QUIC connections a listener accepts after their
/// handshake, and GnuTLS sessions whose user pointer a QUIC stack holds. Registered before the first secret,
/// removed before the object is freed (an address may be reused).
public enum SecretLogRegistry {
    private static let logs = Mutex<[UInt: SecretLog]>([:])

    public static func register(_ object: OpaquePointer, _ log: SecretLog) {
        logs.withLock { $0[UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(object)))] = log }
    }

    public static func remove(_ object: OpaquePointer) {
        _ = logs.withLock { $0.removeValue(forKey: UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(object)))) }
    }

    public static func log(for object: OpaquePointer) -> SecretLog? {
        logs.withLock { $0[UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(object)))] }
    }
}
