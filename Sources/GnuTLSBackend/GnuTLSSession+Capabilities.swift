internal import CGnuTLS
import InteropCore

/// What a GnuTLS session can do beyond the core protocol: finish or drop an interrupted write without its data,
/// the DTLS cookie exchange, and the DTLS retransmission timer.
extension GnuTLSSession: ResumableWrite {
    func resumeWriteWithoutData() -> StepResult {
        let count = observed { gnutls_record_send(session, nil, 0) }
        if count >= 0 { return StepResult(.ok(count), raw: Self.raw("gnutls_record_send(NULL, 0)", Int32(clamping: count))) }
        return mapFailure("gnutls_record_send(NULL, 0)", Int32(clamping: count))
    }

    func discardQueuedWrite() -> StepResult {
        let dropped = observed { gnutls_record_discard_queued(session) }
        return StepResult(.ok(dropped), raw: Self.raw("gnutls_record_discard_queued", Int32(clamping: dropped)))
    }
}

extension GnuTLSSession: StatelessCookieExchange {

    func listen() -> StepResult {
        guard let datagrams = transport?.transport as? any DatagramTransport else {
            return StepResult(.localError, raw: RawResult(call: "gnutls_dtls_cookie_verify (no datagram transport)", returnValue: -1))
        }
        var buffer = [UInt8](repeating: 0, count: 2048)
        while true {
            let received = buffer.withUnsafeMutableBytes { datagrams.receive(into: $0) }
            guard case .transferred(let count) = received else {
                return StepResult(.wantRead, raw: RawResult(call: "gnutls_dtls_cookie_verify (waiting for a ClientHello)", returnValue: 0))
            }
            let datagram = Array(buffer[0..<count])
            var identity = datagrams.peerIdentity
            var prestate = gnutls_dtls_prestate_st()
            let verified = datagram.withUnsafeBytes { bytes in
                gnutls_dtls_cookie_verify(&cookieKey, &identity, identity.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count, &prestate)
            }
            if verified == 0 {
                datagrams.unreceive(datagram)
                gnutls_dtls_prestate_set(session, &prestate)
                return StepResult(.ok(0), raw: Self.raw("gnutls_dtls_cookie_verify", 0))
            }
            let sent = gnutls_dtls_cookie_send(
                &cookieKey, &identity, identity.count, &prestate, Unmanaged.passUnretained(transport!).toOpaque(), interposedPush)
            notes.append("cookie exchange: gnutls_dtls_cookie_verify=\(verified) (\(GnuTLSError.name(verified))), gnutls_dtls_cookie_send=\(sent)")
        }
    }
}

extension GnuTLSSession: RetransmissionTimerControl {
    var retransmissionTimer: Duration? {
        guard isDatagram else { return nil }
        return .milliseconds(Int64(gnutls_dtls_get_timeout(session)))
    }

    var timerReading: String {
        "gnutls_dtls_get_timeout=\(gnutls_dtls_get_timeout(session)) ms, gnutls_record_get_direction=\(gnutls_record_get_direction(session))"
    }

    func handleTimeout() -> StepResult {
        // GnuTLS retransmits from inside the interrupted call once its timer has expired; nothing to call first.
        StepResult(.ok(0), raw: RawResult(call: "(GnuTLS: retried call retransmits)", returnValue: 0))
    }
}

extension GnuTLSSession: Renegotiation {
    func renegotiate() -> StepResult {
        if role == .server && !rehandshakeSent {
            let status = observed { gnutls_rehandshake(session) }
            guard status >= 0 else { return mapFailure("gnutls_rehandshake", status) }
            rehandshakeSent = true
        }
        // The server then waits in gnutls_handshake for the client's new ClientHello (or its refusal); a client
        // starts the new handshake with the same call.
        return renegotiationHandshake()
    }

    func answerRenegotiation(_ policy: RenegotiationPolicy) -> StepResult {
        switch policy {
        case .accept:
            return renegotiationHandshake()
        case .refuse:
            let call = "gnutls_alert_send(GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION)"
            let status = observed { gnutls_alert_send(session, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION) }
            guard status < 0 else { return StepResult(.ok(0), raw: Self.raw(call, status)) }
            return mapFailure(call, status)
        }
    }

    private func renegotiationHandshake() -> StepResult {
        let status = observed { gnutls_handshake(session) }
        guard status < 0 else {
            completedHandshakes += 1
            rehandshakeSent = false
            return StepResult(.ok(0), raw: Self.raw("gnutls_handshake", status))
        }
        return mapFailure("gnutls_handshake", status)
    }
}

