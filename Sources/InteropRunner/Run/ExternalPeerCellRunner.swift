import Foundation
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs a Swift endpoint (as a `tls-interop peer` process) against the libraries' own command-line tools from
/// Debian's `openssl` and `gnutls-bin`: `openssl s_server`/`s_client` and `gnutls-serv`/`gnutls-cli`. The tools
/// do not always report failure in their exit status, so their output is parsed for the outcome.
public struct ExternalPeerCellRunner: PeerProcessRunning {
    public var setup: PeerSetup
    /// Where `gnutls-serv` gets its port; tests hand out a taken one to check that a failed bind is noticed.
    public var toolPortSource: @Sendable (Bool) throws -> UInt16 = { try WildcardPortProbe.freePort(datagram: $0) }

    public init(setup: PeerSetup) {
        self.setup = setup
    }

    public func execute(_ cell: Cell, seed: UInt64) -> CellRun {
        let start = setup.begin(cell, seed: seed)
        let plan = start.plan
        let clock = ContinuousClock()
        guard let external = cell.scenario.external else { return .notApplicable("the scenario has no command-line form") }
        if let reason = plan.notApplicableReason { return .notApplicable(reason) }
        let library = cell.mode == .externalServer ? cell.server : cell.client
        let invocation = ToolInvocation(
            library: library, plan: plan, certs: setup.certs, spec: external, tools: setup.tools, portSource: toolPortSource)
        guard let plugin = setup.libraries.plugin(for: library),
            let tool = CommandLineToolAdapters.adapter(for: plugin, invocation)
        else {
            return .notApplicable("\(setup.libraries.displayName(for: library)) ships no command-line tool the harness can drive")
        }
        if let reason = tool.unsupportedReason { return .notApplicable(reason) }
        let hardDeadline = start.hardDeadline
        var transcript = PeerTranscript()
        var run = CellRun()
        do {
            switch cell.mode {
            case .externalServer:
                let (server, port) = try tool.startServer(deadline: hardDeadline)
                let client = try setup.startClientPeer(cell, seed: seed, port: port)
                ChildProcess.waitAll([client], deadline: hardDeadline)
                transcript.add(client, role: "client 1")
                // s_server with -naccept 1 leaves by itself; gnutls-serv serves for ever and is stopped here, once it
                // has had a moment to print what it saw of the connection the client has already closed.
                let grace: Duration = tool.serverLeavesAfterOneConnection ? .milliseconds(300) : .milliseconds(30)
                ChildProcess.waitAll([server], deadline: min(hardDeadline, clock.now.advanced(by: grace)), terminateLeftovers: false)
                if server.termination == nil { server.stop(grace: .milliseconds(300)) }
                transcript.addTool(server, name: tool.toolName(.server))
                run.serverConnections = [tool.record(from: server, role: .server, library: library)]
                run.clients = transcript.clientRecords
                transcript.output.append(tool.describe(server, role: .server))
            case .externalClient:
                let (server, announcedPort) = try setup.startServerPeer(cell, seed: seed, deadline: hardDeadline)
                guard let port = announcedPort else {
                    server.stop(grace: .milliseconds(300))
                    throw ChildProcessError("the Swift server peer announced no port", 0)
                }
                let client = try tool.startClient(port: port)
                ChildProcess.waitAll([client], deadline: hardDeadline)
                ChildProcess.waitAll([server], deadline: min(hardDeadline, clock.now.advanced(by: .milliseconds(500))), terminateLeftovers: false)
                let stopped = server.termination == nil
                if stopped { server.stop(grace: .milliseconds(300)) }
                transcript.add(server, role: "server", expectedToBeStopped: stopped)
                if !setup.announced(server) {
                    transcript.problems.insert("the Swift server peer announced no port (\(server.termination!))", at: 0)
                }
                transcript.addTool(client, name: tool.toolName(.client))
                run.serverConnections = transcript.serverRecords
                run.clients = [tool.record(from: client, role: .client, library: library)]
                transcript.output.append(tool.describe(client, role: .client))
            case .inProcess, .outOfProcess, .targetServer, .targetClient:
                preconditionFailure("not an external mode")
            }
        } catch {
            var failed = CellRun.harnessError("\(error)", after: start.elapsed)
            failed.peerOutput = transcript.output
            return failed
        }
        run.ending = transcript.ending
        run.problems = transcript.problems
        run.peerOutput = transcript.output
        run.duration = start.elapsed
        return run
    }
}
