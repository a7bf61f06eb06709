import Foundation
import InteropCore

/// Runs a cell with the Swift server and client(s) as separate `tls-interop peer` processes over loopback, each
/// under a watchdog; their JSON-line traces are judged exactly like in-process records.
public struct OutOfProcessCellRunner: PeerProcessRunning {
    public var setup: PeerSetup
    /// Extra arguments for the server peer (tests use them to make a peer hang or crash).
    public var serverExtraArguments: [String] = []
    public var clientExtraArguments: [String] = []

    public init(setup: PeerSetup) {
        self.setup = setup
    }

    public func execute(_ cell: Cell, seed: UInt64) -> CellRun {
        let start = setup.begin(cell, seed: seed)
        let (plan, hardDeadline) = (start.plan, start.hardDeadline)
        if let reason = plan.notApplicableReason { return .notApplicable(reason) }
        let clock = ContinuousClock()
        var transcript = PeerTranscript()
        let server: ChildProcess
        let announcedPort: UInt16?
        do {
            (server, announcedPort) = try setup.startServerPeer(
                cell, seed: seed, extraArguments: serverExtraArguments, deadline: hardDeadline)
        } catch {
            return .harnessError("cannot start the server peer: \(error)")
        }
        guard let port = announcedPort else {
            if server.termination == nil { server.terminate(grace: .milliseconds(500)) }
            transcript.add(server, role: "server")
            var run = CellRun()
            run.ending = server.killedByWatchdog ? .deadlineExpired : .completed
            run.problems = ["server peer announced no port (\(server.termination!))"] + transcript.problems
            run.peerOutput = transcript.output
            run.duration = start.elapsed
            return run
        }
        // QUIC datagram faults: the clients talk to a relay, which forwards to the server.
        let relay: BackgroundRelay?
        do {
            relay = try plan.makeRelay(toServer: LoopbackAddress(port: port)).map(BackgroundRelay.init)
        } catch {
            server.stop(grace: .milliseconds(500))
            return .harnessError("cannot start the datagram relay: \(error)")
        }
        let clientPort = relay?.address.port ?? port
        // Wire evidence: the packets to and from the server's and relay's ports, and the secrets the peers print.
        let evidence = setup.keepsEvidence ? CellEvidence(isDatagram: cell.protocolVersion.isDatagram) : nil
        evidence?.watchLoopback(ports: [port, clientPort])
        defer { evidence?.finishLoopback() }
        let clientCount = cell.protocolVersion.isDatagram ? 1 : cell.scenario.clientCount
        var clients: [ChildProcess] = []
        // Clients that resume run one after another, each handed the session the one before it printed.
        let resuming = cell.scenario.client.resume
        var session: String?
        for ordinal in 1...clientCount {
            do {
                let resumption = resuming ? session.map { ["--resume-session", $0] } ?? [] : []
                let client = try setup.startClientPeer(
                    cell, seed: seed, port: clientPort, ordinal: ordinal, extraArguments: resumption + clientExtraArguments)
                clients.append(client)
                if resuming {
                    ChildProcess.waitAll([client], deadline: hardDeadline)
                    session = client.lines.lazy.compactMap { PeerEvent.parse($0) }.first { $0.event == .session }?.session
                }
            } catch {
                transcript.problems.append("cannot start client peer \(ordinal): \(error)")
            }
        }
        ChildProcess.waitAll(clients, deadline: hardDeadline)
        for (index, client) in clients.enumerated() { transcript.add(client, role: "client \(index + 1)") }
        // The server leaves by itself once it has served every client that connected; one that connected nobody
        // (a client refused its settings) or hangs is stopped here.
        let connected = transcript.clientRecords.filter { $0.failedAction != "setup" && $0.failedAction != "connect" }.count
        let serverGrace = clock.now.advanced(by: .seconds(2))
        while server.termination == nil && clock.now < min(serverGrace, hardDeadline) && connected > 0 {
            ChildProcess.waitAll([server], deadline: clock.now.advanced(by: .milliseconds(20)), terminateLeftovers: false)
        }
        let stoppedEarly = server.termination == nil
        if stoppedEarly { server.stop(grace: .milliseconds(500)) }
        let notNeeded = stoppedEarly && connected == 0
        transcript.add(server, role: "server", expectedToBeStopped: notNeeded)
        if !setup.announced(server) && !notNeeded {
            // Given its socket, a server that hung or crashed before it was ready still had clients connect.
            transcript.problems.insert("server peer announced no port (\(server.termination!))", at: 0)
        }
        if !transcript.unsupported.isEmpty {
            // Declined, not failed: coverage lost this way is reported as such, never as a time-out.
            var declined = CellRun.notApplicable(transcript.unsupported.joined(separator: "; "))
            declined.peerOutput = transcript.output
            declined.duration = start.elapsed
            return declined
        }
        var run = CellRun()
        run.serverConnections = transcript.serverRecords
        run.clients = transcript.clientRecords
        relay?.stop().attachLogs(clients: &run.clients, server: &run.serverConnections)
        run.ending = transcript.ending
        run.problems = transcript.problems
        run.peerOutput = transcript.output
        run.duration = start.elapsed
        for line in transcript.secrets { evidence?.secrets.add(line) }
        run.evidence = evidence
        return run
    }
}

