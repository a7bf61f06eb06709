import InteropCore

/// Checks a recorded library call against the C API, independently of the backends' own mapping code: the return
/// value must be one the call can return together with the error code recorded beside it, and the neutral outcome
/// must be the one that return value and code mean. Written from the manual pages (SSL_get_error(3),
/// SSL_do_handshake(3), SSL_read_ex(3), SSL_shutdown(3), DTLSv1_listen(3), DTLSv1_handle_timeout(3); gnutls_handshake,
/// gnutls_record_recv/send, gnutls_bye, gnutls_record_get_direction), not from the harness.
enum RawValueAudit {
    /// A problem with one trace entry, or nil when it is what the C API allows.
    static func problem(with entry: TraceEntry) -> String? {
        let raw = entry.raw
        let call = raw.call
        if harnessSteps.contains(where: { call.hasPrefix($0) }) || entry.outcome == .timeout { return nil }
        // The harness's refusals of a step a protocol or library does not offer, e.g. "listen (QUIC validates …)".
        if entry.outcome == .localError && (call.contains(" (") || entry.action == "setup") { return nil }
        if let family = openSSLCalls[call] { return openSSL(entry, family) }
        if ngtcp2Calls.contains(where: { call.hasPrefix($0) }) { return ngtcp2(entry) }
        // The longest name that begins the call: gnutls_record_recv_early_data is not gnutls_record_recv.
        if let family = gnuTLSCalls.filter({ call.hasPrefix($0.key) }).max(by: { $0.key.count < $1.key.count })?.value {
            return gnuTLS(entry, family)
        }
        return "\(call) is a call the audit does not know; add it to RawValueAudit"
    }

    /// Entries the harness writes for its own socket steps and waits; no library returned them.
    static let harnessSteps = [
        "shutdown(SHUT_WR)", "close with SO_LINGER 0", "setsockopt(SO_LINGER)", "send", "recv", "refuseWrites",
        "(GnuTLS: retried call retransmits)", "gnutls_dtls_cookie_verify (waiting for a ClientHello)",
        "resume without data (not offered", "discard queued (not offered", "client Finished read (info callback)",
    ]

    enum OpenSSLFamily {
        /// 1 success; 0 or -1 failure (`SSL_do_handshake`, `SSL_accept`-style): -1 for retries.
        case handshake
        /// `_ex` calls and friends: 1 success, 0 failure.
        case exStyle
        /// `SSL_shutdown`: 1 complete, 0 sent, -1 failure.
        case shutdown
        /// `DTLSv1_listen`: 1 ready, 0 no valid ClientHello yet, -1 failure.
        case listen
        /// `DTLSv1_handle_timeout`: 0 nothing due, 1 handled, -1 failure.
        case handleTimeout
        /// `SSL_peek_ex` while a renegotiation is pending: 1 means application data waits to be read.
        case peek
        /// `SSL_renegotiate_pending`: 0 once no renegotiation is pending (the harness records only that).
        case pending
        /// `SSL_verify_client_post_handshake`: 1 queued; 0 refused by a check before any I/O (SSL_verify_client_post_handshake(3)).
        case queueOnly
        /// `SSL_read_early_data`: 1 data read, 2 no more early data, 0 failure (SSL_read_early_data(3)).
        case readEarly
    }

    static let openSSLCalls: [String: OpenSSLFamily] = [
        "SSL_do_handshake": .handshake, "SSL_read_ex": .exStyle, "SSL_write_ex": .exStyle,
        "SSL_write_ex2(SSL_WRITE_FLAG_CONCLUDE)": .exStyle, "SSL_stream_conclude": .exStyle, "SSL_key_update": .exStyle, "SSL_key_update(SSL_KEY_UPDATE_NOT_REQUESTED)": .exStyle, "SSL_new_session_ticket": .exStyle,
        "SSL_handle_events": .exStyle, "SSL_shutdown": .shutdown, "DTLSv1_listen": .listen,
        "DTLSv1_handle_timeout": .handleTimeout, "SSL_renegotiate": .exStyle, "SSL_peek_ex": .peek,
        "SSL_renegotiate_pending": .pending, "SSL_verify_client_post_handshake": .queueOnly,
        "SSL_write_early_data": .exStyle, "SSL_read_early_data": .readEarly,
    ]

