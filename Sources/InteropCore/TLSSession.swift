/// One TLS connection on one library, driven without blocking.
///
/// Every call either completes, asks to be repeated once the transport is ready (`wantRead` / `wantWrite`), or
/// ends the connection. Callers must repeat exactly the same call after a retry outcome, as both libraries require.
public protocol TLSSession: AnyObject {
    func handshake() -> StepResult
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StepResult
    func write(_ bytes: UnsafeRawBufferPointer) -> StepResult
    func shutdown(_ mode: ShutdownMode) -> StepResult
    /// TLS 1.3 KeyUpdate asking the peer to update too (`SSL_key_update(SSL_KEY_UPDATE_REQUESTED)`,
    /// `gnutls_session_key_update(GNUTLS_KU_PEER)`).
    func requestKeyUpdate() -> StepResult
    /// Resumes an interrupted write without its data, as GnuTLS allows (`gnutls_record_send(NULL, 0)`); nil when the
    /// library has no such call.
    func resumeWriteWithoutData() -> StepResult?
    /// Drops the record an interrupted write left queued (`gnutls_record_discard_queued`), returning the bytes
    /// dropped; nil when the library has no such call.
    func discardQueuedWrite() -> StepResult?
    /// DTLS server: the stateless cookie exchange before the handshake (`DTLSv1_listen`;
    /// `gnutls_dtls_cookie_verify` / `gnutls_dtls_cookie_send` / `gnutls_dtls_prestate_set`). `ok` once a ClientHello
    /// with a valid cookie is waiting for the handshake.
    func listen() -> StepResult
    /// DTLS: time left until the library wants its retransmission timer handled (`DTLSv1_get_timeout`,
    /// `gnutls_dtls_get_timeout`); nil when no timer runs.
    var retransmissionTimer: Duration? { get }
    /// DTLS: the library's timer and direction calls as they report now, raw, for the trace.
    var timerReading: String { get }
    /// DTLS: handle an expired timer (`DTLSv1_handle_timeout`; GnuTLS retransmits from the interrupted call itself).
    func handleTimeout() -> StepResult
    /// Decrypted bytes the library holds that the socket no longer shows (`SSL_pending`,
    /// `gnutls_record_check_pending`).
    var pendingBytes: Int { get }

    /// The protocol ALPN settled on, if any.
    var negotiatedALPN: String? { get }
    /// The protocol version the handshake settled on, nil before it completes.
    var negotiatedVersion: ProtocolVersion? { get }
    /// Every alert the library reported crossing the wire, in order.
    var alerts: [AlertEvent] { get }
    /// Facts the backend noticed that have no step of their own (e.g. "ALPN select callback not called").
    var notes: [String] { get }

    /// QUIC: what the library wants from the network before a retried call can progress; nil for TLS and DTLS,
    /// whose retry outcomes name the direction themselves.
    var networkInterest: NetworkInterest? { get }
    /// QUIC: writes and ends the stream in one call (`SSL_write_ex2` with `SSL_WRITE_FLAG_CONCLUDE`); nil when the
    /// protocol has no streams.
    func writeConcluding(_ bytes: UnsafeRawBufferPointer) -> StepResult?
    /// QUIC: ends the stream without data (`SSL_stream_conclude`); nil when the protocol has no streams.
    func concludeStream() -> StepResult?
}

extension TLSSession {
    public var networkInterest: NetworkInterest? { nil }
    public func writeConcluding(_ bytes: UnsafeRawBufferPointer) -> StepResult? { nil }
    public func concludeStream() -> StepResult? { nil }
}

/// A failure to set a session up, before anything reached the wire.
public struct SessionSetupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var raw: RawResult

    public init(_ message: String, raw: RawResult) {
        self.message = message
        self.raw = raw
    }

    public var description: String { "\(message) (\(raw))" }
}

/// A problem with the files or options a run was given, reported with the file or field it concerns.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A TLS library as the harness uses it: its version, and a way to make sessions on a socket.
public protocol TLSBackend: Sendable {
    var library: TLSLibrary { get }
    /// The version of the library linked at run time, e.g. `OpenSSL 3.0.19 27 Jan 2026`.
    var runtimeVersion: String { get }
    /// Loads the credentials the way a session would, so that a broken file is reported once, by name, up front.
    func validate(_ credentials: Credentials) throws(ConfigurationError)
    /// Why these settings cannot be expressed on this library, or nil when they can.
    func unsupportedReason(_ settings: EndpointSettings) -> String?
    /// Creates a session over a connected (or connecting) nonblocking socket. With a transport, the library reads and
    /// writes through it (a BIO method, push/pull functions) instead of using the socket itself.
    func makeSession(_ settings: EndpointSettings, socket: Int32, transport: (any ByteTransport)?) throws(SessionSetupError)
        -> any TLSSession
    /// A QUIC listener on a new UDP socket on loopback, accepting connections with these server settings.
    func makeQUICListener(_ settings: EndpointSettings) throws(SessionSetupError) -> any BoundListener
}

extension TLSBackend {
    public func makeQUICListener(_ settings: EndpointSettings) throws(SessionSetupError) -> any BoundListener {
        throw SessionSetupError("\(library) has no QUIC listener", raw: RawResult(call: "QUIC listener", returnValue: -1))
    }
}
