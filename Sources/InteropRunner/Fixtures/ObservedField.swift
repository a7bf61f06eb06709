import InteropCore

/// The observable facts a scenario can make claims about. Each has one neutral textual form, so that an
/// expectation, an observation and a documented divergence are compared as the same kind of value.
public enum ObservedField: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `completed`, or the neutral outcome that ended the client's handshake, e.g. `alertReceived(120)`.
    case clientHandshake
    /// `completed`, the outcome that ended the server's handshake, or `noConnection`.
    case serverHandshake
    /// The protocol ALPN settled on as the client sees it, or `none`.
    case negotiatedALPN
    /// `agree` when both ends report the same ALPN result, otherwise both values.
    case alpnAgreement
    /// `true` when every byte each client sent came back unchanged and the server read exactly those bytes.
    case echoIntact
    /// How the client's read loop ended, e.g. `eof(clean)`; `notReached` if it never read.
    case clientEndOfStream
    /// How the server's read loop ended.
    case serverEndOfStream
    /// The final outcome of the client's last shutdown step, e.g. `closeComplete`; `notReached` if none ran.
    case clientShutdown
    /// The final outcome of the server's last shutdown step.
    case serverShutdown
    /// `true` when the server read exactly the bytes the clients wrote.
    case deliveredToServer
    /// `true` when each client read exactly the bytes the server wrote to it.
    case deliveredToClient
    /// The outcomes of the client's `probeRead`/`probeWrite` steps, e.g. `probeWrite=localError`.
    case clientProbes
    /// The outcomes of the server's probes.
    case serverProbes
    /// `consistent` when every request to wait (WANT_READ/WANT_WRITE, GNUTLS_E_AGAIN with
    /// `gnutls_record_get_direction`) named the direction that really blocked; checked in every cell.
    case directionConsistency
    /// How many requests to wait came although nothing blocked, per endpoint, e.g. `client 2, server 0`.
    case spuriousWaits
    /// What a client's `writeRetry` step's resumed call returned, e.g. `ok(4096)`, `protocolError`, `notInterrupted`.
    case retryOutcome
    /// Which of the client's candidate byte strings the server read: `original`, `changed`, `firstHalf`, `longer`,
    /// `none`, or a byte count that matches none of them.
    case serverReceived
    /// `consistent` when the bytes the client believes it wrote are exactly the bytes the server read.
    case writeAccounting
    /// How the cell's event loop ended: `completed`, `timeout` (deadline) or `stalled` (no one could progress).
    /// Checked in every cell; expected `completed` unless a scenario says otherwise.
    case loopEnding
    /// DTLS: `fired` when every datagram fault the scenario asked for happened; checked in every cell that asks.
    case datagramFaults
    /// DTLS: `true` when some endpoint retransmitted after its timer expired.
    case retransmitted
    /// DTLS (R8): `none`, or what a loop trusting the timer and direction calls would get wrong.
    case timerHazards
    /// `none` when no application byte reached either end, otherwise the counts.
    case applicationData
    /// How many connections the server accepted.
    case serverConnections
    /// `ok`, or `localError` when the client's library refused its configuration before connecting.
    case clientSetup
    /// The most application bytes one successful write call of a client reported, e.g. `16384` when a library reports
    /// progress record by record; `none` if no write completed.
    case clientLargestWrite
    /// The fatal alerts either endpoint's library reported receiving, e.g. `bad_record_mac(20)`, or `none`. Checked in
    /// every cell: unless a scenario names it, only the alerts its other expected outcomes name may arrive.
    case fatalAlertsReceived
    /// Clients of a resuming scenario that resumed the previous client's session, by ordinal (`2, 3`), or `none`.
    case resumedClients
    /// DTLS with a smaller MTU: `true` when every datagram an endpoint sent fitted its MTU, else which did not
    /// (`server sent 266 bytes over its 256`); observed only where an MTU was set.
    case datagramsWithinMTU
    /// TLS 1.2 renegotiations each side completed after its first handshake, `server N, client M`; observed only in
    /// cells where one was asked for.
    case renegotiations
    /// TLS 1.3 post-handshake authentication, as the server's request left it: `verified`, `none` (an empty
    /// answer), `unverified (why)`, or `requestFailed(outcome)`; observed only in cells that ask for a certificate.
    case clientCertificate
    /// TLS 1.3 early data, each client in order: `notOffered`, `accepted`, `rejected`, or `refused(outcome)` when its
    /// library refused the early write (`notReached` for a client that never got that far); observed only in cells
    /// whose clients send early data.
    case earlyData
    /// QUIC: each client's probe timeouts while its handshake waited, by RFC 9002 §6.2's rule: `rfc9002` when the
    /// first is three times the initial RTT of 333 ms (900–1100 ms) and each next one doubles (×1.8–2.2) or, after a
    /// longer one, starts again from the initial timeout (the handshake moved on: a Retry, new keys); `none` when no
    /// probe timeout ran, else the timeouts (`1.0 s, 0.7 s`); observed only in QUIC cells.
    case probeTimeouts
    /// QUIC: what both ends' timers said at the same moments (`SSL_get_event_timeout`, `ngtcp2_conn_get_expiry`): at
    /// each of the client's first waits, its timer and the time the server's had left; informational.
    case timersAtSameMoments

    public static func < (lhs: ObservedField, rhs: ObservedField) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension ObservedField {
    /// Why `text` is not a value this field can be expected to take, or nil. Keeps a fixture's typo an error rather
    /// than a cell that can never pass.
    func problem(with text: String) -> String? {
        switch self {
        case .clientHandshake, .serverHandshake, .clientEndOfStream, .serverEndOfStream, .clientShutdown, .serverShutdown:
            let extra = ["completed", "noConnection", "notStarted", "notReached"]
            // Connections that differ are listed in order, " / " between them (what observations write).
            let parts = text.components(separatedBy: " / ")
            if parts.allSatisfy({ extra.contains($0) || Outcome(parsing: $0) != nil }) { return nil }
            return "is not an outcome (e.g. completed, eof(clean), alertReceived(120), localError, noConnection)"
        case .echoIntact, .deliveredToServer, .deliveredToClient:
            return ["true", "false"].contains(text) ? nil : "must be true or false"
        case .serverConnections:
            return Int(text) == nil ? "must be a number" : nil
        case .clientSetup:
            return ["ok", "localError"].contains(text) ? nil : "must be ok or localError"
        case .applicationData:
            return text == "none" ? nil : "can only be expected as none"
        case .alpnAgreement:
            return text == "agree" ? nil : "can only be expected as agree"
        case .retryOutcome:
            return text == "notInterrupted" || Outcome(parsing: text) != nil ? nil : "must be an outcome or notInterrupted"
        case .serverReceived:
            return ["original", "changed", "firstHalf", "longer", "none"].contains(text)
                ? nil : "must be original, changed, firstHalf, longer or none"
        case .writeAccounting:
            return text == "consistent" ? nil : "can only be expected as consistent"
        case .loopEnding:
            return ["completed", "timeout", "stalled"].contains(text) ? nil : "must be completed, timeout or stalled"
        case .datagramFaults:
            return text == "fired" ? nil : "can only be expected as fired"
        case .retransmitted:
            return ["true", "false"].contains(text) ? nil : "must be true or false"
        case .timerHazards:
            return text.isEmpty ? "must not be empty" : nil
        case .spuriousWaits:
            return text.isEmpty ? "must not be empty" : nil
        case .directionConsistency:
            return text == "consistent" ? nil : "can only be expected as consistent"
        case .clientProbes, .serverProbes:
            let valid = text.split(separator: ",").allSatisfy { item in
                let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                return parts.count == 2 && ["probeRead", "probeWrite"].contains(String(parts[0]))
                    && Outcome(parsing: String(parts[1])) != nil
            }
            return valid ? nil : "must list probes like probeWrite=localError, probeRead=eof(clean)"
        case .clientLargestWrite:
            return text == "none" || Int(text) != nil ? nil : "must be a byte count or none"
        case .fatalAlertsReceived:
            // Valid exactly when it is the form observations write for the codes it names.
            let codes = text.split(separator: "(").dropFirst().compactMap { UInt8($0.prefix { $0.isNumber }) }
            return text == Expectation.fatalAlertsText(codes)
                ? nil : "must be none or alerts in code order like decode_error(50), no_application_protocol(120)"
        case .negotiatedALPN:
            return text.isEmpty ? "must not be empty (use none)" : nil
        case .datagramsWithinMTU:
            return text == "true" ? nil : "can only be expected as true"
        case .probeTimeouts:
            let listed = text.components(separatedBy: ", ").allSatisfy { $0.hasSuffix(" s") && Double($0.dropLast(2)) != nil }
            return ["rfc9002", "none"].contains(text) || listed ? nil : "must be rfc9002, none, or timeouts like 1.0 s, 1.5 s"
        case .timersAtSameMoments:
            return "is informational: it shows the timers side by side and cannot be expected"
        case .resumedClients:
            let valid = text == "none" || text.split(separator: ",").allSatisfy { Int($0.trimmingCharacters(in: .whitespaces)) != nil }
            return valid ? nil : "must be none or client ordinals like 2, 3"
        case .renegotiations:
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ") }
            let valid = parts.count == 2 && parts[0].count == 2 && parts[0][0] == "server" && Int(parts[0][1]) != nil
                && parts[1].count == 2 && parts[1][0] == "client" && Int(parts[1][1]) != nil
            return valid ? nil : "must be like server 1, client 1"
        case .clientCertificate:
            if ["verified", "none"].contains(text) || text.hasPrefix("unverified (") { return nil }
            if text.hasPrefix("requestFailed("), text.hasSuffix(")"), Outcome(parsing: String(text.dropFirst("requestFailed(".count).dropLast())) != nil {
                return nil
            }
            return "must be verified, none, unverified (why) or requestFailed(outcome)"
        case .earlyData:
            let valid = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.allSatisfy { item in
                if EarlyDataStatus(rawValue: item) != nil || item == "notReached" { return true }
                guard item.hasPrefix("refused("), item.hasSuffix(")") else { return false }
                return Outcome(parsing: String(item.dropFirst("refused(".count).dropLast())) != nil
            }
            return valid ? nil : "must list each client's notOffered, accepted, rejected or refused(outcome), e.g. notOffered, accepted"
        }
    }
}

