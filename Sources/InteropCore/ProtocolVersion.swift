/// The protocol a cell speaks. Datagram protocols share the vocabulary but not the transport.
public enum ProtocolVersion: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case tls13 = "tls1.3"
    case tls12 = "tls1.2"

    public enum Transport: Sendable {
        case stream
        case datagram
    }

    public var transport: Transport { .stream }

    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
