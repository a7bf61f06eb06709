import ArgumentParser
import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins

struct PeerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Run one endpoint of a cell (server or client) and print its trace as JSON lines.",
        discussion: "The runner starts two of these for out-of-process cells; a server prints its port first.")

    @Option(help: "server or client.") var role: PeerRequest.Role
    @Option(help: "Scenario id.") var scenario: String
    @Option(help: "Server library.") var server: String
    @Option(help: "Client library.") var client: String
    @Option(name: [.customLong("protocol")], help: "Protocol.") var protocolVersion: ProtocolVersion
    @Option(help: "Seed.") var seed: UInt64 = PeerRequest.Defaults.seed
    @Option(help: "Client: the server's port on 127.0.0.1.") var port: UInt16?
    @Option(help: "Client: its number among the cell's clients.") var ordinal: Int = PeerRequest.Defaults.ordinal
    @Option(help: ArgumentHelp("Server: a bound socket handed over by the runner, as this descriptor (TCP, UDP).", visibility: .hidden))
    var listenFd: Int32?
    @Option(help: "Seconds before unfinished steps become timeouts.") var deadline: Double = PeerRequest.Defaults.deadline
    @Option(help: "Directory holding scenarios/.") var fixtures: String = PeerRequest.Defaults.fixtures
    @Option(help: "The scenario file that defines --scenario, or - for a document on stdin (the runner hands one over); default: search the whole catalog.")
    var scenarioFile: String?
    @Option(help: "Directory holding the certificates.") var certs: String = PeerRequest.Defaults.certs
    @Option(help: ArgumentHelp("Misbehave on purpose, for the watchdog's tests: hang, crash or garbage.", visibility: .hidden))
    var misbehave: PeerRequest.Misbehaviour?
    @Option(help: "Client of a scenario whose clients resume: the session to resume, as an earlier client's `session` line gave it (hex).")
    var resumeSession: String?
    @Option(help: "true: print the session's secrets as `secret` events, key log lines for wire evidence.")
    var logSecrets: Bool = false

    /// The same request the runner's arguments are read into directly.
    var request: PeerRequest {
        var request = PeerRequest(role: role, scenario: scenario, server: server, client: client, protocolVersion: protocolVersion)
        request.seed = seed
        request.port = port
        request.ordinal = ordinal
        request.listenFd = listenFd
        request.deadline = deadline
        request.fixtures = fixtures
        request.scenarioFile = scenarioFile
        request.certs = certs
        request.misbehave = misbehave
        request.resumeSession = resumeSession.flatMap(Hexadecimal.bytes)
        request.logSecrets = logSecrets
        return request
    }

    func run() throws {
        if let resumeSession, Hexadecimal.bytes(resumeSession) == nil {
            StandardStreams.error("tls-interop peer: error: --resume-session: not hexadecimal bytes\n")
            throw ExitCode(2)
        }
        try request.run()
    }
}

extension PeerRequest.Role: ExpressibleByArgument {}
extension PeerRequest.Misbehaviour: ExpressibleByArgument {}

extension PeerRequest {
    /// The contract's way to decline a cell: an `unsupported` line with the reason, and the reserved exit status.
    static func refuse(_ reason: String) -> Never {
        _ = StandardStreams.output(PeerEvent(event: .unsupported, reason: reason).jsonLine + "\n")
        StandardStreams.error("tls-interop peer: cell not applicable: \(reason)\n")
        exit(PeerEvent.unsupportedExitStatus)
    }

    /// Runs the endpoint: the scenario as the runner decoded it, the plan, the loop, one JSON line per event.
    func run() throws {
        // A peer whose runner went away must not die of SIGPIPE with half a line written.
        signal(SIGPIPE, SIG_IGN)
        switch misbehave {
        case .hang?:
            while true { sleep(3600) }
        case .crash?:
            // The default action, not the Swift runtime's backtrace handler: die by the signal as a crash would.
            signal(SIGSEGV, SIG_DFL)
            kill(getpid(), SIGSEGV)
            while true { pause() }
        case .garbage?:
            StandardStreams.output("this is not JSON \u{1B}[31m\n")
        case .unsupported?:
            Self.refuse("this endpoint was told to play no cell (--misbehave unsupported)")
        case nil:
            break
        }
        let libraries = LibraryRegistry.linked
        for (option, name) in [("--server", server), ("--client", client)] where libraries.library(named: name) == nil {
            StandardStreams.error("tls-interop peer: error: \(option): unknown library '\(name)' (known: \(libraries.knownList))\n")
            throw ExitCode(2)
        }
        let loaded: Scenario?
        do {
            if scenarioFile == "-" {
                let document = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                loaded = try ScenarioCatalog.loadScenario(
                    id: scenario, document: document, named: "scenario \(scenario) on stdin", libraries: libraries)
            } else {
                loaded = try ScenarioCatalog.loadScenario(
                    id: scenario, file: scenarioFile, directory: fixtures + "/scenarios", libraries: libraries)
            }
        } catch {
            StandardStreams.error("tls-interop peer: error: \(error.message)\n")
            throw ExitCode(2)
        }
        guard let found = loaded else {
            StandardStreams.error("tls-interop peer: error: --scenario: unknown scenario '\(scenario)'\n")
            throw ExitCode(2)
        }
        guard found.protocols.contains(protocolVersion) else {
            StandardStreams.error(
                "tls-interop peer: error: --protocol: scenario \(found.id) runs "
                    + "\(found.protocols.map(\.rawValue).joined(separator: ", ")), not \(protocolVersion.rawValue)\n")
            throw ExitCode(2)
        }
        let cell = Cell(
            scenario: found, server: TLSLibrary(server), client: TLSLibrary(client), protocolVersion: protocolVersion,
            mode: .outOfProcess)
        let plan = CellPlan(cell: cell, seed: seed, credentials: .standard(in: certs), libraries: libraries)
        if let reason = plan.notApplicableReason { Self.refuse(reason) }
        let limit = Duration.milliseconds(Int64(deadline * 1000))
        let emit: (PeerEvent) -> Void = { event in
            // One write per line, unbuffered, so a runner sees each event as it happens. A reader that has gone (the
            // runner died) leaves nobody to report to: leave quietly rather than finish a cell no one will judge.
            guard StandardStreams.output(event.jsonLine + "\n") else {
                StandardStreams.error("tls-interop peer: stdout is closed (the runner has gone); exiting\n")
                Foundation.exit(1)
            }
        }
        switch role {
        case .server:
            do {
                try PeerEndpoint.runServer(plan: plan, listenerDescriptor: listenFd, deadline: limit, secretLog: logSecrets ? SecretLog() : nil, emit: emit)
            } catch {
                StandardStreams.error("tls-interop peer: error: \(error)\n")
                throw ExitCode(1)
            }
        case .client:
            guard let port else {
                StandardStreams.error("tls-interop peer: error: --port is required for a client\n")
                throw ExitCode(2)
            }
            PeerEndpoint.runClient(
                plan: plan, port: port, ordinal: ordinal, deadline: limit, resumeWith: resumeSession, secretLog: logSecrets ? SecretLog() : nil,
                emit: emit)
        }
    }
}
