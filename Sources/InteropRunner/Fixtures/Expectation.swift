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

    public static func < (lhs: ObservedField, rhs: ObservedField) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A value an expectation accepts: one exact observation, or any of several.
public enum ExpectedValue: Sendable, Hashable, CustomStringConvertible {
    case exactly(String)
    case oneOf([String])

    public func accepts(_ observed: String) -> Bool {
        switch self {
        case .exactly(let value): value == observed
        case .oneOf(let values): values.contains(observed)
        }
    }

    public var description: String {
        switch self {
        case .exactly(let value): value
        case .oneOf(let values): "one of [\(values.joined(separator: ", "))]"
        }
    }
}

/// What a scenario requires, field by field.
public struct Expectation: Sendable, Hashable {
    public var fields: [ObservedField: ExpectedValue]

    public init(_ fields: [ObservedField: ExpectedValue]) {
        self.fields = fields
    }

    /// The fatal alerts this expectation lets arrive when it does not say so itself: any of those its outcomes name
    /// (`alertSent(120)` means the peer receives 120), none otherwise.
    public var impliedFatalAlerts: ExpectedValue {
        var codes: Set<UInt8> = []
        for value in fields.values {
            let texts: [String] = switch value {
            case .exactly(let text): [text]
            case .oneOf(let texts): texts
            }
            for text in texts {
                switch Outcome(parsing: text) {
                case .alertSent(let code)?, .alertReceived(let code)?: codes.insert(code)
                default: break
                }
            }
        }
        let ordered = codes.sorted()
        // Every subset: a scenario that allows one of several outcomes allows their alerts to be absent too.
        let subsets = (0..<(1 << ordered.count)).map { mask in
            ordered.indices.filter { mask & (1 << $0) != 0 }.map { ordered[$0] }
        }
        let texts = subsets.map(Self.fatalAlertsText)
        return texts.count == 1 ? .exactly(texts[0]) : .oneOf(texts)
    }

    /// The textual form of a set of alert codes, as observations and fixtures write it: `none` or
    /// `decode_error(50), no_application_protocol(120)`.
    public static func fatalAlertsText(_ codes: [UInt8]) -> String {
        let distinct = Set(codes).sorted()
        return distinct.isEmpty ? "none" : distinct.map { "\(AlertEvent.name(of: $0))(\($0))" }.joined(separator: ", ")
    }
}
