import InteropCore

/// Runs a cell's Swift server in this process against a client command the user gives (`run --target-client`):
/// `{host}`, `{port}`, `{alpn}` (the scenario's client ALPN list, comma separated, empty for none) and `{ca}` (the
/// test trust anchor) are filled in, the payload goes to the command's stdin, and the command runs under the
/// watchdog. Only the server is observed, so the judging step reports what only the client could show as not
/// observable.
public struct TargetClientCellRunner: Sendable {
    public var command: String
    public var credentials: Credentials
    public var deadline: Duration
    public var divergences: DivergenceCatalog
    public var libraries: LibraryRegistry
    /// Keep the cell's loopback packets and the Swift side's secrets, for wire evidence.
    public var keepsEvidence = false

    public init(command: String, credentials: Credentials, deadline: Duration, divergences: DivergenceCatalog, libraries: LibraryRegistry) {
        self.command = command
        self.credentials = credentials
        self.deadline = deadline
        self.divergences = divergences
        self.libraries = libraries
    }

    /// The command line for one cell.
    public func commandLine(port: UInt16, alpn: [String]) -> String {
        command.replacingOccurrences(of: "{host}", with: "127.0.0.1").replacingOccurrences(of: "{port}", with: String(port))
            .replacingOccurrences(of: "{alpn}", with: alpn.joined(separator: ",")).replacingOccurrences(of: "{ca}", with: credentials.trustAnchorFile)
    }

    public func execute(_ cell: Cell, seed: UInt64) -> CellRun {
        let started = ContinuousClock.now
        let plan = CellPlan(cell: cell, seed: seed, credentials: credentials, libraries: libraries)
        if let reason = plan.notApplicableReason { return .notApplicable(reason) }
        let listener: TCPListener
        do {
            listener = try TCPListener()
        } catch {
            return .harnessError("cannot listen on loopback: \(error)")
        }
        let server = plan.makeServer(listener: listener)
        server.requiredConnections = 1
        // Wire evidence: what passes on loopback to the Swift server's port, decrypted by its secrets.
        let evidence = keepsEvidence ? CellEvidence(isDatagram: false) : nil
        evidence?.watchLoopback(ports: [listener.address.port])
        defer { evidence?.finishLoopback() }
        server.secretLog = evidence?.secrets
        let line = commandLine(port: listener.address.port, alpn: plan.clientSettings.alpn)
        let client: ChildProcess
        do {
            client = try ChildProcess(executable: "/bin/sh", arguments: ["-c", line], input: plan.clientPayload(ordinal: 1), endingInput: true)
        } catch {
            return .harnessError("cannot start the client command: \(error)")
        }
        let limit = cell.scenario.deadline(under: deadline)
        var run = CellRun()
        run.ending = InProcessLoop(deadline: limit).run([ServerUntilClientLeaves(server: server, client: client)])
        // The server is done (or gave up); the command gets a moment to finish and say how it ended.
        ChildProcess.waitAll([client], deadline: min(started.advanced(by: limit + .seconds(2)), .now.advanced(by: .seconds(2))))
        run.serverConnections = server.connections
        run.harnessError = server.listenerFailure
        var transcript = PeerTranscript()
        transcript.addTool(client, name: "client command")
        if server.connections.isEmpty, let ended = client.termination {
            transcript.problems.append("the client command ended (\(ended)) without connecting")
        }
        run.problems = transcript.problems
        run.peerOutput = [client.account(as: "client command", commandLine: line)]
        run.duration = started.duration(to: .now)
        run.evidence = evidence
        return run
    }
}

extension TargetClientCellRunner: CellRunning {}

/// The server of a target-client cell, as one loop participant that is also done when the client command has
/// ended without a connection in progress: a command that never connects must not hold the cell until its deadline.
private final class ServerUntilClientLeaves: LoopParticipant {
    let server: EchoServer
    let client: ChildProcess

    init(server: EchoServer, client: ChildProcess) {
        self.server = server
        self.client = client
    }

    var isSettled: Bool { server.isSettled || (!server.isServing && client.hasEnded) }

    func advance() -> Readiness? {
        guard let wait = server.advance() else { return nil }
        // Looked at again every 50 ms: the client command's end is not an event the loop polls.
        return .until(ContinuousClock.now.advanced(by: .milliseconds(50)), wait)
    }

    func expire(reason: String) { server.expire(reason: reason) }
}
