/// Which end of a connection an endpoint plays.
public enum EndpointRole: String, Sendable, Hashable, Codable, CaseIterable {
    case server
    case client
}
