/// One TLS connection on one library, driven without blocking: what every library and protocol does.
///
/// Every call either completes, asks to be repeated once the transport is ready (`wantRead` / `wantWrite`), or
/// ends the connection. Callers must repeat exactly the same call after a retry outcome, as both libraries require.
/// What only some sessions can do is a capability protocol beside this one (`RetransmissionTimerControl`,
/// `StatelessCookieExchange`, `ResumableWrite`, `StreamSession`), asked for where it is needed.
public protocol TLSSession: AnyObject {
    func handshake() -> StepResult
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StepResult
    func write(_ bytes: UnsafeRawBufferPointer) -> StepResult
    func shutdown(_ mode: ShutdownMode) -> StepResult
    /// TLS 1.3 KeyUpdate asking the peer to update too (`SSL_key_update(SSL_KEY_UPDATE_REQUESTED)`,
    /// `gnutls_session_key_update(GNUTLS_KU_PEER)`).
    func requestKeyUpdate() -> StepResult
    /// A warning alert with this description (`gnutls_alert_send(GNUTLS_AL_WARNING, …)`); a library with no such
    /// call answers `localError` (OpenSSL sends no alert but close_notify on request).
    func sendWarningAlert(_ code: UInt8) -> StepResult
    /// TLS 1.3 KeyUpdate that does not ask the peer to update (`SSL_KEY_UPDATE_NOT_REQUESTED`,
    /// `gnutls_session_key_update(0)`).
    func sendKeyUpdateNotRequested() -> StepResult
    /// TLS 1.3 server: one more NewSessionTicket (`SSL_new_session_ticket`, sent with the next write;
    /// `gnutls_session_ticket_send`).
    func sendSessionTicket() -> StepResult
    /// The session as the library serializes it for a later resumption (`i2d_SSL_SESSION` of `SSL_get1_session`,
    /// `gnutls_session_get_data2`); nil when it has none.
    var resumptionData: [UInt8]? { get }
    /// Whether the handshake resumed an earlier session (`SSL_session_reused`, `gnutls_session_is_resumed`).
    var wasResumed: Bool { get }
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
}

/// TLS 1.2 renegotiation, started by either side and answered as the endpoint's `RenegotiationPolicy` says.
public protocol Renegotiation: TLSSession {
    /// Starts a renegotiation and drives it as far as this side can (OpenSSL: `SSL_renegotiate`, then
    /// `SSL_do_handshake`; GnuTLS server: `gnutls_rehandshake`, then `gnutls_handshake`; GnuTLS client:
    /// `gnutls_handshake` again). Repeated after a retry outcome like any call.
    func renegotiate() -> StepResult
    /// The caller's answer after `renegotiationRequested`: take part (`gnutls_handshake` until done) or refuse
    /// (`gnutls_alert_send(GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION)`). Repeated after a retry outcome.
    func answerRenegotiation(_ policy: RenegotiationPolicy) -> StepResult
    /// Handshakes this session completed, the first included.
    var completedHandshakes: Int { get }
}

extension TLSSession {
    public var resumptionData: [UInt8]? { nil }
    public var wasResumed: Bool { false }

    public func sendSessionTicket() -> StepResult {
        StepResult(.localError, raw: RawResult(call: "send session ticket", returnValue: -1, reason: "this session has no such call"))
    }

    public func sendKeyUpdateNotRequested() -> StepResult {
        StepResult(.localError, raw: RawResult(call: "key update (not requested)", returnValue: -1, reason: "this session has no such call"))
    }

    public func sendWarningAlert(_ code: UInt8) -> StepResult {
        StepResult(.localError, raw: RawResult(call: "send warning alert \(code)", returnValue: -1, reason: "this library has no call that sends an alert other than close_notify"))
    }
}