extension GnuTLSSession: PostHandshakeAuthentication {
    func requestClientCertificate() -> StepResult {
        if !certificateRequestArmed {
            // Set only now: before the handshake it would ask for the certificate in the handshake itself.
            gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST)
            certificateRequestArmed = true
        }
        let result = reauthenticate()
        if result.outcome == .ok(0) { certificateRequestArmed = false }
        // gnutls_reauth checks before it sends anything: GNUTLS_E_INVALID_REQUEST (a client that did not offer
        // post_handshake_auth, or TLS 1.2) is a local refusal.
        if result.raw.code == Int(GNUTLS_E_INVALID_REQUEST) { return StepResult(.localError, raw: result.raw) }
        return result
    }

    func answerCertificateRequest() -> StepResult {
        reauthenticate()
    }

    private func reauthenticate() -> StepResult {
        let status = observed { gnutls_reauth(session, 0) }
        guard status < 0 else { return StepResult(.ok(0), raw: Self.raw("gnutls_reauth", status)) }
        return mapFailure("gnutls_reauth", status)
    }

    var clientCertificateStatus: String? {
        var count: UInt32 = 0
        guard gnutls_certificate_get_peers(session, &count) != nil, count > 0 else { return "none" }
        var status: UInt32 = 0
        let verified = gnutls_certificate_verify_peers2(session, &status)
        guard verified == 0 else { return "unverified (\(GnuTLSError.name(verified)))" }
        return status == 0 ? "verified" : "unverified (\(verificationStatus(status)))"
    }
}

extension GnuTLSSession: EarlyDataExchange {
    var earlyDataAllowance: Int {
        resuming ? gnutls_record_get_max_early_data_size(session) : 0
    }

    func writeEarlyData(_ bytes: UnsafeRawBufferPointer) -> StepResult {
        // Only buffers the data; gnutls_handshake sends it after the ClientHello.
        let count = observed { gnutls_record_send_early_data(session, bytes.baseAddress, bytes.count) }
        if count >= 0 { return StepResult(.ok(count), raw: Self.raw("gnutls_record_send_early_data", Int32(clamping: count))) }
        let failure = mapFailure("gnutls_record_send_early_data", Int32(clamping: count))
        // More than the ticket allows is refused before anything is buffered: a local refusal.
        if count == GNUTLS_E_RECORD_LIMIT_REACHED { return StepResult(.localError, raw: failure.raw) }
        return failure
    }

    var earlyDataStatus: EarlyDataStatus {
        gnutls_session_get_flags(session) & GNUTLS_SFLAGS_EARLY_DATA.rawValue != 0 ? .accepted : .rejected
    }

    var readsEarlyDataBeforeHandshake: Bool { false }

    func readEarlyData(into buffer: UnsafeMutableRawBufferPointer) -> StepResult {
        let count = observed { gnutls_record_recv_early_data(session, buffer.baseAddress, buffer.count) }
        if count >= 0 { return StepResult(.ok(count), raw: Self.raw("gnutls_record_recv_early_data", Int32(clamping: count))) }
        if count == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE {
            // Nothing (more) was sent early.
            return StepResult(.ok(0), raw: Self.raw("gnutls_record_recv_early_data", Int32(clamping: count)))
        }
        return mapFailure("gnutls_record_recv_early_data", Int32(clamping: count))
    }
}

extension GnuTLSSession: SecretLogging {
    func logSecrets(to log: SecretLog) {
        guard let session else { return }
        secretLog = log
        SecretLogRegistry.register(session, log)
        gnutls_session_set_keylog_function(session, gnuTLSKeyLog)
    }
}

/// `gnutls_session_set_keylog_function`: GnuTLS hands over a label and a secret; the line needs the client random.
/// The log is found by the session (`SecretLogRegistry`): a QUIC stack holds the session's user pointer.
func gnuTLSKeyLog(_ session: gnutls_session_t?, _ label: UnsafePointer<CChar>?, _ secret: UnsafePointer<gnutls_datum_t>?) -> Int32 {
    guard let session, let label, let secret, let log = SecretLogRegistry.log(for: session) else { return 0 }
    var client = gnutls_datum_t()
    var server = gnutls_datum_t()
    gnutls_session_get_random(session, &client, &server)
    let clientRandom = client.data.map { Array(UnsafeBufferPointer(start: $0, count: Int(client.size))) } ?? []
    let secretBytes = secret.pointee.data.map { Array(UnsafeBufferPointer(start: $0, count: Int(secret.pointee.size))) } ?? []
    log.add(label: String(cString: label), clientRandom: clientRandom, secret: secretBytes)
    return 0
}
