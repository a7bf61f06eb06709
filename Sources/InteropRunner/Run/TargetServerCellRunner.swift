import InteropCore

/// Runs a cell's Swift clients in this process against a server the user runs (`run --target-server`); only the
/// clients are observed, so the judging step reports what only the server could show as not observable.
public struct TargetServerCellRunner: Sendable {
    public var target: TargetAddress
    public var credentials: Credentials
    public var deadline: Duration
    public var divergences: DivergenceCatalog
    public var libraries: LibraryRegistry
    /// Keep the cell's loopback packets and the Swift side's secrets, for wire evidence.
    public var keepsEvidence = false

    public init(target: TargetAddress, credentials: Credentials, deadline: Duration, divergences: DivergenceCatalog, libraries: LibraryRegistry) {
        self.target = target
        self.credentials = credentials
        self.deadline = deadline
        self.divergences = divergences
        self.libraries = libraries
    }

    public func execute(_ cell: Cell, seed: UInt64) -> CellRun {
        let started = ContinuousClock.now
        let plan = CellPlan(cell: cell, seed: seed, credentials: credentials, libraries: libraries)
        if let reason = plan.notApplicableReason { return .notApplicable(reason) }
        let clients = (1...cell.scenario.clientCount).map { plan.makeClient(ordinal: $0, dialer: TCPDialer(address: target.address)) }
        // Wire evidence: what passes on loopback to the target's port, decrypted by the Swift clients' secrets.
        let evidence = keepsEvidence ? CellEvidence(isDatagram: false) : nil
        evidence?.watchLoopback(ports: [target.address.port])
        for client in clients { client.secretLog = evidence?.secrets }
        var run = CellRun()
        run.ending = InProcessLoop(deadline: cell.scenario.deadline(under: deadline)).run(clients)
        run.clients = clients.map(\.record)
        run.duration = started.duration(to: .now)
        evidence?.finishLoopback()
        run.evidence = evidence
        return run
    }
}

extension TargetServerCellRunner: CellRunning {}