/// TLS 1.3 post-handshake client authentication (RFC 8446 §4.6.2).
public protocol PostHandshakeAuthentication: TLSSession {
    /// Server: asks for the client's certificate and waits until its answer has been read (OpenSSL:
    /// `SSL_verify_client_post_handshake`, `SSL_do_handshake`, then `SSL_peek_ex` until the client's Finished came;
    /// GnuTLS: `gnutls_certificate_server_set_request` and `gnutls_reauth`). Application data that arrives first is
    /// handed back as `applicationDataInHandshake`. Repeated after a retry outcome.
    func requestClientCertificate() -> StepResult
    /// Client, after `certificateRequested`: answers the request (`gnutls_reauth`). Repeated after a retry outcome.
    func answerCertificateRequest() -> StepResult
    /// Server: the client certificate as the request left it: `verified`, `none`, or `unverified (why)`; nil when
    /// no request completed.
    var clientCertificateStatus: String? { get }
}

/// TLS 1.3 early data (0-RTT). A client writes it before its first `handshake()` call; a server with an early-data
/// policy reads it before the handshake (OpenSSL) or once the handshake completed (GnuTLS).
public protocol EarlyDataExchange: TLSSession {
    /// Client: how many bytes the resumed session allows early (`SSL_SESSION_get_max_early_data`,
    /// `gnutls_record_get_max_early_data_size`); 0 when none.
    var earlyDataAllowance: Int { get }
    /// Client: writes early data before the handshake (`SSL_write_early_data`, `gnutls_record_send_early_data`).
    /// Repeated after a retry outcome.
    func writeEarlyData(_ bytes: UnsafeRawBufferPointer) -> StepResult
    /// Client, after the handshake: whether the server took it (`SSL_get_early_data_status`,
    /// `gnutls_session_get_flags` & `GNUTLS_SFLAGS_EARLY_DATA`).
    var earlyDataStatus: EarlyDataStatus { get }
    /// Server: whether early data is read before the handshake (`SSL_read_early_data` must come first) or after it
    /// (`gnutls_record_recv_early_data` returns what the handshake kept).
    var readsEarlyDataBeforeHandshake: Bool { get }
    /// Server: the next early data: `ok(n)` with bytes, `ok(0)` when there is no more. Repeated after a retry outcome.
    func readEarlyData(into buffer: UnsafeMutableRawBufferPointer) -> StepResult
}

/// Timers the application drives: DTLS retransmission (`DTLSv1_get_timeout` / `DTLSv1_handle_timeout`,
/// `gnutls_dtls_get_timeout`) and QUIC's event timer (`SSL_get_event_timeout` / `SSL_handle_events`).
public protocol RetransmissionTimerControl: TLSSession {
    /// Time left until the library wants its timer handled; nil when no timer runs.
    var retransmissionTimer: Duration? { get }
    /// The library's timer and direction calls as they report now, raw, for the trace.
    var timerReading: String { get }
    /// Handles an expired timer (GnuTLS retransmits from the interrupted call itself).
    func handleTimeout() -> StepResult
}

/// DTLS server: the stateless cookie exchange before the handshake (`DTLSv1_listen`; `gnutls_dtls_cookie_verify` /
/// `gnutls_dtls_cookie_send` / `gnutls_dtls_prestate_set`).
public protocol StatelessCookieExchange: TLSSession {
    /// `ok` once a ClientHello with a valid cookie is waiting for the handshake.
    func listen() -> StepResult
}

/// An interrupted write that can be finished or dropped without its data, as GnuTLS allows.
public protocol ResumableWrite: TLSSession {
    /// `gnutls_record_send(NULL, 0)`.
    func resumeWriteWithoutData() -> StepResult
    /// `gnutls_record_discard_queued`, returning the bytes dropped.
    func discardQueuedWrite() -> StepResult
}

/// QUIC: a connection whose data flows on a stream and whose retries depend on what the library wants from the
/// network.
public protocol StreamSession: TLSSession {
    /// What the library wants from the network before a retried call can progress.
    var networkInterest: NetworkInterest { get }
    /// Writes and ends the stream in one call (`SSL_write_ex2` with `SSL_WRITE_FLAG_CONCLUDE`).
    func writeConcluding(_ bytes: UnsafeRawBufferPointer) -> StepResult
    /// Ends the stream without data (`SSL_stream_conclude`).
    func concludeStream() -> StepResult
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
