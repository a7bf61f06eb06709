import InteropCore

/// Runs a cell with both endpoints on one event loop in this process, over loopback sockets or in-memory links.
public struct InProcessCellRunner: Sendable {
    public var credentials: Credentials
    public var deadline: Duration
    public var divergences: DivergenceCatalog
    public var libraries: LibraryRegistry
    /// Record what the in-memory links carry and the sessions' secrets, for wire evidence.
    public var keepsEvidence = false

    public init(credentials: Credentials, deadline: Duration, divergences: DivergenceCatalog, libraries: LibraryRegistry) {
        self.credentials = credentials
        self.deadline = deadline
        self.divergences = divergences
        self.libraries = libraries
    }

    public func execute(_ cell: Cell, seed: UInt64) -> CellRun {
        let clock = ContinuousClock()
        let started = clock.now
        let plan = CellPlan(cell: cell, seed: seed, credentials: credentials, libraries: libraries)
        if let reason = plan.notApplicableReason { return .notApplicable(reason) }
        let evidence = keepsEvidence ? CellEvidence(isDatagram: cell.protocolVersion.isDatagram) : nil
        let link: CellLink
        do {
            link = try plan.makeLink(capture: evidence?.capture)
        } catch {
            return .harnessError("cannot listen on loopback: \(error)")
        }
        // A cell over loopback sockets is captured where it passes: the server's port, and the relay's.
        if let evidence, let bound = link.listener as? any BoundListener {
            evidence.watchLoopback(ports: Set([bound.address.port] + (link.relay.map { [$0.address.port] } ?? [])))
        }
        let server = plan.makeServer(listener: link.listener)
        let clients = (1...cell.scenario.clientCount).map { plan.makeClient(ordinal: $0, dialer: link.dialer) }
        server.secretLog = evidence?.secrets
        if cell.scenario.client.datagramFaults.dropOnceClosing, let relay = link.relay {
            for client in clients {
                client.onActionStarted = { action in
                    if case .shutdown = action { relay.startedClosing(.client) }
                }
            }
        }
        for client in clients { client.secretLog = evidence?.secrets }
        if cell.scenario.client.resume {
            // Each client resumes the session of the one before it, so it starts once that one finished.
            for (previous, next) in zip(clients, clients.dropFirst()) { next.resumesAfter = previous }
        }
        let helpers: [any LoopParticipant] = link.relay.map { [$0] } ?? []
        var run = CellRun()
        run.ending = InProcessLoop(deadline: cell.scenario.deadline(under: deadline)).run([server] + clients + helpers)
        run.serverConnections = server.connections
        run.clients = clients.map(\.record)
        link.attachRelayLogs(clients: &run.clients, server: &run.serverConnections)
        run.harnessError = server.listenerFailure
        run.duration = started.duration(to: clock.now)
        evidence?.finishLoopback()
        run.evidence = evidence
        return run
    }
}
