/// Everything observed on one endpoint of one connection.
public struct ConnectionRecord: Sendable, Codable {
    public var role: EndpointRole
    public var library: TLSLibrary
    /// The connection's number on its endpoint, from 1.
    public var ordinal: Int
    public var trace: [TraceEntry] = []
    /// The handshake's final outcome, nil if it never ran.
    public var handshake: Outcome?
    public var negotiatedALPN: String?
    public var negotiatedVersion: ProtocolVersion?
    public var alerts: [AlertEvent] = []
    public var notes: [String] = []
    public var bytesWritten = 0
    public var writtenDigest = PayloadDigest().hexDigest
    public var bytesRead = 0
    public var readDigest = PayloadDigest().hexDigest
    /// How `readToEnd` ended: `eof(clean)`, `eof(unexpected)`, `reset`, an alert…
    public var endOfStream: Outcome?
    /// The final outcome of the last shutdown step.
    public var shutdown: Outcome?
    /// The final outcome of a `writeRetry` step's resumed call, or `notInterrupted`.
    public var retryOutcome: String?
    /// Digests of the byte strings a `writeRetry` step might have delivered, by label (`original`, `changed`, …).
    public var writeCandidates: [String: String] = [:]
    /// Reads served from bytes the library held while the transport had nothing (`readInChunks`).
    public var pendingReads = 0
    /// DTLS: every datagram this endpoint sent, with its flight and fate.
    public var datagramLog: [DatagramLogEntry] = []
    /// DTLS: datagram faults that were asked for but never fired (their datagram was never sent).
    public var unfiredDatagramFaults: [Int] = []
    /// Client of a scenario whose clients resume: whether this handshake resumed the previous client's session.
    public var resumed: Bool?
    /// DTLS: the largest datagram this endpoint was told it may send, when a scenario set one.
    public var dtlsMTU: Int?
    /// DTLS messages a fault was to drop that this endpoint never sent; nil when none was named or all were.
    public var unfiredMessageFaults: [String]?
    /// DTLS: expired retransmission timers the driver handled, and datagrams sent while handling them.
    public var timeoutsHandled = 0
    public var retransmissions = 0
    /// DTLS: the timer and direction calls' raw readings before, during and after the handshake (R8).
    public var timerReadings: [String] = []
    /// QUIC: the waits the library's timer bounded, the first `TimerWait.kept`; nil for other protocols.
    public var timerWaits: [TimerWait]?
    /// DTLS: what a loop that trusted those readings would do wrong (spin or stall), if anything.
    public var timerHazards: [String] = []
    /// Outcomes of `probeRead` / `probeWrite`, in order.
    public var probes: [String] = []
    /// What the harness's transport refused, when one was used (`read`/`write` → count), and how many of those
    /// refusals were injected.
    public var transportRefusals: [String: Int] = [:]
    public var injectedRefusals: [String: Int] = [:]
    /// The largest read an in-memory link handed the library (1 in one-byte mode).
    public var largestTransportDelivery = 0
    /// Requests to wait (WANT_READ/WANT_WRITE, GNUTLS_E_AGAIN + direction) checked against what really blocked.
    public var directionChecks = 0
    public var directionMismatches: [String] = []
    /// Requests to wait although nothing blocked (see `EndpointDriver`), e.g. GnuTLS's GNUTLS_E_AGAIN after it
    /// processed a post-handshake message.
    public var spuriousWaits: [String] = []
    /// The outcome that stopped the script early, if any.
    public var failure: Outcome?
    public var failedAction: String?
    public var skippedActions: [String] = []
    public var wantReadCount = 0
    public var wantWriteCount = 0
    public var completed = false
    /// Set when a report keeps a summary of `trace` (a passed cell's in results.json, `TraceSummary`): how many calls
    /// it leaves out in all. Nil when the trace is whole.
    public var omittedTraceEntries: Int?
    /// TLS 1.2 renegotiations this side completed after its first handshake; nil where none was asked for (so
    /// records of other cells stay as they were).
    public var renegotiations: Int?
    /// Server of a cell that asks for a client certificate after the handshake: `verified`, `none`,
    /// `unverified (why)`, or `requestFailed(outcome)` when the request ended the connection or was refused.
    public var clientCertificate: String?
    /// TLS 1.3 early data. Client: `notOffered`, `accepted`, `rejected`, or `refused(outcome)` when its early write
    /// failed. Server: the bytes it read early.
    public var earlyData: String?
    public var earlyDataRead: Int?

    public init(role: EndpointRole, library: TLSLibrary, ordinal: Int) {
        self.role = role
        self.library = library
        self.ordinal = ordinal
    }

    public var fatalAlertsSent: [UInt8] { alerts.filter { $0.direction == .sent && $0.isFatal }.map(\.code) }
    public var fatalAlertsReceived: [UInt8] { alerts.filter { $0.direction == .received && $0.isFatal }.map(\.code) }

    mutating func log(_ action: EndpointAction, _ result: StepResult) {
        log(action.description, result)
    }

    mutating func log(_ name: String, _ result: StepResult) {
        if let last = trace.last, last.action == name, last.outcome == result.outcome, last.raw == result.raw {
            trace[trace.count - 1].repeats += 1
        } else {
            trace.append(TraceEntry(action: name, outcome: result.outcome, raw: result.raw))
        }
    }
}
