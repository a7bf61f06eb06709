import InteropCore

/// The plain-text account of one cell: checks, both endpoints' traces with raw values, alerts, and how to rerun it.
public enum CellReportText {
    /// `full: false` (passed and not-applicable cells in the HTML and JUnit reports) keeps the checks and how to rerun,
    /// and points at `explain`, which prints the traces from results.json.
    /// Where a cell's capture and key log are, relative to the reports folder, and how to read them.
    static func evidenceLine(_ files: EvidenceFiles) -> String {
        "evidence (in the reports folder): " + (files.capture.map { "capture \($0), " } ?? "") + "key log \(files.keyLog)"
            + (files.tsharkCommand.map { "; decrypted: \($0)" } ?? "") + (files.note.map { " (\($0))" } ?? "")
    }

    public static func render(_ result: CellResult, versions: [TLSLibrary: String], full: Bool = true) -> String {
        var lines: [String] = []
        lines.append("cell: \(result.cell.displayName)")
        lines.append("id: \(result.cell.id)")
        lines.append("status: \(result.status.rawValue) — \(result.message)")
        lines.append("scenario: \(result.cell.scenario.summary)")
        lines.append("seed: \(result.seed)")
        lines.append("wall time: \(JUnitReport.seconds(result.duration)) s")
        lines.append("reproduce: \(result.reproduceCommand)")
        if let files = result.evidence?.files { lines.append(evidenceLine(files)) }
        lines.append("libraries: server \(versions[result.cell.server] ?? "?"), client \(versions[result.cell.client] ?? "?")")
        if !result.checks.isEmpty {
            lines.append("checks:")
            for check in result.checks {
                lines.append("  [\(check.mark)] \(check.field): expected \(check.expected), observed \(check.observed)")
            }
        }
        guard full else {
            lines.append("trace: tls-interop explain \(ShellWord.quoted(result.cell.id)) (both endpoints' calls and raw values, from results.json)")
            return lines.joined(separator: "\n")
        }
        if let observation = result.observation, observation.values[.retryOutcome] != "none" {
            lines.append("resumed write: returned \(observation.values[.retryOutcome] ?? "?"), server received "
                + "\(observation.values[.serverReceived] ?? "?"), accounting \(observation.values[.writeAccounting] ?? "?")")
        }
        if let divergence = result.divergence {
            lines.append("divergence \(divergence.id): \(divergence.reason)")
            lines.append("  recorded raw values: \(divergence.raw)")
            lines.append("  reference: \(divergence.reference)")
        }
        lines += result.peerOutput
        for record in result.clients { lines += recordLines(record) }
        for record in result.serverConnections { lines += recordLines(record) }
        return lines.joined(separator: "\n")
    }

    public static func recordLines(_ record: ConnectionRecord) -> [String] {
        var lines = ["\(record.role.rawValue) #\(record.ordinal) (\(record.library.rawValue)):"]
        for entry in record.trace {
            if let omitted = entry.omittedBefore { lines.append("  … \(omitted) more \(entry.action) calls") }
            lines.append("  " + entry.line)
        }
        if let omitted = record.omittedTraceEntries {
            lines.append("  (a passed cell's summary: \(omitted) calls left out of results.json; explain --rerun prints them all)")
        }
        if let failure = record.failure {
            lines.append("  stopped at \(record.failedAction ?? "?") with \(failure)"
                + (record.skippedActions.isEmpty ? "" : "; skipped \(record.skippedActions.joined(separator: ", "))"))
        }
        lines.append("  negotiated: version \(record.negotiatedVersion?.rawValue ?? "none"), ALPN \(record.negotiatedALPN ?? "none")")
        lines.append("  alerts: \(record.alerts.isEmpty ? "none" : record.alerts.map(\.description).joined(separator: ", "))")
        lines.append("  retries: wantRead \(record.wantReadCount), wantWrite \(record.wantWriteCount)")
        if record.largestTransportDelivery > 0 {
            lines.append("  largest read the link delivered: \(record.largestTransportDelivery) bytes")
        }
        if record.pendingReads > 0 {
            lines.append("  reads served from the library's buffer while the link was empty: \(record.pendingReads)")
        }
        if !record.transportRefusals.isEmpty {
            let refusals = record.transportRefusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("  interposed transport refused: \(refusals.joined(separator: ", "))")
        }
        if record.directionChecks > 0 {
            lines.append(
                "  direction checks: \(record.directionChecks), mismatches \(record.directionMismatches.count), "
                    + "spurious waits \(record.spuriousWaits.count)")
            for mismatch in record.directionMismatches { lines.append("    MISMATCH \(mismatch)") }
            for spurious in record.spuriousWaits { lines.append("    spurious \(spurious)") }
        }
        if !record.datagramLog.isEmpty {
            lines.append("  datagrams sent: \(record.datagramLog.count), retransmissions \(record.retransmissions), "
                + "timers handled \(record.timeoutsHandled)")
            for entry in record.datagramLog { lines.append("    \(entry)") }
            if !record.unfiredDatagramFaults.isEmpty {
                lines.append("    faults never fired: \(record.unfiredDatagramFaults.map { "#\($0)" }.joined(separator: ", "))")
            }
        }
        for reading in record.timerReadings { lines.append("  timer \(reading)") }
        for hazard in record.timerHazards { lines.append("  HAZARD \(hazard)") }
        if let shutdown = record.shutdown { lines.append("  shutdown: \(shutdown)") }
        if !record.probes.isEmpty { lines.append("  probes: \(record.probes.joined(separator: ", "))") }
        lines.append("  bytes: wrote \(record.bytesWritten) sha256 \(record.writtenDigest.prefix(16)), read \(record.bytesRead) sha256 \(record.readDigest.prefix(16))")
        for note in record.notes { lines.append("  note: \(note)") }
        return lines
    }
}