    private static func openSSL(_ entry: TraceEntry, _ family: OpenSSLFamily) -> String? {
        let raw = entry.raw
        let value = raw.returnValue
        let described = "\(entry.action) \(raw)"
        let successes: [Int: Set<String>] = switch family {
        case .handshake: [1: ["ok(0)"]]
        case .exStyle: [1: ["ok(*)"]]
        case .shutdown: [1: ["closeComplete"], 0: ["closeNotifySent"]]
        case .listen: [1: ["ok(0)"], 0: ["wantRead"]]
        case .handleTimeout: [0: ["ok(0)"], 1: ["ok(1)"]]
        case .peek: [1: ["applicationDataInHandshake"]]
        case .pending: [0: ["ok(0)"]]
        case .queueOnly: [1: ["ok(0)"]]
        case .readEarly: [1: ["ok(*)"], 2: ["ok(0)"]]
        }
        let failures: Set<Int> = switch family {
        case .handshake: [0, -1]
        case .exStyle, .peek, .queueOnly, .readEarly: [0]
        case .pending: []
        case .shutdown, .listen, .handleTimeout: [-1]
        }
        if let allowed = successes[value] {
            guard raw.codeName == "SSL_ERROR_NONE" else { return "\(described): a success must carry SSL_ERROR_NONE" }
            return matches(entry.outcome, allowed, count: nil) ? nil : "\(described): \(value) means \(allowed.sorted()), not \(entry.outcome)"
        }
        guard failures.contains(value) else { return "\(described): \(raw.call) cannot return \(value)" }
        guard let code = raw.code else { return "\(described): a failure without its SSL_get_error value" }
        // SSL_get_error: a retry comes from a call that returned -1 (or 0 for the _ex calls, which have no -1).
        if [2, 3].contains(code) && family == .handshake && value != -1 {
            return "\(described): SSL_do_handshake asks for a retry only by returning -1, not \(value)"
        }
        if family == .queueOnly { return entry.outcome == .localError ? nil : "\(described): a refused request is local, not \(entry.outcome)" }
        let allowed: Set<String> = switch code {
        case 2: ["wantRead"]
        case 3: ["wantWrite"]
        case 6: ["eof(clean)"]
        case 1, 5: ["reset", "eof(unexpected)", "alertReceived(*)", "alertSent(*)", "protocolError"]
        default: ["protocolError"]
        }
        return matches(entry.outcome, allowed, count: nil) ? nil : "\(described): SSL_get_error=\(code) means \(allowed.sorted()), not \(entry.outcome)"
    }

    /// ngtcp2 sessions report what the connection's state and callbacks show: the stream bytes a call took or
    /// delivered, a wait (0), the close's ngtcp2 error. Not one C return each, as OpenSSL's and GnuTLS's calls are.
    static let ngtcp2Calls = [
        "ngtcp2_conn_get_handshake_completed", "ngtcp2_conn_writev_stream", "ngtcp2_conn_write_connection_close",
        "ngtcp2_conn_handle_expiry", "recv_stream_data", "acked_stream_data_offset (waiting)", "stream_close (RESET_STREAM)",
    ]

    private static func ngtcp2(_ entry: TraceEntry) -> String? {
        let raw = entry.raw
        let described = "\(entry.action) \(raw)"
        switch entry.outcome {
        case .ok(let count):
            if raw.call == "ngtcp2_conn_handle_expiry" { return raw.returnValue == 0 ? nil : "\(described): handled means 0" }
            if raw.call == "ngtcp2_conn_get_handshake_completed" { return raw.returnValue == 1 ? nil : "\(described): completed means 1" }
            return raw.returnValue == count ? nil : "\(described): ok(\(count)) must report \(count)"
        case .wantRead:
            return raw.returnValue == 0 ? nil : "\(described): a wait reports 0"
        case .closeNotifySent, .eof(.clean), .reset:
            return raw.returnValue == 0 ? nil : "\(described): reports 0"
        case .closeComplete:
            return raw.returnValue == 1 ? nil : "\(described): a close sent reports 1"
        default:
            // A closed connection: ngtcp2's error (NGTCP2_ERR_*, negative) or 0 for a close without one.
            guard raw.returnValue <= 0 else { return "\(described): an ngtcp2 error is negative" }
            return raw.returnValue == 0 || raw.codeName != nil ? nil : "\(described): an ngtcp2 error needs its name"
        }
    }

    enum GnuTLSFamily {
        /// 0 success, a negative GNUTLS_E_* code on failure.
        case status(success: Set<String>)
        /// A byte count (≥ 0) on success.
        case count
        /// `gnutls_record_recv`: bytes, 0 for the peer's close_notify, negative on failure.
        case receive
    }

