import InteropCore

/// The neutral facts of one run of a cell, computed from both endpoints' records, in the textual form that
/// expectations and divergences use.
public struct CellObservation: Sendable {
    public var values: [ObservedField: String]

    /// `serverObserved` false: the server is not the harness's (a target server), so only what the clients' records
    /// show is observed — the server-side fields are left out, and an intact echo is judged from the client alone.
    /// `clientObserved` false (a target client): the client-side fields are left out.
    public init(
        serverConnections: [ConnectionRecord], clients: [ConnectionRecord], payloadSize: Int, serverPayloadSize: Int = 0,
        loopEnding: String = "completed", serverObserved: Bool = true, clientObserved: Bool = true
    ) {
        var values: [ObservedField: String] = [:]
        values[.loopEnding] = loopEnding
        let all = clients + serverConnections
        let unfired = all.flatMap { record in
            record.unfiredDatagramFaults.map { "\(record.role.rawValue) #\($0)" } + (record.unfiredMessageFaults ?? []).map { "\(record.role.rawValue) \($0)" }
        }
        values[.datagramFaults] = unfired.isEmpty ? "fired" : "never fired: " + unfired.joined(separator: ", ")
        values[.retransmitted] = all.contains { $0.retransmissions > 0 } ? "true" : "false"
        // Per library, not per endpoint: which end of a pairing meets a hazard first depends on scheduling.
        let hazards = Set(all.flatMap { record in record.timerHazards.map { "\(record.library.rawValue): \($0)" } }).sorted()
        values[.timerHazards] = hazards.isEmpty ? "none" : hazards.joined(separator: "; ")
        values[.retryOutcome] = Self.merge(clients.map { $0.retryOutcome ?? "none" })
        values[.serverReceived] = Self.merge(zip(clients, serverConnections).map { client, server in
            if server.bytesRead == 0 { return "none" }
            return client.writeCandidates.first { $0.value == server.readDigest }?.key
                ?? "\(server.bytesRead) bytes matching no candidate"
        })
        let accounted = clients.map(\.writtenDigest).sorted() == serverConnections.map(\.readDigest).sorted()
        values[.writeAccounting] = accounted
            ? "consistent"
            : "clients believe they wrote \(clients.map(\.bytesWritten)) bytes, server read \(serverConnections.map(\.bytesRead))"
        values[.clientHandshake] = Self.merge(clients.map(Self.handshakeText))
        values[.serverHandshake] = serverConnections.isEmpty ? "noConnection" : Self.merge(serverConnections.map(Self.handshakeText))
        values[.negotiatedALPN] = Self.merge(clients.map { $0.negotiatedALPN ?? "none" })
        let clientALPN = clients.map { $0.negotiatedALPN ?? "none" }
        let serverALPN = serverConnections.map { $0.negotiatedALPN ?? "none" }
        values[.alpnAgreement] = clientALPN.sorted() == serverALPN.sorted()
            ? "agree" : "client \(clientALPN) server \(serverALPN)"
        let echoed = clients.allSatisfy {
            $0.bytesWritten == payloadSize && $0.bytesRead == payloadSize && $0.readDigest == $0.writtenDigest
        }
        let serverSaw = serverConnections.map(\.readDigest).sorted() == clients.map(\.writtenDigest).sorted()
        values[.echoIntact] = echoed && serverSaw ? "true" : "false"
        values[.clientEndOfStream] = Self.merge(clients.map { $0.endOfStream?.description ?? "notReached" })
        values[.serverEndOfStream] = Self.merge(serverConnections.map { $0.endOfStream?.description ?? "notReached" })
        values[.clientShutdown] = Self.merge(clients.map { $0.shutdown?.description ?? "notReached" })
        values[.serverShutdown] = Self.merge(serverConnections.map { $0.shutdown?.description ?? "notReached" })
        values[.deliveredToServer] = serverSaw && clients.allSatisfy { $0.bytesWritten == payloadSize } ? "true" : "false"
        values[.deliveredToClient] = clients.map(\.readDigest).sorted() == serverConnections.map(\.writtenDigest).sorted()
            && serverConnections.allSatisfy { $0.bytesWritten >= serverPayloadSize } ? "true" : "false"
        let mismatches = (clients + serverConnections).flatMap { record in
            record.directionMismatches.map { "\(record.role.rawValue) \(record.library.rawValue): \($0)" }
        }
        values[.directionConsistency] = mismatches.isEmpty ? "consistent" : mismatches.joined(separator: "; ")
        let clientSpurious = clients.map(\.spuriousWaits.count).reduce(0, +)
        let serverSpurious = serverConnections.map(\.spuriousWaits.count).reduce(0, +)
        values[.spuriousWaits] = clientSpurious + serverSpurious == 0 ? "none" : "client \(clientSpurious), server \(serverSpurious)"
        values[.clientProbes] = Self.merge(clients.map { $0.probes.isEmpty ? "none" : $0.probes.joined(separator: ", ") })
        values[.serverProbes] = Self.merge(serverConnections.map { $0.probes.isEmpty ? "none" : $0.probes.joined(separator: ", ") })
        let clientBytes = clients.map(\.bytesRead).reduce(0, +)
        let serverBytes = serverConnections.map(\.bytesRead).reduce(0, +)
        values[.applicationData] = clientBytes == 0 && serverBytes == 0
            ? "none" : "client read \(clientBytes) bytes, server read \(serverBytes) bytes"
        values[.serverConnections] = String(serverConnections.count)
        values[.clientSetup] = clients.contains { $0.failedAction == "setup" } ? "localError" : "ok"
        let writes = clients.flatMap { record in
            record.trace.filter { ["send", "echo", "sendConcluding", "echoConcluding"].contains($0.action) }.compactMap { entry in
                if case .ok(let count) = entry.outcome { count } else { nil }
            }
        }
        values[.clientLargestWrite] = writes.max().map(String.init) ?? "none"
        values[.fatalAlertsReceived] = Expectation.fatalAlertsText(all.flatMap(\.fatalAlertsReceived))
        if clients.contains(where: { $0.resumed != nil }) {
            let resumed = clients.filter { $0.resumed == true }.map { String($0.ordinal) }
            values[.resumedClients] = resumed.isEmpty ? "none" : resumed.joined(separator: ", ")
        }
        let oversized = all.compactMap { record -> String? in
            guard let mtu = record.dtlsMTU, let largest = record.datagramLog.map(\.size).max(), largest > mtu else { return nil }
            return "\(record.role.rawValue) sent \(largest) bytes over its \(mtu)"
        }
        if all.contains(where: { $0.dtlsMTU != nil }) {
            values[.datagramsWithinMTU] = oversized.isEmpty ? "true" : oversized.joined(separator: ", ")
        }
        if all.contains(where: { $0.renegotiations != nil }) {
            let server = serverConnections.compactMap(\.renegotiations).reduce(0, +)
            let client = clients.compactMap(\.renegotiations).reduce(0, +)
            values[.renegotiations] = "server \(server), client \(client)"
        }
        if clients.contains(where: { $0.earlyData != nil }) {
            values[.earlyData] = clients.sorted { $0.ordinal < $1.ordinal }.map { $0.earlyData ?? "notReached" }.joined(separator: ", ")
        }
        if all.contains(where: { $0.timerWaits != nil }) {
            values[.probeTimeouts] = Self.merge(clients.map { Self.probeTimeouts($0.timerWaits ?? []) })
            values[.timersAtSameMoments] = Self.sideBySide(client: clients.first?.timerWaits ?? [], server: serverConnections.first?.timerWaits ?? [])
        }
        if serverConnections.contains(where: { $0.clientCertificate != nil }) {
            values[.clientCertificate] = Self.merge(serverConnections.map { $0.clientCertificate ?? "notReached" })
        }
        if !serverObserved {
            for field in ObservedField.serverSide { values[field] = nil }
            values[.echoIntact] = echoed ? "true" : "false"
        }
        if !clientObserved {
            for field in ObservedField.clientSide { values[field] = nil }
        }
        self.values = values
    }

