/// TLS 1.3 early data (0-RTT, RFC 8446 §4.2.10). A server issues tickets that allow it (`maxEarlyData` bytes) and
/// then accepts it or declines it; a resuming client sends as much of its payload as the ticket allows (`fit`) or all
/// of it (`all`, to see what a library does with more than the server allows), and the rest after the handshake.
public enum EarlyDataPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Server: accept early data (OpenSSL `SSL_read_early_data`; GnuTLS `GNUTLS_ENABLE_EARLY_DATA` with an
    /// anti-replay context, which GnuTLS requires before it accepts any).
    case accept
    /// Server: issue tickets that allow early data, then decline it when it comes (OpenSSL: an allow-early-data
    /// callback that answers 0; GnuTLS: no anti-replay context, the library's own reason to reject).
    case decline
    /// Client: send what the ticket allows early.
    case fit
    /// Client: try to send the whole payload early.
    case all

    public var isServerPolicy: Bool { self == .accept || self == .decline }
}

/// What became of a client's early data.
public enum EarlyDataStatus: String, Sendable, Hashable, Codable {
    /// Nothing was sent early: the session offered no allowance (a first, full handshake).
    case notOffered
    case accepted
    case rejected
}
