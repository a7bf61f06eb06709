/// The protocol a cell speaks: TLS over a byte stream, or DTLS over datagrams.
public enum ProtocolVersion: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case tls13 = "tls1.3"
    case tls12 = "tls1.2"
    case dtls12 = "dtls1.2"

    public enum Transport: Sendable {
        case stream
        case datagram
    }

    public var transport: Transport { self == .dtls12 ? .datagram : .stream }

    public var isDatagram: Bool { transport == .datagram }

    /// What a scenario covers when it does not list its protocols: the stream protocols, since most steps
    /// (FIN, half-close, truncated records) have no datagram meaning.
    public static let streamVersions: [ProtocolVersion] = [.tls13, .tls12]

    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
