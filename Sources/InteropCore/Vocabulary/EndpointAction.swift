import Foundation

/// One step of an endpoint's script; scenarios are lists of these, not code paths.
public enum EndpointAction: Sendable, Hashable, CustomStringConvertible {
    case handshake
    /// DTLS server: the stateless cookie exchange, until a ClientHello with a valid cookie arrives.
    case listen
    /// One handshake call; a retry outcome moves on to the next step instead of waiting (to stop at a flight).
    case handshakeOnce
    /// Wait until the socket is readable, without reading.
    case awaitReadable
    /// Write this endpoint's payload.
    case send
    /// Read until the peer concludes (EOF of any kind, or an error).
    case readToEnd
    /// Read until the peer's whole payload has arrived.
    case readExactly
    /// Write back everything read so far.
    case echo
    /// Read whatever arrives and write it back at once, chunk by chunk, until the peer concludes: the interactive
    /// echo of `tls-interop serve`, for clients that wait for their echo before they close.
    case echoEach
    /// QUIC: `send` and end the stream in the same call (`SSL_write_ex2` with `SSL_WRITE_FLAG_CONCLUDE`).
    case sendConcluding
    /// QUIC: `echo` and end the stream in the same call, as the QUIC server guide does.
    case echoConcluding
    /// QUIC: end the stream without data (`SSL_stream_conclude`).
    case conclude
    case shutdown(ShutdownMode)
    /// Send TCP FIN (`shutdown(SHUT_WR)`) without close_notify; reading stays possible.
    case finish
    /// Read raw bytes, bypassing TLS, until the peer closes; keeps a closing socket from answering with RST.
    case drainRaw
    /// Close with `SO_LINGER` 0: the kernel sends RST.
    case reset
    /// Write half of a TLS application-data record straight to the socket.
    case sendTruncatedRecord
    /// The interposed transport answers the next N writes with EAGAIN.
    case refuseWrites(Int)
    /// Write this endpoint's payload; when the library asks to retry, resume it the way the variant says (R4).
    case writeRetry(RetryVariant)
    /// Request a TLS 1.3 key update from the peer.
    case keyUpdate
    /// A TLS 1.3 key update of this side only (`keyUpdate(notRequested)`).
    case keyUpdateNotRequested
    /// TLS 1.3 server: one more NewSessionTicket.
    case sendTicket
    /// Send a warning alert with this description (`warningAlert(userCanceled)` is 90).
    case warningAlert(UInt8)
    /// TLS 1.2: start a renegotiation (a server sends HelloRequest; a client a new ClientHello) and drive it as far
    /// as this side can; the rest happens inside the following reads and writes.
    case renegotiate
    /// TLS 1.3 server: ask the client for a certificate after the handshake (post-handshake authentication) and
    /// wait, reading, until its answer has arrived.
    case requestCertificate
    /// Read the peer's payload in chunks of this size, waiting for readability before every read (`pollFirst`) or
    /// only when the library holds no decrypted bytes (`pendingAware`), as an application's own loop would.
    case readInChunks(Int, pollFirst: Bool)
    /// One read whose outcome is recorded and never ends the script (I/O after shutdown).
    case probeRead
    /// One write of a few bytes whose outcome is recorded and never ends the script.
    case probeWrite
    /// Close the socket (the kernel sends FIN, or RST if unread bytes remain).
    case close

    /// The steps that must complete before the connection can carry data: the handshake and the DTLS cookie exchange.
    public var establishesConnection: Bool {
        self == .handshake || self == .handshakeOnce || self == .listen
    }

    public var description: String {
        switch self {
        case .handshake: "handshake"
        case .listen: "listen"
        case .handshakeOnce: "handshakeOnce"
        case .awaitReadable: "awaitReadable"
        case .send: "send"
        case .readToEnd: "readToEnd"
        case .readExactly: "readExactly"
        case .echo: "echo"
        case .echoEach: "echoEach"
        case .sendConcluding: "sendConcluding"
        case .echoConcluding: "echoConcluding"
        case .conclude: "conclude"
        case .shutdown(let mode): "shutdown(\(mode.rawValue))"
        case .finish: "finish"
        case .drainRaw: "drainRaw"
        case .reset: "reset"
        case .sendTruncatedRecord: "sendTruncatedRecord"
        case .refuseWrites(let count): "refuseWrites(\(count))"
        case .probeRead: "probeRead"
        case .probeWrite: "probeWrite"
        case .writeRetry(let variant): "writeRetry(\(variant.rawValue))"
        case .keyUpdate: "keyUpdate"
        case .keyUpdateNotRequested: "keyUpdate(notRequested)"
        case .sendTicket: "sendTicket"
        case .renegotiate: "renegotiate"
        case .requestCertificate: "requestCertificate"
        case .warningAlert(let code): "warningAlert(\(AlertEvent.warningNames.first { $0.value == code }?.key ?? String(code)))"
        case .readInChunks(let size, let pollFirst): "readInChunks(\(size), \(pollFirst ? "pollFirst" : "pendingAware"))"
        case .close: "close"
        }
    }