    private static func handshakeText(_ record: ConnectionRecord) -> String {
        switch record.handshake {
        case .ok?: "completed"
        case let outcome?: outcome.description
        case nil: record.failure?.description ?? "notStarted"
        }
    }

    /// One value when all connections agree, otherwise each distinct value in order of appearance.
    private static func merge(_ texts: [String]) -> String {
        var distinct: [String] = []
        for text in texts where !distinct.contains(text) { distinct.append(text) }
        return distinct.isEmpty ? "none" : distinct.joined(separator: " / ")
    }
}

extension CellObservation {
    /// The probe timeouts of a QUIC handshake's waits: each timer that bounded a handshake wait, once (the loop asks
    /// again whenever it wakes, and the same deadline comes back shorter), kept when it was armed for 500 ms or more
    /// (shorter ones are acknowledgement delays and pacing).
    static func probeTimeouts(_ waits: [TimerWait]) -> String {
        var timeouts: [Double] = []
        var lastDeadline: UInt64?
        for wait in waits where wait.step == "handshake" {
            guard let milliseconds = wait.milliseconds, let deadline = wait.deadline else { continue }
            // Within 5 ms of the previous deadline: the same timer, asked again.
            if let last = lastDeadline, deadline + 5000 >= last, deadline <= last + 5000 { continue }
            lastDeadline = deadline
            if milliseconds >= 500 { timeouts.append(milliseconds) }
        }
        guard let first = timeouts.first else { return "none" }
        // Each next timeout doubles (§6.2.1 backoff), or starts again from the initial one once the handshake has
        // moved on (a Retry, new keys) — told from a library that never backs off by the longer timeout before it.
        let initial = 900.0...1100.0
        let followsRule = zip(timeouts, timeouts.dropFirst()).allSatisfy { previous, next in
            (1.8...2.2).contains(next / previous) || (initial.contains(next) && previous > initial.upperBound)
        }
        if initial.contains(first) && followsRule { return "rfc9002" }
        return timeouts.map { String(format: "%.1f s", $0 / 1000) }.joined(separator: ", ")
    }

    /// At each of the client's first six waits: how long it had been since the first, the client's timer, and the
    /// time the server's timer had left then (from its latest reading; `-` before it had one).
    static func sideBySide(client: [TimerWait], server: [TimerWait]) -> String {
        guard let start = client.first?.at else { return "none" }
        func text(_ milliseconds: Double?) -> String { milliseconds.map { "\(Int($0.rounded())) ms" } ?? "none" }
        return client.prefix(6).map { wait in
            let serverLeft: String
            if let latest = server.last(where: { $0.at <= wait.at }) {
                serverLeft = latest.deadline.map { text(max(0, Double(Int64($0) - Int64(wait.at)) / 1000)) } ?? "none"
            } else {
                serverLeft = "-"
            }
            return "+\((wait.at - start) / 1000) ms: client \(text(wait.milliseconds)), server \(serverLeft)"
        }.joined(separator: "; ")
    }
}
