internal import CGnuTLS
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// One GnuTLS connection (`gnutls_session_t` with certificate credentials) driven without blocking.
final class GnuTLSSession: TLSSession {
    var session: gnutls_session_t?
    var certificates: gnutls_certificate_credentials_t?
    let role: EndpointRole
    let alpnRejection: GnuTLSALPNRejection
    let acceptsALPN: Bool
    let alertRecorder = GnuTLSAlertRecorder()
    var alerts: [AlertEvent] { alertRecorder.alerts }
    var notes: [String] = []
    /// Where `gnuTLSKeyLog` puts this session's secrets, when the cell keeps evidence.
    var secretLog: SecretLog?
    var handshakeDone = false
    /// Handshakes completed, the first and every renegotiation.
    var completedHandshakes = 0
    /// A server's `renegotiate` has sent its HelloRequest (`gnutls_rehandshake`); what is left is the handshake.
    var rehandshakeSent = false
    /// A server's `requestCertificate` has armed the request (`gnutls_certificate_server_set_request`).
    var certificateRequestArmed = false
    /// Client: a saved session was set for resumption (the only case where early data can be offered).
    var resuming = false
    var verifiedName: UnsafeMutablePointer<CChar>?
    var isDatagram = false
    var cookieKey = gnutls_datum_t()
    /// The alert a conforming server still has to send after a failed handshake (its send met EAGAIN).
    var pendingAlert: (error: Int32, code: UInt8, level: UInt8)?

    /// Kept alive here because GnuTLS holds it as an unretained transport pointer.
    let transport: TransportBox?