    /// Every step name, for error messages.
    public static let vocabulary = [
        "handshake", "listen", "handshakeOnce", "awaitReadable", "send", "readToEnd", "readExactly", "echo", "echoEach",
        "sendConcluding", "echoConcluding", "conclude", "shutdown(closeNotify)", "shutdown(bidirectional)", "finish", "drainRaw", "reset", "sendTruncatedRecord",
        "refuseWrites(N)", "probeRead", "probeWrite", "writeRetry(VARIANT)", "keyUpdate", "keyUpdate(notRequested)", "sendTicket", "warningAlert(userCanceled|N)", "renegotiate",
        "requestCertificate",
        "readInChunks(N, pollFirst|pendingAware)", "close",
    ]

    /// Whether the step needs the interposed transport rather than the library's own socket I/O.
    public var needsInterposedTransport: Bool {
        if case .refuseWrites = self { return true }
        return false
    }

    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("writeRetry("), trimmed.hasSuffix(")") {
            guard let variant = RetryVariant(rawValue: String(trimmed.dropFirst("writeRetry(".count).dropLast())) else {
                return nil
            }
            self = .writeRetry(variant)
            return
        }
        if trimmed.hasPrefix("readInChunks("), trimmed.hasSuffix(")") {
            let arguments = trimmed.dropFirst("readInChunks(".count).dropLast().split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard arguments.count == 2, let size = Int(arguments[0]), size > 0,
                ["pollFirst", "pendingAware"].contains(arguments[1])
            else { return nil }
            self = .readInChunks(size, pollFirst: arguments[1] == "pollFirst")
            return
        }
        if trimmed.hasPrefix("warningAlert("), trimmed.hasSuffix(")") {
            let name = String(trimmed.dropFirst("warningAlert(".count).dropLast())
            guard let code = AlertEvent.warningNames[name] ?? UInt8(name) else { return nil }
            self = .warningAlert(code)
            return
        }
        if trimmed.hasPrefix("refuseWrites("), trimmed.hasSuffix(")") {
            let digits = trimmed.dropFirst("refuseWrites(".count).dropLast()
            guard let count = Int(digits), count > 0 else { return nil }
            self = .refuseWrites(count)
            return
        }
        switch trimmed {
        case "handshake": self = .handshake
        case "listen": self = .listen
        case "handshakeOnce": self = .handshakeOnce
        case "awaitReadable": self = .awaitReadable
        case "send": self = .send
        case "readToEnd": self = .readToEnd
        case "readExactly": self = .readExactly
        case "echo": self = .echo
        case "echoEach": self = .echoEach
        case "sendConcluding": self = .sendConcluding
        case "echoConcluding": self = .echoConcluding
        case "conclude": self = .conclude
        case "shutdown(closeNotify)": self = .shutdown(.closeNotify)
        case "shutdown(bidirectional)": self = .shutdown(.bidirectional)
        case "finish": self = .finish
        case "drainRaw": self = .drainRaw
        case "reset": self = .reset
        case "sendTruncatedRecord": self = .sendTruncatedRecord
        case "probeRead": self = .probeRead
        case "probeWrite": self = .probeWrite
        case "keyUpdate": self = .keyUpdate
        case "keyUpdate(notRequested)": self = .keyUpdateNotRequested
        case "sendTicket": self = .sendTicket
        case "renegotiate": self = .renegotiate
        case "requestCertificate": self = .requestCertificate
        case "close": self = .close
        default: return nil
        }
    }

    /// The echo server's script, after the QUIC server guide: read until the client concludes, echo, shut down.
    public static let echoServer: [EndpointAction] = [.handshake, .readToEnd, .echo, .shutdown(.bidirectional), .close]
    /// `tls-interop serve`'s script: each chunk echoed as it arrives, then the same close.
    public static let interactiveEchoServer: [EndpointAction] = [.handshake, .echoEach, .shutdown(.bidirectional), .close]
    /// The client's script, after the nonblocking TLS client guide, concluding its request with close_notify.
    public static let echoClient: [EndpointAction] = [.handshake, .send, .shutdown(.closeNotify), .readToEnd, .close]

    /// Whether the step reads until an end the record reports as `endOfStream`.
    public var readsToTheEnd: Bool {
        switch self {
        case .readToEnd, .readExactly, .echoEach: true
        default: false
        }
    }

    /// Whether the step needs a protocol with streams (QUIC).
    public var needsStreams: Bool {
        switch self {
        case .sendConcluding, .echoConcluding, .conclude: true
        default: false
        }
    }
}