extension ObservedField {
    /// What only the server's own record shows: a target server (`run --target-server`) is not observed, so these
    /// are reported as not observable there, never as met. `applicationData` counts what both ends read.
    public static let serverSide: Set<ObservedField> = [
        .serverHandshake, .serverEndOfStream, .serverShutdown, .serverProbes, .serverReceived, .deliveredToServer,
        .deliveredToClient, .serverConnections, .writeAccounting, .alpnAgreement, .applicationData, .renegotiations,
        .clientCertificate,
    ]
}

extension ObservedField {
    /// What only the client's own record shows: a target client (`run --target-client`) is a command, not observed.
    public static let clientSide: Set<ObservedField> = [
        .clientHandshake, .clientEndOfStream, .clientShutdown, .clientProbes, .clientSetup, .clientLargestWrite,
        .negotiatedALPN, .alpnAgreement, .echoIntact, .deliveredToClient, .deliveredToServer, .serverReceived,
        .writeAccounting, .applicationData, .retryOutcome, .renegotiations, .resumedClients, .earlyData,
    ]

    /// What a cell in `mode` cannot observe.
    public static func unobservable(in mode: ExecutionMode) -> Set<ObservedField> {
        switch mode {
        case .targetServer: serverSide
        case .targetClient: clientSide
        default: []
        }
    }
}
