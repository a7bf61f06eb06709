/// What the library itself returned, kept beside the neutral outcome so a reader can check the mapping.
public struct RawResult: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The C function that was called, e.g. `SSL_read_ex` or `gnutls_record_recv`.
    public var call: String
    public var returnValue: Int
    /// `SSL_get_error` value, or the negative `GNUTLS_E_*` number.
    public var code: Int?
    /// `SSL_ERROR_WANT_READ`, `GNUTLS_E_AGAIN`, …
    public var codeName: String?
    /// OpenSSL's packed error reason code, when the error queue held one.
    public var reasonCode: Int?
    /// OpenSSL's reason string or `gnutls_strerror`.
    public var reason: String?
    /// `gnutls_record_get_direction` after `GNUTLS_E_AGAIN` (0 read, 1 write).
    public var direction: Int?
    /// `errno` when the failure came from the operating system.
    public var osError: Int32?

    public init(
        call: String, returnValue: Int, code: Int? = nil, codeName: String? = nil, reasonCode: Int? = nil,
        reason: String? = nil, direction: Int? = nil, osError: Int32? = nil
    ) {
        self.call = call
        self.returnValue = returnValue
        self.code = code
        self.codeName = codeName
        self.reasonCode = reasonCode
        self.reason = reason
        self.direction = direction
        self.osError = osError
    }

    public var description: String {
        var text = "\(call)=\(returnValue)"
        if let codeName {
            text += " \(codeName)"
            if let code { text += "(\(code))" }
        }
        if let reason { text += " \"\(reason)\"" }
        if let reasonCode { text += " reason=\(reasonCode)" }
        if let direction { text += " direction=\(direction)" }
        if let osError, osError != 0 { text += " errno=\(osError)" }
        return text
    }
}
