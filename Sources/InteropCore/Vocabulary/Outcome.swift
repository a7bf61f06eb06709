import Foundation

/// How a stream was seen to end by a reader.
public enum EOFKind: String, Sendable, Hashable, Codable {
    /// close_notify arrived before the transport closed.
    case clean
    /// The transport closed without a close_notify (a truncation attack looks the same).
    case unexpected
}

/// The library-neutral result of one call into a TLS library.
///
/// Each backend maps its own return codes into this vocabulary in exactly one place, so that the
/// results of OpenSSL and GnuTLS can be compared and judged by the same rules.
public enum Outcome: Sendable, Hashable, CustomStringConvertible {
    /// The call completed; for reads and writes, the number of application bytes moved.
    case ok(Int)
    /// Retry the same call once the transport is readable.
    case wantRead
    /// Retry the same call once the transport is writable.
    case wantWrite
    case eof(EOFKind)
    /// The transport was reset (ECONNRESET / EPIPE).
    case reset
    /// This endpoint sent a fatal alert with this description and gave up.
    case alertSent(UInt8)
    /// The peer's fatal alert with this description arrived.
    case alertReceived(UInt8)
    /// The peer's warning alert with this description arrived and the library handed it to the caller (GnuTLS's
    /// GNUTLS_E_WARNING_ALERT_RECEIVED); the connection goes on, and the caller repeats its call.
    case warningReceived(UInt8)
    /// The peer asks to renegotiate (TLS 1.2 HelloRequest, or a new ClientHello), and the library hands the
    /// decision to the caller (GnuTLS's GNUTLS_E_REHANDSHAKE).
    case renegotiationRequested
    /// Application data arrived while a renegotiation handshake was in progress and waits to be read
    /// (GnuTLS's GNUTLS_E_GOT_APPLICATION_DATA); the handshake goes on after the caller reads it.
    case applicationDataInHandshake
    /// TLS 1.3: the server asks this client for a certificate after the handshake, and the library hands the
    /// request to the caller (GnuTLS's GNUTLS_E_REAUTH_REQUEST, answered with gnutls_reauth).
    case certificateRequested
    /// This endpoint's close_notify is on its way; the peer's has not been seen.
    case closeNotifySent
    /// close_notify was both sent and received.
    case closeComplete
    /// The library failed without an alert the harness could attribute.
    case protocolError
    /// Rejected before anything reached the wire (invalid configuration or arguments).
    case localError
    /// The per-cell deadline ended the step.
    case timeout

    public var description: String {
        switch self {
        case .ok(let count): "ok(\(count))"
        case .wantRead: "wantRead"
        case .wantWrite: "wantWrite"
        case .eof(let kind): "eof(\(kind.rawValue))"
        case .reset: "reset"
        case .alertSent(let code): "alertSent(\(code))"
        case .alertReceived(let code): "alertReceived(\(code))"
        case .warningReceived(let code): "warningReceived(\(code))"
        case .renegotiationRequested: "renegotiationRequested"
        case .applicationDataInHandshake: "applicationDataInHandshake"
        case .certificateRequested: "certificateRequested"
        case .closeNotifySent: "closeNotifySent"
        case .closeComplete: "closeComplete"
        case .protocolError: "protocolError"
        case .localError: "localError"
        case .timeout: "timeout"
        }
    }

    /// Parses the textual form used in fixtures and reports, e.g. `alertReceived(120)` or `eof(clean)`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let name: Substring
        let argument: Substring?
        if let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") {
            name = trimmed[..<open]
            argument = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        } else {
            name = Substring(trimmed)
            argument = nil
        }
        switch (name, argument) {
        case ("ok", let value?): guard let count = Int(value) else { return nil }; self = .ok(count)
        case ("wantRead", nil): self = .wantRead
        case ("wantWrite", nil): self = .wantWrite
        case ("eof", let value?): guard let kind = EOFKind(rawValue: String(value)) else { return nil }; self = .eof(kind)
        case ("reset", nil): self = .reset
        case ("alertSent", let value?): guard let code = UInt8(value) else { return nil }; self = .alertSent(code)
        case ("alertReceived", let value?): guard let code = UInt8(value) else { return nil }; self = .alertReceived(code)
        case ("warningReceived", let value?): guard let code = UInt8(value) else { return nil }; self = .warningReceived(code)
        case ("renegotiationRequested", nil): self = .renegotiationRequested
        case ("applicationDataInHandshake", nil): self = .applicationDataInHandshake
        case ("certificateRequested", nil): self = .certificateRequested
        case ("closeNotifySent", nil): self = .closeNotifySent
        case ("closeComplete", nil): self = .closeComplete
        case ("protocolError", nil): self = .protocolError
        case ("localError", nil): self = .localError
        case ("timeout", nil): self = .timeout
        default: return nil
        }
    }

    /// Whether the call completed (`ok`), as opposed to asking for a retry or ending the connection in any way.
    public var isCompletion: Bool {
        if case .ok = self { true } else { false }
    }

    /// Whether the caller should wait for the transport and repeat the call.
    public var isRetry: Bool {
        self == .wantRead || self == .wantWrite
    }

    /// Whether the connection can go on after this result.
    public var allowsContinuation: Bool {
        switch self {
        case .ok, .wantRead, .wantWrite, .eof(.clean), .closeNotifySent, .closeComplete, .warningReceived, .renegotiationRequested,
            .applicationDataInHandshake, .certificateRequested:
            true
        default: false
        }
    }
}

extension Outcome: Codable {
    /// Encoded in its textual form, e.g. `"alertReceived(120)"`, the same form fixtures use.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let outcome = Outcome(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an outcome: \(text)"))
        }
        self = outcome
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