/// What the peer processes of one cell printed and how they ended.
struct PeerTranscript {
    var serverRecords: [ConnectionRecord] = []
    var clientRecords: [ConnectionRecord] = []
    /// Why a peer declined the cell (the contract's `unsupported`), by role.
    var unsupported: [String] = []
    var problems: [String] = []
    var endings: [LoopEnding] = []
    var output: [String] = []
    /// Key log lines the peers printed (`secret` events).
    var secrets: [String] = []

    var ending: LoopEnding {
        if endings.contains(.deadlineExpired) { return .deadlineExpired }
        if endings.contains(.stalled) { return .stalled }
        return .completed
    }

    mutating func add(_ process: ChildProcess, role: String, expectedToBeStopped: Bool = false) {
        var records: [ConnectionRecord] = []
        for line in process.lines {
            guard let event = PeerEvent.parse(line) else {
                problems.append("\(role) peer printed garbage: \(line.prefix(120))")
                continue
            }
            if let record = event.record { records.append(record) }
            if let secret = event.secret { secrets.append(secret) }
            if let ending = event.ending { endings.append(ending) }
            if event.event == .unsupported { unsupported.append("the \(role) peer cannot play it: \(event.reason ?? "no reason given")") }
        }
        if role == "server" { serverRecords = records } else { clientRecords += records }
        switch process.termination {
        case .exited(0)?:
            break
        case .exited(PeerEvent.unsupportedExitStatus)? where !unsupported.isEmpty:
            break
        case _ where expectedToBeStopped:
            break
        case .signaled(let signal)? where process.killedByWatchdog || process.stoppedByHarness:
            endings.append(.deadlineExpired)
            problems.append("\(role) peer outlived the cell's deadline and was stopped (signal \(signal))")
        case .signaled?:
            problems.append("\(role) peer crashed: \(process.termination!)")
        case .exited(let code)?:
            problems.append("\(role) peer failed with exit status \(code)")
        case nil:
            problems.append("\(role) peer is still running")
        }
        noteDroppedOutput(process, name: "\(role) peer")
        output.append(process.account(as: "\(role) peer"))
    }

    /// A library's command-line tool: only how it ended is judged here (its output is parsed by `CommandLinePeer`).
    /// A tool that dies of a signal nobody sent crashed; one the watchdog had to stop outlived the cell. Either fails
    /// the cell, whatever it printed before.
    mutating func addTool(_ process: ChildProcess, name: String) {
        switch process.termination {
        case .signaled?:
            if process.killedByWatchdog {
                endings.append(.deadlineExpired)
                problems.append("\(name) outlived the cell's deadline and was stopped by the watchdog (\(process.termination!))")
            } else if !process.stoppedByHarness {
                problems.append("\(name) crashed: \(process.termination!)")
            }
        case .exited?, nil:
            break
        }
        noteDroppedOutput(process, name: name)
    }

    private mutating func noteDroppedOutput(_ process: ChildProcess, name: String) {
        guard process.droppedOutputBytes > 0 else { return }
        problems.append("\(name) printed more than the runner keeps: \(process.droppedOutputBytes) bytes dropped from the middle")
    }
}
