import Foundation
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs a Swift endpoint (as a `tls-interop peer` process) against a program described by an endpoint adapter
/// (`fixtures/endpoints/`): the libraries' own command-line tools (`openssl s_server`/`s_client`, `gnutls-serv`/
/// `gnutls-cli`) or a real server or client built on a library (lighttpd, curl…). Programs do not always report
/// failure in their exit status, so their output is read by the adapter's patterns.
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
        let role: EndpointRole = cell.mode == .externalServer ? .server : .client
        let library = role == .server ? cell.server : cell.client
        let invocation = ToolInvocation(
            library: library, plan: plan, certs: setup.certs, spec: external, tools: setup.tools,
            dependencies: setup.dependencies, portSource: toolPortSource)
        guard let plugin = setup.libraries.plugin(for: library) else {
            return .notApplicable("\(library) is not a library this build links")
        }
        let adapter: EndpointAdapter
        if let id = cell.endpoint {
            guard let named = setup.endpoints.adapter(id) else { return .harnessError("no endpoint adapter '\(id)' in \(setup.fixtures)/endpoints") }
            guard named.isBuilt(on: plugin) else { return .notApplicable("\(named.name) is not built on \(plugin.displayName)") }
            adapter = named
        } else {
            guard let tools = setup.endpoints.libraryTools(for: plugin) else {
                return .notApplicable(
                    "no adapter in \(setup.fixtures)/endpoints drives the command-line tools \(setup.libraries.displayName(for: library)) ships")
            }
            adapter = tools
        }
        guard let command = adapter.command(for: role) else {
            return .notApplicable("\(adapter.name) has no \(role.rawValue) in \(adapter.file)")
        }
        let tool = AdaptedEndpoint(
            adapter: adapter, command: command, role: role, invocation: invocation, variables: adapter.variables(on: plugin))
        defer { tool.cleanUp() }
        if let reason = tool.unsupportedReason { return .notApplicable(reason) }
        let hardDeadline = start.hardDeadline
        var transcript = PeerTranscript()
        var run = CellRun()
        // Wire evidence: the packets to and from the server's port, and the Swift peer's secrets (either side's
        // key log decrypts both directions).
        let evidence = setup.keepsEvidence ? CellEvidence(isDatagram: cell.protocolVersion.isDatagram) : nil
        defer { evidence?.finishLoopback() }
        do {
            switch cell.mode {
            case .externalServer:
                let (server, port) = try tool.startServer(deadline: hardDeadline)
                evidence?.watchLoopback(ports: [port])
                let client = try setup.startClientPeer(cell, seed: seed, port: port)
                ChildProcess.waitAll([client], deadline: hardDeadline)
                transcript.add(client, role: "client 1")
                // s_server with -naccept 1 leaves by itself; gnutls-serv serves for ever and is stopped here, once it
                // has had a moment to print what it saw of the connection the client has already closed.
                let grace: Duration = tool.leavesAfterOneConnection ? .milliseconds(300) : .milliseconds(30)
                ChildProcess.waitAll([server], deadline: min(hardDeadline, clock.now.advanced(by: grace)), terminateLeftovers: false)
                if server.termination == nil { server.stop(grace: .milliseconds(300)) }
                transcript.addTool(server, name: tool.displayName)
                run.serverConnections = [tool.record(from: server, library: library)]
                run.clients = transcript.clientRecords
                transcript.output.append(tool.describe(server))
            case .externalClient:
                let (server, announcedPort) = try setup.startServerPeer(cell, seed: seed, deadline: hardDeadline)
                guard let port = announcedPort else {
                    server.stop(grace: .milliseconds(300))
                    throw ChildProcessError("the Swift server peer announced no port", 0)
                }
                evidence?.watchLoopback(ports: [port])
                let client = try tool.startClient(port: port)
                ChildProcess.waitAll([client], deadline: hardDeadline)
                ChildProcess.waitAll([server], deadline: min(hardDeadline, clock.now.advanced(by: .milliseconds(500))), terminateLeftovers: false)
                let stopped = server.termination == nil
                if stopped { server.stop(grace: .milliseconds(300)) }
                transcript.add(server, role: "server", expectedToBeStopped: stopped)
                if !setup.announced(server) {
                    transcript.problems.insert("the Swift server peer announced no port (\(server.termination!))", at: 0)
                }
                transcript.addTool(client, name: tool.displayName)
                run.serverConnections = transcript.serverRecords
                run.clients = [tool.record(from: client, library: library)]
                transcript.output.append(tool.describe(client))
            case .inProcess, .outOfProcess, .targetServer, .targetClient:
                preconditionFailure("not an external mode")
            }
        } catch {
            var failed = CellRun.harnessError("\(error)", after: start.elapsed)
            failed.peerOutput = transcript.output
            return failed
        }
        run.ending = transcript.ending
        run.unobservable = tool.unobservable
        run.problems = transcript.problems
        run.peerOutput = transcript.output
        run.duration = start.elapsed
        for line in transcript.secrets { evidence?.secrets.add(line) }
        run.evidence = evidence
        return run
    }
}
