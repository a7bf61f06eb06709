/// A TLS alert that crossed the wire, as the library reported it.
public struct AlertEvent: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Direction: String, Sendable, Hashable, Codable {
        case sent
        case received
    }

    public var direction: Direction
    /// 1 warning, 2 fatal.
    public var level: UInt8
    /// The alert description number, e.g. 120 for no_application_protocol.
    public var code: UInt8
    /// True when no library call or callback reported this alert and the harness derived it from something else
    /// (a QUIC CONNECTION_CLOSE's CRYPTO_ERROR code, which carries the alert the TLS layer raised).
    public var inferred: Bool

    public init(direction: Direction, level: UInt8, code: UInt8, inferred: Bool = false) {
        self.direction = direction
        self.level = level
        self.code = code
        self.inferred = inferred
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        direction = try container.decode(Direction.self, forKey: .direction)
        level = try container.decode(UInt8.self, forKey: .level)
        code = try container.decode(UInt8.self, forKey: .code)
        // Results written before the field existed recorded only observed alerts.
        inferred = try container.decodeIfPresent(Bool.self, forKey: .inferred) ?? false
    }

    public var isFatal: Bool { level == 2 }

    public var description: String {
        "\(direction.rawValue) \(isFatal ? "fatal" : "warning") \(code) \(AlertEvent.name(of: code))\(inferred ? " (inferred)" : "")"
    }

    /// The warning alerts a fixture can ask an endpoint to send, by the name a step spells (`warningAlert(userCanceled)`).
    public static let warningNames: [String: UInt8] = ["userCanceled": 90, "noRenegotiation": 100]

    /// The RFC 8446 / RFC 5246 names of the alerts a reader is most likely to meet.
    public static func name(of code: UInt8) -> String {
        switch code {
        case 0: "close_notify"
        case 10: "unexpected_message"
        case 20: "bad_record_mac"
        case 40: "handshake_failure"
        case 42: "bad_certificate"
        case 46: "certificate_unknown"
        case 47: "illegal_parameter"
        case 48: "unknown_ca"
        case 50: "decode_error"
        case 51: "decrypt_error"
        case 70: "protocol_version"
        case 80: "internal_error"
        case 86: "inappropriate_fallback"
        case 90: "user_canceled"
        case 100: "no_renegotiation"
        case 109: "missing_extension"
        case 110: "unsupported_extension"
        case 112: "unrecognized_name"
        case 116: "certificate_required"
        case 120: "no_application_protocol"
        default: "alert"
        }
    }
}
