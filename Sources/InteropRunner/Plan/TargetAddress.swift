import InteropCore

/// The server a target-server run points its clients at: `HOST:PORT` on loopback (`127.0.0.1`, `localhost`,
/// `::1` or `[::1]`). The harness only ever talks to this machine.
public struct TargetAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: LoopbackAddress
    /// As the user wrote it, for reports and reproduce commands.
    public var description: String

    public init(_ text: String) throws(ConfigurationError) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0 else {
            throw ConfigurationError("--target-server \(text): use HOST:PORT, e.g. 127.0.0.1:4433")
        }
        let host = String(text[..<colon])
        switch host {
        case "127.0.0.1", "localhost": address = LoopbackAddress(family: .ipv4, port: port)
        case "::1", "[::1]": address = LoopbackAddress(family: .ipv6, port: port)
        default:
            throw ConfigurationError("--target-server \(text): '\(host)' is not a loopback address (127.0.0.1, localhost or ::1)")
        }
        description = text
    }
}
