import InteropCore

/// What a command-line tool printed (stdout and stderr, as lines) and how it exited, with the record it is being
/// read into: adapters look for their tool's lines and fill the record; `finish` adds the one trace entry.
struct ToolOutput {
    let lines: [String]
    let standardOutput: String
    /// The exit status, or -1 for a signal or a tool still running.
    let status: Int
    let tool: String
    var record: ConnectionRecord
    /// The line that decided the handshake outcome.
    var evidence: String?

    init(_ process: ChildProcess, library: TLSLibrary, role: EndpointRole, tool: String) {
        standardOutput = process.standardOutputText
        lines = (standardOutput + "\n" + process.standardErrorText).split(separator: "\n").map(String.init)
        status = process.termination.map { termination -> Int in
            if case .exited(let code) = termination { return Int(code) }
            return -1
        } ?? -1
        self.tool = tool
        record = ConnectionRecord(role: role, library: library, ordinal: 1)
    }

    func first(_ pattern: String) -> String? { lines.first { $0.contains(pattern) } }

    func number(after marker: String, in line: String) -> Int? {
        guard let range = line.range(of: marker) else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// The text after `marker` on its first line, e.g. the protocol after `ALPN protocol: `.
    func value(after marker: String) -> String? {
        first(marker).map { String($0.dropFirst(marker.count)) }
    }

    mutating func alert(_ code: Int, sent: Bool, line: String) {
        let alert = UInt8(clamping: code)
        record.handshake = sent ? .alertSent(alert) : .alertReceived(alert)
        record.alerts.append(AlertEvent(direction: sent ? .sent : .received, level: 2, code: alert))
        evidence = line
    }

    /// The record with the handshake step the output decided, raw values being the tool, its exit status and the
    /// deciding line.
    func finish() -> ConnectionRecord {
        var record = record
        record.trace.append(
            TraceEntry(
                action: "handshake", outcome: record.handshake ?? .protocolError,
                raw: RawResult(call: tool, returnValue: status, reason: evidence)))
        record.notes.append("parsed from \(tool)'s output; exit status \(status)")
        record.completed = record.handshake == .ok(0)
        return record
    }
}
