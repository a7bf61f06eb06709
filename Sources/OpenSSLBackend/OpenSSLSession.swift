internal import COpenSSL
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// One OpenSSL connection (`SSL_CTX` + `SSL`) driven without blocking over a socket BIO.
final class OpenSSLSession: TLSSession {
    let context: OpaquePointer
    let ssl: OpaquePointer
    /// The server's accepted protocols in wire format; must outlive the ALPN select callback.
    let acceptedProtocols: UnsafeMutableBufferPointer<UInt8>
    var alerts: [AlertEvent] = []
    /// Where `openSSLKeyLog` puts this session's secrets, when the cell keeps evidence.
    var secretLog: SecretLog?
    var notes: [String] = []
    var selectCallbackCalls = 0
    /// Handshakes completed, counted by the info callback (see `noteHandshakeDone`).
    var completedHandshakes = 0
    /// This side's last Finished message, which tells a completed handshake from other HANDSHAKE_DONE reports.
    var lastFinished: [UInt8] = []
    /// `renegotiate` has called `SSL_renegotiate`, and `SSL_do_handshake` has returned 1 (a server's HelloRequest is
    /// out); what is left is waiting for the new handshake to complete.
    var renegotiationStarted = false
    var renegotiationRequestSent = false
    /// Post-handshake authentication: `SSL_verify_client_post_handshake` has queued the request, `SSL_do_handshake`
    /// has sent it, and how many client Finished messages the server had read by then (one more marks the answer).
    var certificateRequestQueued = false
    var certificateRequestSent = false
    var clientFinishedBeforeRequest = 0
    /// Server: client Finished messages read, counted by the info callback.
    var clientFinishedMessages = 0
    /// DTLS: the shortened first timeout; nil leaves OpenSSL's default (1 s, doubling).
    var timerInitialMicroseconds: UInt32 = 0
    /// A secret per server session for cookies bound to the peer.
    let cookieSecret = SeededGenerator.payload(count: 16, seed: 0xC00C1E)
    let acceptsALPN: Bool
    let role: EndpointRole

    /// Kept alive here because the BIO holds it unretained.
    let transport: TransportBox?