    static let gnuTLSCalls: [String: GnuTLSFamily] = [
        "gnutls_handshake": .status(success: ["ok(0)"]),
        "gnutls_bye(GNUTLS_SHUT_WR)": .status(success: ["closeNotifySent"]),
        "gnutls_bye(GNUTLS_SHUT_RDWR)": .status(success: ["closeComplete"]),
        "gnutls_alert_send_appropriate": .status(success: ["alertSent(*)", "protocolError"]),
        "gnutls_session_key_update(GNUTLS_KU_PEER)": .status(success: ["ok(0)"]),
        "gnutls_session_key_update(0)": .status(success: ["ok(0)"]),
        "gnutls_session_ticket_send": .status(success: ["ok(0)"]),
        "gnutls_alert_send(GNUTLS_AL_WARNING, ": .status(success: ["ok(0)"]),
        "gnutls_rehandshake": .status(success: ["ok(0)"]),
        "gnutls_reauth": .status(success: ["ok(0)"]),
        "gnutls_dtls_cookie_verify": .status(success: ["ok(0)"]),
        "gnutls_record_send_early_data": .count,
        "gnutls_record_recv_early_data": .count,
        "gnutls_record_send": .count,
        "gnutls_record_discard_queued": .count,
        "gnutls_record_recv": .receive,
    ]

    private static func gnuTLS(_ entry: TraceEntry, _ family: GnuTLSFamily) -> String? {
        let raw = entry.raw
        let value = raw.returnValue
        let described = "\(entry.action) \(raw)"
        if value >= 0 {
            guard raw.code == nil else { return "\(described): a success carries no error code" }
            let allowed: Set<String> = switch family {
            case .status(let success): value == 0 ? success : []
            case .count: ["ok(*)"]
            case .receive: value == 0 ? ["eof(clean)"] : ["ok(*)"]
            }
            guard !allowed.isEmpty else { return "\(described): \(raw.call) returns 0 on success, not \(value)" }
            return matches(entry.outcome, allowed, count: value) ? nil : "\(described): \(value) means \(allowed.sorted()), not \(entry.outcome)"
        }
        if case .count = family, raw.call == "gnutls_record_discard_queued" { return "\(described): returns a size_t" }
        guard raw.code == value, raw.codeName?.hasPrefix("GNUTLS_E_") == true else {
            return "\(described): the error code must be the returned GNUTLS_E_* value"
        }
        let allowed: Set<String>
        switch value {
        case -28, -52:  // GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED: gnutls_record_get_direction says which.
            guard let direction = raw.direction else { return "\(described): GNUTLS_E_AGAIN without gnutls_record_get_direction" }
            allowed = [direction == 1 ? "wantWrite" : "wantRead"]
        case -110: allowed = ["eof(unexpected)"]  // GNUTLS_E_PREMATURE_TERMINATION
        case -12: allowed = ["alertReceived(*)"]  // GNUTLS_E_FATAL_ALERT_RECEIVED
        case -16: allowed = ["alertReceived(*)", "eof(clean)", "warningReceived(*)"]  // GNUTLS_E_WARNING_ALERT_RECEIVED
        case -37: allowed = ["renegotiationRequested"]  // GNUTLS_E_REHANDSHAKE
        case -38: allowed = ["applicationDataInHandshake"]  // GNUTLS_E_GOT_APPLICATION_DATA
        case -424: allowed = ["certificateRequested"]  // GNUTLS_E_REAUTH_REQUEST
        case -50 where raw.call == "gnutls_reauth": allowed = ["localError"]  // GNUTLS_E_INVALID_REQUEST, checked before any I/O
        case -39 where raw.call == "gnutls_record_send_early_data": allowed = ["localError"]  // GNUTLS_E_RECORD_LIMIT_REACHED, before buffering
        case -56 where raw.call == "gnutls_record_recv_early_data": allowed = ["ok(0)"]  // GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE: none (left)
        case -53, -54: allowed = ["reset", "protocolError"]  // GNUTLS_E_PUSH_ERROR, GNUTLS_E_PULL_ERROR
        default: allowed = ["protocolError", "alertSent(*)"]
        }
        return matches(entry.outcome, allowed, count: nil) ? nil : "\(described): \(value) means \(allowed.sorted()), not \(entry.outcome)"
    }

    /// `ok(*)` accepts any count, or only `count` for a call that returns its byte count.
    private static func matches(_ outcome: Outcome, _ allowed: Set<String>, count expected: Int?) -> Bool {
        if allowed.contains(outcome.description) { return true }
        switch outcome {
        case .ok(let count): return allowed.contains("ok(*)") && (expected == nil || count == expected)
        case .alertSent: return allowed.contains("alertSent(*)")
        case .alertReceived: return allowed.contains("alertReceived(*)")
        case .warningReceived: return allowed.contains("warningReceived(*)")
        default: return false
        }
    }
}
