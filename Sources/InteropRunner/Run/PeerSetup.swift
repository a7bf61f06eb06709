import Foundation
import InteropCore

/// What every runner that starts `tls-interop peer` processes needs: the executable, where the fixtures and
/// certificates are, the cell deadline, and the divergences to judge with.
public struct PeerSetup: Sendable {
    public var executable: String
    public var fixtures: String
    public var certs: String
    public var deadline: Duration
    public var divergences: DivergenceCatalog
    public var libraries: LibraryRegistry
    public var tools: CommandLineTools
    /// The endpoint adapters of `fixtures/endpoints/` (the run has checked them; a setup for tests reads them here).
    public var endpoints: EndpointCatalog
    /// Where `make endpoints` unpacks the programs it fetches: `.deps` beside the fixtures directory.
    public var dependencies: String
    /// Peers print their sessions' secrets and the runners keep the cells' loopback packets (wire evidence).
    public var keepsEvidence = false

    public init(
        executable: String, fixtures: String, certs: String, deadline: Duration, divergences: DivergenceCatalog,
        libraries: LibraryRegistry
    ) {
        self.executable = executable
        self.fixtures = fixtures
        self.certs = certs
        self.deadline = deadline
        self.divergences = divergences
        self.libraries = libraries
        self.tools = CommandLineTools(libraries)
        self.endpoints = (try? EndpointCatalog.load(directory: fixtures + "/endpoints", libraries: libraries)) ?? EndpointCatalog(adapters: [])
        let absolute = fixtures.hasPrefix("/") ? fixtures : FileManager.default.currentDirectoryPath + "/" + fixtures
        self.dependencies = URL(fileURLWithPath: absolute).standardized.deletingLastPathComponent().path + "/.deps"
    }

    /// The plan of `cell` with this setup's certificates and libraries.
    func plan(_ cell: Cell, seed: UInt64) -> CellPlan {
        CellPlan(cell: cell, seed: seed, credentials: .standard(in: certs), libraries: libraries)
    }

    /// A cell about to start processes: its plan, when it started, and when the watchdog steps in.
    func begin(_ cell: Cell, seed: UInt64) -> CellStart {
        let started = ContinuousClock.now
        return CellStart(plan: plan(cell, seed: seed), started: started, hardDeadline: watchdogDeadline(for: cell, startedAt: started))
    }


    /// When a runner's watchdog steps in for a cell started at `start`: the cell's deadline (which the peers get) and
    /// a little more.
    func watchdogDeadline(for cell: Cell, startedAt start: ContinuousClock.Instant) -> ContinuousClock.Instant {
        start.advanced(by: cell.scenario.deadline(under: deadline) + .seconds(2))
    }

    /// Starts a Swift server peer for the cell. TCP and UDP servers get a socket this runner bound (as descriptor
    /// 3), so their port is known at once and clients start while the server process is still starting; a QUIC
    /// server binds its own (the library's listener does), and its port is waited for, until `deadline`, from its
    /// announcement. The port is nil when the peer announced none (it hung, crashed or printed something else).
    func startServerPeer(
        _ cell: Cell, seed: UInt64, extraArguments: [String] = [], deadline: ContinuousClock.Instant
    ) throws -> (ChildProcess, UInt16?) {
        let arguments = ["peer", "--role", "server"] + peerArguments(cell, seed: seed) + extraArguments
        if !cell.protocolVersion.isQUIC {
            // The runner's copy of the socket closes when `listener` goes; the peer's stays open.
            let listener = try plan(cell, seed: seed).makeSocketListener()
            let server = try ChildProcess(
                executable: executable, arguments: arguments + ["--listen-fd", "3"], input: scenarioDocument(cell),
                endingInput: true, inheriting: listener.fileDescriptor)
            return (server, listener.address.port)
        }
        let server = try ChildProcess(executable: executable, arguments: arguments, input: scenarioDocument(cell), endingInput: true)
        let announcement = server.waitForLine(deadline: deadline) { PeerEvent.parse($0)?.event == .listening }
        return (server, announcement.flatMap { PeerEvent.parse($0)?.port })
    }

    /// Whether a server peer printed its `listening` event (a peer given its socket may have hung before it).
    func announced(_ server: ChildProcess) -> Bool {
        server.lines.contains { PeerEvent.parse($0)?.event == .listening }
    }

    /// Starts Swift client peer number `ordinal` of the cell against the server's port.
    func startClientPeer(_ cell: Cell, seed: UInt64, port: UInt16, ordinal: Int = 1, extraArguments: [String] = []) throws
        -> ChildProcess
    {
        try ChildProcess(
            executable: executable,
            arguments: ["peer", "--role", "client", "--port", String(port), "--ordinal", String(ordinal)]
                + peerArguments(cell, seed: seed) + extraArguments,
            input: scenarioDocument(cell), endingInput: true)
    }

    /// The arguments that tell a peer which cell, seed, deadline, fixtures and certificates to use.
    func peerArguments(_ cell: Cell, seed: UInt64) -> [String] {
        let cellDeadline = cell.scenario.deadline(under: deadline)
        let seconds = String(Double(cellDeadline.components.seconds) + Double(cellDeadline.components.attoseconds) / 1e18)
        return [
            "--scenario", cell.scenario.id, "--server", cell.server.rawValue, "--client", cell.client.rawValue,
            "--protocol", cell.protocolVersion.rawValue, "--seed", String(seed), "--deadline", seconds,
            "--fixtures", fixtures, "--scenario-file", "-", "--certs", certs,
        ] + (keepsEvidence ? ["--log-secrets", "true"] : [])
    }

    /// The scenario as the runner decoded it, handed to a peer on its stdin (`--scenario-file -`).
    private func scenarioDocument(_ cell: Cell) -> [UInt8] {
        Array(cell.scenario.peerDocument.utf8)
    }
}

/// See `PeerSetup.begin`.
struct CellStart {
    let plan: CellPlan
    let started: ContinuousClock.Instant
    let hardDeadline: ContinuousClock.Instant

    var elapsed: Duration { started.duration(to: .now) }
}

/// The runners that start processes for a cell (the Swift peers, the libraries' tools): they share a setup, and
/// judge with its divergences.
public protocol PeerProcessRunning: CellRunning {
    var setup: PeerSetup { get }
}

extension PeerProcessRunning {
    public var divergences: DivergenceCatalog { setup.divergences }
}
