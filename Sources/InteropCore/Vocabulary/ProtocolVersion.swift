/// The protocol a cell speaks: TLS over a byte stream, DTLS over datagrams, or QUIC (TLS 1.3 inside QUIC packets,
/// over UDP, with streams and connections of its own).
public enum ProtocolVersion: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case tls13 = "tls1.3"
    case tls12 = "tls1.2"
    case dtls12 = "dtls1.2"
    case quic = "quic"

    public enum Transport: Sendable {
        case stream
        case datagram
        /// UDP carrying QUIC packets; the library does the socket I/O and keeps its own timers.
        case quic
    }

    public var transport: Transport {
        switch self {
        case .tls13, .tls12: .stream
        case .dtls12: .datagram
        case .quic: .quic
        }
    }

    /// DTLS: records in datagrams, retransmitted on the application's timer calls.
    public var isDatagram: Bool { transport == .datagram }

    public var isQUIC: Bool { self == .quic }

    /// What a scenario covers when it does not list its protocols: the stream protocols, since most steps
    /// (FIN, half-close, truncated records) have no datagram meaning.
    public static let streamVersions: [ProtocolVersion] = [.tls13, .tls12]

    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