    init(settings: EndpointSettings, socket: Int32, transport: (any ByteTransport)?) throws(SessionSetupError) {
        self.transport = transport.map(TransportBox.init)
        role = settings.role
        acceptsALPN = !settings.alpn.isEmpty
        ERR_clear_error()
        let context = try OpenSSLContextCache.shared.context(for: settings)
        self.context = context
        let wire = ALPNWireFormat.encode(settings.alpn)
        acceptedProtocols = .allocate(capacity: max(wire.count, 1))
        _ = acceptedProtocols.initialize(from: wire)
        guard let ssl = SSL_new(context) else {
            acceptedProtocols.deallocate()
            throw SessionSetupError("SSL_new failed", raw: OpenSSLSession.setupFailure("SSL_new", 0))
        }
        self.ssl = ssl
        _ = COpenSSL_SSL_set_app_data(ssl, Unmanaged.passUnretained(self).toOpaque())
        switch settings.role {
        case .server: try configureServer(settings, wireCount: wire.count)
        case .client: try configureClient(settings, wire: wire)
        }
        var mode = 0
        let options = settings.openSSLOptions
        if options.flag(OpenSSLOption.partialWrite.name) { mode |= Int(SSL_MODE_ENABLE_PARTIAL_WRITE) }
        if options.flag(OpenSSLOption.acceptMovingWriteBuffer.name) { mode |= Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) }
        if mode != 0 { _ = COpenSSL_SSL_set_mode(ssl, mode) }
        if options.flag(OpenSSLOption.ignoreUnexpectedEOF.name) {
            SSL_set_options(ssl, COpenSSL_SSL_OP_IGNORE_UNEXPECTED_EOF())
        }
        if settings.role == .client, let saved = settings.resumeWith {
            var cursor: UnsafePointer<UInt8>? = nil
            let restored: OpaquePointer? = saved.withUnsafeBufferPointer { buffer in
                cursor = buffer.baseAddress
                return d2i_SSL_SESSION(nil, &cursor, buffer.count)
            }
            guard let restored else { throw SessionSetupError("d2i_SSL_SESSION failed", raw: Self.setupFailure("d2i_SSL_SESSION", 0)) }
            defer { SSL_SESSION_free(restored) }
            guard SSL_set_session(ssl, restored) == 1 else {
                throw SessionSetupError("SSL_set_session failed", raw: Self.setupFailure("SSL_set_session", 0))
            }
        }
        if settings.role == .client && settings.clientCertificateOffer.offersPostHandshakeAuth {
            SSL_set_post_handshake_auth(ssl, 1)
        }
        if settings.role == .server && settings.requestsClientCertificate {
            // Asked only after the handshake, and a client's empty answer is let through so it can be observed.
            SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, nil)
        }
        if settings.role == .server, let policy = settings.earlyData, policy.isServerPolicy {
            // What tickets allow and what this server takes; declining is an allow-early-data callback that says no.
            _ = SSL_set_max_early_data(ssl, UInt32(clamping: settings.maxEarlyData))
            _ = SSL_set_recv_max_early_data(ssl, UInt32(clamping: settings.maxEarlyData))
            if policy == .decline { SSL_set_allow_early_data_cb(ssl, openSSLDeclineEarlyData, nil) }
        }
        if settings.renegotiation == .refuse {
            // OpenSSL then answers a HelloRequest (or a client's new ClientHello) with a no_renegotiation warning.
            SSL_set_options(ssl, COpenSSL_SSL_OP_NO_RENEGOTIATION())
        }
        if let transport = self.transport {
            guard let bio = InterposedBIO.make(transport) else {
                throw SessionSetupError("BIO_new failed", raw: Self.setupFailure("BIO_new", 0))
            }
            // One BIO for both directions: SSL_set_bio takes a single reference in that case.
            SSL_set_bio(ssl, bio, bio)
        } else {
            SSL_set_fd(ssl, socket)
        }
        if settings.protocolVersion.isDatagram {
            configureDatagram(settings)
        }
    }

    func configureDatagram(_ settings: EndpointSettings) {
        // The harness's datagram links cannot answer MTU queries; a fixed MTU keeps records within one datagram.
        SSL_set_options(ssl, COpenSSL_SSL_OP_NO_QUERY_MTU())
        _ = COpenSSL_SSL_set_mtu(ssl, settings.dtlsMTU ?? 1200)
        if let initial = settings.dtlsInitialTimeout {
            timerInitialMicroseconds = UInt32(clamping: initial.components.seconds * 1_000_000
                + initial.components.attoseconds / 1_000_000_000_000)
            DTLS_set_timer_cb(ssl, openSSLDTLSTimer)
        }
        if settings.role == .server && settings.cookieExchange {
            SSL_set_options(ssl, COpenSSL_SSL_OP_COOKIE_EXCHANGE())
        }
    }

    deinit {
        // The context belongs to OpenSSLContextCache; SSL_free drops this session's reference to it.
        SSL_free(ssl)
        acceptedProtocols.deallocate()
    }

    func configureServer(_ settings: EndpointSettings, wireCount: Int) throws(SessionSetupError) {
        SSL_set_accept_state(ssl)
    }

    func configureClient(_ settings: EndpointSettings, wire: [UInt8]) throws(SessionSetupError) {
        let credentials = settings.credentials
        guard COpenSSL_SSL_set_tlsext_host_name(ssl, credentials.serverName) == 1,
            SSL_set1_host(ssl, credentials.serverName) == 1
        else {
            throw SessionSetupError("cannot set server name", raw: Self.setupFailure("SSL_set1_host", 0))
        }
        if !settings.alpn.isEmpty {
            // Unlike most of OpenSSL, SSL_set_alpn_protos returns 0 on success.
            let status = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
            guard status == 0 else {
                throw SessionSetupError(
                    "OpenSSL rejected the ALPN list \(settings.alpn.map { "\"\($0.prefix(20))\"(\($0.utf8.count) bytes)" })",
                    raw: Self.setupFailure("SSL_set_alpn_protos", Int(status)))
            }
        }
        SSL_set_connect_state(ssl)
    }

    static func setupFailure(_ call: String, _ returnValue: Int) -> RawResult {
        let packed = ERR_peek_error()
        let reason = packed == 0 ? nil : OpenSSLErrorQueue.drain()
        return RawResult(call: call, returnValue: returnValue, reasonCode: packed == 0 ? nil : Int(ERR_GET_REASON(packed)), reason: reason)
    }

    // MARK: Operations

    func handshake() -> StepResult {
        let result = perform("SSL_do_handshake", { SSL_do_handshake(ssl) }) { $0 == 1 ? .ok(0) : nil }
        if role == .server, result.outcome == .ok(0), acceptsALPN, selectCallbackCalls == 0 {
            notes.append("ALPN select callback not called: the client sent no ALPN extension")
        }
        return result
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> StepResult {
        var count = 0
        return perform("SSL_read_ex", { SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count) }) { $0 == 1 ? .ok(count) : nil }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> StepResult {
        var count = 0
        return perform("SSL_write_ex", { SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &count) }) { $0 == 1 ? .ok(count) : nil }
    }

    func shutdown(_ mode: ShutdownMode) -> StepResult {
        let result = perform("SSL_shutdown", { SSL_shutdown(ssl) }, success: Self.shutdownOutcome)
        // SSL_shutdown returns 0 or 1 only once its close_notify is written. OpenSSL 3.2 and later do not tell the
        // info callback about an alert whose write had to be retried (ssl3_dispatch_alert's retry path returns before
        // SSL_CB_WRITE_ALERT; 3.0 reports it): seen in a wire capture of R1 on 3.5.7, where the trace had lost it.
        if result.outcome == .closeNotifySent || result.outcome == .closeComplete,
            !alerts.contains(where: { $0.direction == .sent && $0.code == 0 })
        {
            alerts.append(AlertEvent(direction: .sent, level: 1, code: 0, inferred: true))
            notes.append("close_notify sent: SSL_shutdown completed it after a retried write, which the info callback did not report")
        }
        return result
    }

    /// `SSL_shutdown`'s successful returns, alike for TLS, DTLS and QUIC: 0 while the peer's close is still awaited
    /// (or, for QUIC, the flush and CONNECTION_CLOSE are in progress), 1 once the close is complete.
    static func shutdownOutcome(_ returned: Int32) -> Outcome? {
        switch returned {
        case 0: .closeNotifySent
        case 1: .closeComplete
        default: nil
        }
    }

    func sendSessionTicket() -> StepResult {
        // Only queues the ticket; OpenSSL sends it with the next write or handshake call.
        perform("SSL_new_session_ticket", { SSL_new_session_ticket(ssl) }) { $0 == 1 ? .ok(0) : nil }
    }

    func sendKeyUpdateNotRequested() -> StepResult {
        perform("SSL_key_update(SSL_KEY_UPDATE_NOT_REQUESTED)", { SSL_key_update(ssl, SSL_KEY_UPDATE_NOT_REQUESTED) }) {
            $0 == 1 ? .ok(0) : nil
        }
    }

    func requestKeyUpdate() -> StepResult {
        // Only schedules the update; OpenSSL sends it with the next write or handshake call.
        perform("SSL_key_update", { SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) }) { $0 == 1 ? .ok(0) : nil }
    }

    var pendingBytes: Int { Int(SSL_pending(ssl)) }

    var resumptionData: [UInt8]? {
        guard let saved = SSL_get1_session(ssl) else { return nil }
        defer { SSL_SESSION_free(saved) }
        let length = i2d_SSL_SESSION(saved, nil)
        guard length > 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_SSL_SESSION(saved, &cursor)
        }
        return written == length ? bytes : nil
    }

    var wasResumed: Bool { SSL_session_reused(ssl) == 1 }

    var negotiatedALPN: String? { Self.selectedALPN(ssl) }

    /// `SSL_get0_alpn_selected`, the same call on a TLS, DTLS or QUIC connection.
    static func selectedALPN(_ ssl: OpaquePointer) -> String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    var negotiatedVersion: ProtocolVersion? {
        guard SSL_is_init_finished(ssl) == 1 else { return nil }
        switch SSL_version(ssl) {
        case TLS1_3_VERSION: return .tls13
        case TLS1_2_VERSION: return .tls12
        case DTLS1_2_VERSION: return .dtls12
        default: return nil
        }
    }

    /// Calls into OpenSSL with a clean error queue and maps a failure in this one place. `invoke` makes the call and
    /// returns exactly what the library returned, which is what the trace records and what `SSL_get_error` is given;
    /// `success` maps that value to an outcome, or nil when it is a failure.
    func perform(_ call: String, _ invoke: () -> Int32, success: (Int32) -> Outcome?) -> StepResult {
        ERR_clear_error()
        errno = 0
        let alertsBefore = alerts.count
        let returned = invoke()
        if let outcome = success(returned) {
            return StepResult(outcome, raw: RawResult(call: call, returnValue: Int(returned), code: 0, codeName: "SSL_ERROR_NONE"))
        }
        let savedErrno = errno
        return mapFailure(call: call, returnValue: returned, savedErrno: savedErrno, newAlerts: alerts[alertsBefore...])
    }

    /// The one place where `SSL_get_error` and the error queue become a neutral outcome.
    func mapFailure(call: String, returnValue: Int32, savedErrno: Int32, newAlerts: ArraySlice<AlertEvent>) -> StepResult {
        let error = SSL_get_error(ssl, returnValue)
        let packed = ERR_peek_error()
        let library = packed == 0 ? 0 : ERR_GET_LIB(packed)
        let reasonCode = packed == 0 ? 0 : ERR_GET_REASON(packed)
        var raw = RawResult(
            call: call, returnValue: Int(returnValue), code: Int(error), codeName: Self.errorName(error),
            reasonCode: packed == 0 ? nil : Int(reasonCode), reason: packed == 0 ? nil : OpenSSLErrorQueue.drain(),
            osError: savedErrno == 0 ? nil : savedErrno)
        let osError = library == ERR_LIB_SYS ? reasonCode : savedErrno
        if raw.osError == nil && osError != 0 { raw.osError = osError }
        let fatalReceived = newAlerts.last { $0.direction == .received && $0.isFatal }
        let fatalSent = newAlerts.last { $0.direction == .sent && $0.isFatal }
        let outcome: Outcome
        switch error {
        case SSL_ERROR_WANT_READ: outcome = .wantRead
        case SSL_ERROR_WANT_WRITE: outcome = .wantWrite
        case SSL_ERROR_ZERO_RETURN: outcome = .eof(.clean)
        // ECONNREFUSED is how a connected UDP socket reports the peer's ICMP port unreachable: DTLS's reset.
        case SSL_ERROR_SYSCALL where osError == ECONNRESET || osError == EPIPE || osError == ECONNREFUSED: outcome = .reset
        case SSL_ERROR_SYSCALL where packed == 0 && osError == 0: outcome = .eof(.unexpected)
        case SSL_ERROR_SSL, SSL_ERROR_SYSCALL:
            if let fatalReceived {
                outcome = .alertReceived(fatalReceived.code)
            } else if library == ERR_LIB_SSL && reasonCode == SSL_R_UNEXPECTED_EOF_WHILE_READING {
                outcome = .eof(.unexpected)
            } else if let fatalSent {
                outcome = .alertSent(fatalSent.code)
            } else if osError == ECONNRESET || osError == EPIPE {
                outcome = .reset
            } else {
                outcome = .protocolError
            }
        default: outcome = .protocolError
        }
        return StepResult(outcome, raw: raw)
    }

    static func errorName(_ code: Int32) -> String {
        switch code {
        case SSL_ERROR_NONE: "SSL_ERROR_NONE"
        case SSL_ERROR_SSL: "SSL_ERROR_SSL"
        case SSL_ERROR_WANT_READ: "SSL_ERROR_WANT_READ"
        case SSL_ERROR_WANT_WRITE: "SSL_ERROR_WANT_WRITE"
        case SSL_ERROR_WANT_X509_LOOKUP: "SSL_ERROR_WANT_X509_LOOKUP"
        case SSL_ERROR_SYSCALL: "SSL_ERROR_SYSCALL"
        case SSL_ERROR_ZERO_RETURN: "SSL_ERROR_ZERO_RETURN"
        case SSL_ERROR_WANT_CONNECT: "SSL_ERROR_WANT_CONNECT"
        case SSL_ERROR_WANT_ACCEPT: "SSL_ERROR_WANT_ACCEPT"
        default: "SSL_ERROR_\(code)"
        }
    }

    // MARK: Callbacks

    static func from(_ ssl: OpaquePointer?) -> OpenSSLSession? {
        guard let ssl, let data = COpenSSL_SSL_get_app_data(ssl) else { return nil }
        return Unmanaged<OpenSSLSession>.fromOpaque(data).takeUnretainedValue()
    }

    func noteHandshakeDone() {
        var finished = [UInt8](repeating: 0, count: 64)
        let length = SSL_get_finished(ssl, &finished, finished.count)
        let current = Array(finished.prefix(length))
        guard !current.isEmpty, current != lastFinished else { return }
        lastFinished = current
        completedHandshakes += 1
    }

    func recordAlert(where kind: Int32, value: Int32) {
        let direction: AlertEvent.Direction = kind & SSL_CB_READ != 0 ? .received : .sent
        alerts.append(AlertEvent(direction: direction, level: UInt8(truncatingIfNeeded: value >> 8), code: UInt8(truncatingIfNeeded: value)))
    }

    func selectALPN(
        _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
        _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32
    ) -> Int32 {
        // No ALPN settings: answer as if no callback were installed (the context is shared).
        guard acceptsALPN else { return SSL_TLSEXT_ERR_NOACK }
        selectCallbackCalls += 1
        notes.append("ALPN select callback called (client offered \(ALPNWireFormat.describe(offered, offeredLength)))")
        var selected: UnsafeMutablePointer<UInt8>?
        let status = SSL_select_next_proto(
            &selected, outLength, acceptedProtocols.baseAddress, UInt32(acceptedProtocols.count), offered, offeredLength)
        guard status == OPENSSL_NPN_NEGOTIATED, let selected else {
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
        out?.pointee = UnsafePointer(selected)
        return SSL_TLSEXT_ERR_OK
    }
}
