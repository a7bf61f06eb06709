import InteropCore

/// Runs a cell with both endpoints on one event loop in this process, over loopback sockets or in-memory links.
public struct InProcessCellRunner: Sendable {
    public var credentials: Credentials
    public var deadline: Duration
    public var divergences: DivergenceCatalog
    public var libraries: LibraryRegistry

    public init(credentials: Credentials, deadline: Duration, divergences: DivergenceCatalog, libraries: LibraryRegistry) {
        self.credentials = credentials
        self.deadline = deadline
        self.divergences = divergences
        self.libraries = libraries
    }

    public func run(_ cell: Cell, seed: UInt64) -> CellResult {
        let clock = ContinuousClock()
        let started = clock.now
        var result = CellResult.notRun(cell, seed: seed)
        let plan = CellPlan(cell: cell, seed: seed, credentials: credentials, libraries: libraries)
        if let reason = plan.notApplicableReason {
            result.message = "not applicable: \(reason)"
            return result
        }
        let link: CellLink
        do {
            link = try plan.makeLink()
        } catch {
            result.status = .error
            result.message = "harness error: cannot listen on loopback: \(error)"
            return result
        }
        let server = plan.makeServer(listener: link.listener)
        let clients = (1...cell.scenario.clientCount).map { plan.makeClient(ordinal: $0, dialer: link.dialer) }
        let helpers: [any LoopParticipant] = link.relay.map { [$0] } ?? []
        let ending = InProcessLoop(deadline: cell.scenario.deadline(under: deadline)).run([server] + clients + helpers)
        result.serverConnections = server.connections
        result.clients = clients.map(\.record)
        link.attachRelayLogs(clients: &result.clients, server: &result.serverConnections)
        result.ending = ending.rawValue
        result.judge(divergences: divergences)
        if let failure = server.listenerFailure {
            result.status = .error
            result.message = "harness error: \(failure)"
        }
        result.duration = started.duration(to: clock.now)
        return result
    }
}
