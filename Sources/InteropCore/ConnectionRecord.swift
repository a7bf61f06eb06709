/// Everything observed on one endpoint of one connection.
public struct ConnectionRecord: Sendable {
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
    /// Outcomes of `probeRead` / `probeWrite`, in order.
    public var probes: [String] = []
    /// What the interposed transport refused, when one was used (`read`/`write` → count).
    public var transportRefusals: [String: Int] = [:]
    /// The outcome that stopped the script early, if any.
    public var failure: Outcome?
    public var failedAction: String?
    public var skippedActions: [String] = []
    public var wantReadCount = 0
    public var wantWriteCount = 0
    public var completed = false

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