    init(settings: EndpointSettings, socket: Int32, transport: (any ByteTransport)?) throws(SessionSetupError) {
        self.transport = transport.map(TransportBox.init)
        role = settings.role
        alpnRejection = settings.gnuTLSALPNRejection
        acceptsALPN = !settings.alpn.isEmpty
        let clientCertificates = settings.role == .server
            ? settings.requestsClientCertificate : settings.clientCertificateOffer == .withCertificate
        certificates = try GnuTLSCredentialCache.shared.credentials(
            role: settings.role, files: settings.credentials, clientCertificates: clientCertificates)
        let credentials = settings.credentials
        // GNUTLS_NO_SIGNAL: a write to a connection the peer closed fails with EPIPE instead of raising SIGPIPE in
        // whatever process embeds the harness (its own commands ignore the signal; a test runner does not).
        var flags = (settings.protocolVersion.isDatagram ? GNUTLS_DATAGRAM : 0) | Int32(GNUTLS_NO_SIGNAL.rawValue)
        if settings.requestsClientCertificate || settings.clientCertificateOffer.offersPostHandshakeAuth {
            flags |= Int32(GNUTLS_POST_HANDSHAKE_AUTH.rawValue)
        }
        if settings.role == .server, settings.earlyData?.isServerPolicy == true {
            flags |= Int32(GNUTLS_ENABLE_EARLY_DATA.rawValue)
        }
        switch settings.role {
        case .server:
            try check("gnutls_init", gnutls_init(&session, UInt32(GNUTLS_SERVER | GNUTLS_NONBLOCK | flags)))
        case .client:
            try check("gnutls_init", gnutls_init(&session, UInt32(GNUTLS_CLIENT | GNUTLS_NONBLOCK | flags)))
            try check(
                "gnutls_server_name_set",
                gnutls_server_name_set(session, GNUTLS_NAME_DNS, credentials.serverName, credentials.serverName.utf8.count))
            // GnuTLS keeps the host name pointer for the session's lifetime rather than copying it.
            verifiedName = strdup(credentials.serverName)
            gnutls_session_set_verify_cert(session, verifiedName, 0)
        }
        func keyword(_ version: ProtocolVersion) -> String {
            switch version {
            case .tls13: "+VERS-TLS1.3"
            case .tls12: "+VERS-TLS1.2"
            case .dtls12: "+VERS-DTLS1.2"
            // Refused by unsupportedReason before a session is made.
            case .quic: "+VERS-TLS1.3"
            }
        }
        // The cell's versions, and the RFC 5746 mode when a fixture chose one.
        let additions = ([settings.protocolVersion] + settings.alsoAccepted).map(keyword).joined(separator: ":")
            + (settings.gnuTLSSafeRenegotiation.priorityKeyword.map { ":" + $0 } ?? "")
        if LibrarySetup.current.systemConfiguration {
            // The library's default priority (its configuration file's, the system's policy) with only the cell's
            // protocol version allowed, which the cell needs.
            // Refused by unsupportedReason before a session is made when the call is missing.
            guard let append = GnuTLSCapabilities.defaultPriorityAppend else { preconditionFailure("gnutls_set_default_priority_append") }
            var errorPosition: UnsafePointer<CChar>?
            try check("gnutls_set_default_priority_append", append(session, "-VERS-ALL:" + additions, &errorPosition, 0))
        } else {
            try check("gnutls_priority_set_direct", gnutls_priority_set_direct(session, "NORMAL:-VERS-ALL:" + additions, nil))
        }
        try check("gnutls_credentials_set", gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(certificates)))
        if !settings.alpn.isEmpty {
            try setALPN(settings)
        }
        if let transport = self.transport {
            gnutls_transport_set_ptr(session, Unmanaged.passUnretained(transport).toOpaque())
            gnutls_transport_set_push_function(session, interposedPush)
            gnutls_transport_set_pull_function(session, interposedPull)
        } else {
            gnutls_transport_set_int2(session, socket, socket)
        }
        if settings.protocolVersion.isDatagram {
            try configureDatagram(settings)
        }
        if settings.role == .server && settings.sessionTickets, let key = GnuTLSTicketKey.shared.datum() {
            try check("gnutls_session_ticket_enable_server", gnutls_session_ticket_enable_server(session, key))
        }
        if settings.role == .client, let saved = settings.resumeWith {
            let status = saved.withUnsafeBytes { gnutls_session_set_data(session, $0.baseAddress, $0.count) }
            try check("gnutls_session_set_data", status)
            resuming = true
        }
        if settings.role == .server, let policy = settings.earlyData, policy.isServerPolicy {
            try check("gnutls_record_set_max_early_data_size", gnutls_record_set_max_early_data_size(session, settings.maxEarlyData))
            // Declining is leaving the anti-replay context out: GnuTLS then rejects early data itself.
            if policy == .accept {
                guard let antiReplay = GnuTLSAntiReplay.shared.current() else {
                    throw SessionSetupError("gnutls_anti_replay_init failed", raw: Self.raw("gnutls_anti_replay_init", GNUTLS_E_MEMORY_ERROR))
                }
                gnutls_anti_replay_enable(session, antiReplay)
            }
        }
    }

    func configureDatagram(_ settings: EndpointSettings) throws(SessionSetupError) {
        isDatagram = true
        gnutls_dtls_set_mtu(session, UInt32(settings.dtlsMTU ?? 1200))
        // Required in nonblocking DTLS: GnuTLS calls it with a zero timeout to ask whether a datagram is waiting.
        gnutls_transport_set_pull_timeout_function(session, interposedPullTimeout)
        if let initial = settings.dtlsInitialTimeout {
            let milliseconds = max(1, UInt32(clamping: initial.components.seconds * 1000 + initial.components.attoseconds / 1_000_000_000_000_000))
            gnutls_dtls_set_timeouts(session, milliseconds, 60_000)
        }
        if settings.role == .server && settings.cookieExchange {
            try check("gnutls_key_generate", gnutls_key_generate(&cookieKey, UInt32(GNUTLS_COOKIE_KEY_SIZE)))
        }
    }

    deinit {
        if let session {
            SecretLogRegistry.remove(session)
            gnutls_deinit(session)
        }
        // The credentials belong to GnuTLSCredentialCache.
        free(verifiedName)
        if cookieKey.data != nil { CGnuTLS_gnutls_free(cookieKey.data) }
    }

    func setALPN(_ settings: EndpointSettings) throws(SessionSetupError) {
        var flags: UInt32 = 0
        if settings.role == .server {
            if settings.gnuTLSALPNRejection != .notMandatory { flags |= GNUTLS_ALPN_MANDATORY.rawValue }
            if settings.gnuTLSALPNServerPrecedence { flags |= GNUTLS_ALPN_SERVER_PRECEDENCE.rawValue }
        }
        let names = settings.alpn.map { Array($0.utf8) }
        let status = withGnuTLSDatums(names) { datums in
            gnutls_alpn_set_protocols(session, datums.baseAddress, UInt32(datums.count), flags)
        }
        guard status == 0 else {
            throw SessionSetupError(
                "GnuTLS rejected the ALPN list \(settings.alpn.map { "\"\($0.prefix(20))\"(\($0.utf8.count) bytes)" })",
                raw: Self.raw("gnutls_alpn_set_protocols", status))
        }
    }

    func check(_ call: String, _ status: Int32) throws(SessionSetupError) {
        guard status >= 0 else {
            throw SessionSetupError("\(call) failed: \(GnuTLSError.describe(status))", raw: Self.raw(call, status))
        }
    }

    static func raw(_ call: String, _ status: Int32, direction: Int? = nil, osError: Int32? = nil) -> RawResult {
        RawResult(
            call: call, returnValue: Int(status), code: status < 0 ? Int(status) : nil,
            codeName: status < 0 ? GnuTLSError.name(status) : nil,
            reason: status < 0 ? String(cString: gnutls_strerror(status)) : nil, direction: direction,
            osError: osError == 0 ? nil : osError)
    }

    // MARK: Operations

    func handshake() -> StepResult {
        if let pending = pendingAlert {
            return sendAlert(after: pending.error, code: pending.code, level: pending.level)
        }
        let status = observed { gnutls_handshake(session) }
        guard status < 0 else {
            handshakeDone = true
            completedHandshakes += 1
            if role == .server && acceptsALPN && negotiatedALPN == nil {
                notes.append("GNUTLS_ALPN_MANDATORY did not apply: the client sent no ALPN extension")
            }
            return StepResult(.ok(0), raw: Self.raw("gnutls_handshake", status))
        }
        let result = mapFailure("gnutls_handshake", status)
        if role == .server, alpnRejection == .conforming, !result.outcome.isRetry, gnutls_error_is_fatal(status) != 0,
            !isAlertOrTransportFailure(result.outcome)
        {
            // GnuTLS leaves alerts to the application: a conforming server reports why it gave up.
            var level: Int32 = 0
            let code = gnutls_error_to_alert(status, &level)
            if code >= 0 {
                notes.append("handshake failed with \(GnuTLSError.name(status)); sending alert \(code) via gnutls_alert_send_appropriate")
                return sendAlert(after: status, code: UInt8(code), level: UInt8(level))
            }
        }
        return result
    }

    func isAlertOrTransportFailure(_ outcome: Outcome) -> Bool {
        switch outcome {
        case .alertReceived, .eof, .reset: true
        default: false
        }
    }

    /// The conforming server's alert after a failed handshake. The step's raw result is this call's; the handshake's
    /// error it answers is named in the reason.
    func sendAlert(after error: Int32, code: UInt8, level: UInt8) -> StepResult {
        let call = "gnutls_alert_send_appropriate"
        let status = observed { gnutls_alert_send_appropriate(session, error) }
        if status == GNUTLS_E_AGAIN || status == GNUTLS_E_INTERRUPTED {
            pendingAlert = (error, code, level)
            return mapFailure(call, status)
        }
        pendingAlert = nil
        guard status == 0 else { return mapFailure(call, status) }
        var raw = Self.raw(call, status)
        raw.reason = "after gnutls_handshake=\(error) \(GnuTLSError.name(error))"
        return StepResult(level == 2 ? .alertSent(code) : .protocolError, raw: raw)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> StepResult {
        let count = observed { gnutls_record_recv(session, buffer.baseAddress, buffer.count) }
        if count > 0 { return StepResult(.ok(count), raw: Self.raw("gnutls_record_recv", Int32(clamping: count))) }
        if count == 0 { return StepResult(.eof(.clean), raw: Self.raw("gnutls_record_recv", 0)) }
        return mapFailure("gnutls_record_recv", Int32(clamping: count))
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> StepResult {
        let count = observed { gnutls_record_send(session, bytes.baseAddress, bytes.count) }
        if count >= 0 { return StepResult(.ok(count), raw: Self.raw("gnutls_record_send", Int32(clamping: count))) }
        return mapFailure("gnutls_record_send", Int32(clamping: count))
    }

    func shutdown(_ mode: ShutdownMode) -> StepResult {
        let how = mode == .closeNotify ? GNUTLS_SHUT_WR : GNUTLS_SHUT_RDWR
        let call = mode == .closeNotify ? "gnutls_bye(GNUTLS_SHUT_WR)" : "gnutls_bye(GNUTLS_SHUT_RDWR)"
        let status = observed { gnutls_bye(session, how) }
        guard status < 0 else {
            return StepResult(mode == .closeNotify ? .closeNotifySent : .closeComplete, raw: Self.raw(call, status))
        }
        return mapFailure(call, status)
    }

    func sendWarningAlert(_ code: UInt8) -> StepResult {
        let call = "gnutls_alert_send(GNUTLS_AL_WARNING, \(code))"
        let status = observed { gnutls_alert_send(session, GNUTLS_AL_WARNING, gnutls_alert_description_t(UInt32(code))) }
        guard status < 0 else { return StepResult(.ok(0), raw: Self.raw(call, status)) }
        return mapFailure(call, status)
    }

    func sendSessionTicket() -> StepResult {
        let status = observed { gnutls_session_ticket_send(session, 1, 0) }
        guard status < 0 else { return StepResult(.ok(0), raw: Self.raw("gnutls_session_ticket_send", status)) }
        return mapFailure("gnutls_session_ticket_send", status)
    }

    func sendKeyUpdateNotRequested() -> StepResult {
        let status = observed { gnutls_session_key_update(session, 0) }
        guard status < 0 else { return StepResult(.ok(0), raw: Self.raw("gnutls_session_key_update(0)", status)) }
        return mapFailure("gnutls_session_key_update(0)", status)
    }

    func requestKeyUpdate() -> StepResult {
        let status = observed { gnutls_session_key_update(session, UInt32(GNUTLS_KU_PEER)) }
        guard status < 0 else { return StepResult(.ok(0), raw: Self.raw("gnutls_session_key_update(GNUTLS_KU_PEER)", status)) }
        return mapFailure("gnutls_session_key_update(GNUTLS_KU_PEER)", status)
    }

    var pendingBytes: Int { gnutls_record_check_pending(session) }

    var resumptionData: [UInt8]? {
        var datum = gnutls_datum_t()
        guard gnutls_session_get_data2(session, &datum) == 0, let data = datum.data else { return nil }
        defer { CGnuTLS_gnutls_free(data) }
        return Array(UnsafeBufferPointer(start: data, count: Int(datum.size)))
    }

    var wasResumed: Bool { gnutls_session_is_resumed(session) != 0 }

    var negotiatedALPN: String? {
        var selected = gnutls_datum_t()
        guard gnutls_alpn_get_selected_protocol(session, &selected) == 0, let data = selected.data else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(selected.size)), as: UTF8.self)
    }

    var negotiatedVersion: ProtocolVersion? {
        guard handshakeDone else { return nil }
        switch gnutls_protocol_get_version(session) {
        case GNUTLS_TLS1_3: return .tls13
        case GNUTLS_TLS1_2: return .tls12
        case GNUTLS_DTLS1_2: return .dtls12
        default: return nil
        }
    }

    /// Makes one call into GnuTLS with `errno` cleared and the alerts it logs going to this session's recorder.
    func observed<Status: BinaryInteger>(_ body: () -> Status) -> Status {
        errno = 0
        let status = GnuTLSAlertLog.observing(alertRecorder, body)
        alertRecorder.callEnded(interrupted: status == GNUTLS_E_AGAIN || status == GNUTLS_E_INTERRUPTED)
        return status
    }

    /// `gnutls_certificate_verification_status_print` of the failed verification (the session's own, or the status
    /// `gnutls_certificate_verify_peers2` gave), for the trace.
    func verificationStatus(_ given: UInt32? = nil) -> String {
        let status = given ?? gnutls_session_get_verify_cert_status(session)
        var text = gnutls_datum_t()
        guard gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0, let data = text.data else {
            return "status \(status)"
        }
        defer { CGnuTLS_gnutls_free(data) }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(text.size)), as: UTF8.self)
    }

    /// The one place where a negative GnuTLS return (with `gnutls_record_get_direction`) becomes a neutral outcome.
    func mapFailure(_ call: String, _ status: Int32) -> StepResult {
        let savedErrno = errno
        let outcome: Outcome
        var direction: Int?
        switch status {
        case GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED:
            let value = Int(gnutls_record_get_direction(session))
            direction = value
            outcome = value == 1 ? .wantWrite : .wantRead
        case GNUTLS_E_PREMATURE_TERMINATION:
            outcome = .eof(.unexpected)
        case GNUTLS_E_REHANDSHAKE:
            outcome = .renegotiationRequested
        case GNUTLS_E_GOT_APPLICATION_DATA:
            outcome = .applicationDataInHandshake
        case GNUTLS_E_REAUTH_REQUEST:
            outcome = .certificateRequested
        case GNUTLS_E_FATAL_ALERT_RECEIVED, GNUTLS_E_WARNING_ALERT_RECEIVED:
            let code = UInt8(truncatingIfNeeded: gnutls_alert_get(session).rawValue)
            let level: UInt8 = status == GNUTLS_E_FATAL_ALERT_RECEIVED ? 2 : 1
            outcome = level == 2 ? .alertReceived(code) : (code == 0 ? .eof(.clean) : .warningReceived(code))
        case GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
            notes.append("certificate verification: " + verificationStatus())
            outcome = .protocolError
        // ECONNREFUSED is how a connected UDP socket reports the peer's ICMP port unreachable: DTLS's reset.
        case GNUTLS_E_PUSH_ERROR where [ECONNRESET, EPIPE, ECONNREFUSED].contains(savedErrno),
            GNUTLS_E_PULL_ERROR where [ECONNRESET, EPIPE, ECONNREFUSED].contains(savedErrno):
            outcome = .reset
        default:
            outcome = .protocolError
        }
        return StepResult(outcome, raw: Self.raw(call, status, direction: direction, osError: savedErrno))
    }
}

/// Byte strings as the `gnutls_datum_t` array GnuTLS's list calls take (ALPN), valid inside `body`.
func withGnuTLSDatums<Result>(_ names: [[UInt8]], _ body: (UnsafeMutableBufferPointer<gnutls_datum_t>) -> Result) -> Result {
    let storage = names.map { name -> UnsafeMutableBufferPointer<UInt8> in
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(name.count, 1))
        _ = buffer.initialize(from: name)
        return buffer
    }
    defer { storage.forEach { $0.deallocate() } }
    var datums = zip(storage, names).map { gnutls_datum_t(data: $0.0.baseAddress, size: UInt32($0.1.count)) }
    return datums.withUnsafeMutableBufferPointer { body($0) }
}
