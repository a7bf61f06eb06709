import Foundation

/// One step of an endpoint's script; scenarios are lists of these, not code paths.
public enum EndpointAction: Sendable, Hashable, CustomStringConvertible {
    case handshake
    /// Write the cell's request payload.
    case send
    /// Read until the peer concludes (EOF of any kind, or an error).
    case readToEnd
    /// Write back everything read so far.
    case echo
    case shutdown(ShutdownMode)
    /// Close the socket (the kernel sends FIN).
    case close

    public var description: String {
        switch self {
        case .handshake: "handshake"
        case .send: "send"
        case .readToEnd: "readToEnd"
        case .echo: "echo"
        case .shutdown(let mode): "shutdown(\(mode.rawValue))"
        case .close: "close"
        }
    }

    public init?(parsing text: String) {
        switch text.trimmingCharacters(in: .whitespaces) {
        case "handshake": self = .handshake
        case "send": self = .send
        case "readToEnd": self = .readToEnd
        case "echo": self = .echo
        case "shutdown(closeNotify)": self = .shutdown(.closeNotify)
        case "shutdown(bidirectional)": self = .shutdown(.bidirectional)
        case "close": self = .close
        default: return nil
        }
    }

    /// The echo server's script, after the QUIC server guide: read until the client concludes, echo, shut down.
    public static let echoServer: [EndpointAction] = [.handshake, .readToEnd, .echo, .shutdown(.bidirectional), .close]
    /// The client's script, after the nonblocking TLS client guide, concluding its request with close_notify.
    public static let echoClient: [EndpointAction] = [.handshake, .send, .shutdown(.closeNotify), .readToEnd, .close]
}
