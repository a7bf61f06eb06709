import Foundation
import InteropCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An endpoint adapter set up for one cell: its command with the cell's settings filled in, started under the
/// watchdog in a directory of its own, and its output read back into a `ConnectionRecord` by the adapter's patterns.
final class AdaptedEndpoint {
    let adapter: EndpointAdapter
    let command: EndpointCommand
    let role: EndpointRole
    let invocation: ToolInvocation
    private let variables: [String: String]
    /// The cell's own directory (`{dir}`), made when the command needs one and removed by `cleanUp`.
    private var directory: String?

    init(adapter: EndpointAdapter, command: EndpointCommand, role: EndpointRole, invocation: ToolInvocation, variables: [String: String]) {
        self.adapter = adapter
        self.command = command
        self.role = role
        self.invocation = invocation
        var filled = variables
        filled["certs"] = invocation.certs
        // For programs that change directory (nginx -p): the same directory, absolute.
        filled["certsPath"] = URL(fileURLWithPath: invocation.certs).standardized.path
        filled["ca"] = invocation.certs + "/ca.pem"
        filled["seed"] = String(invocation.plan.seed)
        filled["deps"] = invocation.dependencies
        self.variables = filled
        self.unobservable = Set(command.blindTo)
    }

    deinit {
        cleanUp()
    }

    var protocolVersion: ProtocolVersion { invocation.protocolVersion }
    var displayName: String { fill(command.display) }
    var executable: String { Self.resolve(fill(command.executable)) }
    var leavesAfterOneConnection: Bool { command.leavesAfterOneConnection }

    /// Why it cannot play this cell, or nil: a protocol it lacks or that its help does not list, an ALPN list it
    /// cannot be told that would change the outcome, or a program that is not installed.
    var unsupportedReason: String? {
        if let reason = command.unsupported[protocolVersion] { return reason }
        if let needed = command.needsOption[protocolVersion], !Self.offers(needed, tool: executable) {
            return "\(executable) \(needed.arguments.dropLast().joined(separator: " ")) offers no \(needed.option) option "
                + "(its \(needed.arguments.last ?? "help") lists none)"
        }
        if command.versions[protocolVersion] == nil {
            return "\(displayName) has no \(protocolVersion.rawValue) setting in \(adapter.file)"
        }
        if case .fixed(let list) = command.alpn, let reason = fixedALPNReason(list) { return reason }
        if case .choices(let choices) = command.alpn, !choices.isEmpty, alpnChoice(choices) == nil {
            let offers = choices.map { $0.offers.isEmpty ? "none" : $0.offers.joined(separator: ",") }.joined(separator: "; ")
            return "\(displayName) can offer only \(offers), none of which selects what the scenario's \(role.rawValue) list would"
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            return "\(displayName) is not installed (\(executable) is missing)" + (adapter.needs.map { "; \($0)" } ?? "")
        }
        return nil
    }

    /// A program with its own ALPN list stands for the scenario's endpoint only where that list does what the
    /// scenario's would: offer (or accept) something or nothing, and select the same protocol or none.
    private func fixedALPNReason(_ list: [String]) -> String? {
        guard !standsFor(list) else { return nil }
        let described = list.isEmpty ? "no ALPN" : "ALPN " + list.joined(separator: ", ")
        let scenario = role == .server ? invocation.plan.serverSettings.alpn : invocation.plan.clientSettings.alpn
        return "\(displayName) uses \(described) whatever it is told, which does not do what the scenario's \(role.rawValue) list "
            + "(\(scenario.isEmpty ? "none" : scenario.joined(separator: ", "))) does"
    }

    /// Whether `list` in this role's place offers or accepts the same and selects the same as the scenario's list. A
    /// server's list does not matter to a client that offers none.
    private func standsFor(_ list: [String]) -> Bool {
        let plan = invocation.plan
        let (server, client) = (plan.serverSettings.alpn, plan.clientSettings.alpn)
        if role == .server && client.isEmpty { return true }
        func selected(_ server: [String], _ client: [String]) -> String? { server.first { client.contains($0) } }
        let own = role == .server ? server : client
        let program = role == .server ? selected(list, client) : selected(server, list)
        return own.isEmpty == list.isEmpty && selected(server, client) == program
    }

    private func alpnChoice(_ choices: [ALPNChoice]) -> ALPNChoice? {
        choices.first { standsFor($0.offers) }
    }

    /// What the harness cannot see of this program's side: what the adapter says, and an end of stream its output
    /// did not show (no pattern matched: lighttpd's mod_openssl logs nothing when a client leaves without
    /// close_notify), set by `record`.
    private(set) var unobservable: Set<ObservedField> = []

    // MARK: Starting

    func startServer(deadline: ContinuousClock.Instant) throws -> (ChildProcess, UInt16) {
        switch command.port {
        case .announced(let pattern):
            let server = try launch(port: nil)
            let regex = try Regex(pattern)
            guard let line = server.waitForLine(deadline: deadline, where: { $0.firstMatch(of: regex) != nil }),
                let port = Self.capture(regex, in: line).flatMap({ UInt16($0) })
            else {
                server.stop(grace: .milliseconds(300))
                throw ChildProcessError("\(displayName) announced no port: \(server.standardErrorText.prefix(300))", 0)
            }
            return (server, port)
        case .chosen(let ready, let busy, let attempts):
            // The port is chosen before the program binds it, so another process may take it in between: a failed
            // bind means another port, not a started server.
            var failures: [String] = []
            for _ in 1...attempts {
                let port = try invocation.portSource(protocolVersion.isDatagram)
                let server = try launch(port: port)
                if let ready {
                    let readyRegex = try Regex(ready)
                    let busyRegex = try busy.map { try Regex($0) }
                    let line = server.waitForLine(deadline: deadline, includingStandardError: true) { line in
                        line.firstMatch(of: readyRegex) != nil || busyRegex.map { line.firstMatch(of: $0) != nil } == true
                    }
                    if let line, line.firstMatch(of: readyRegex) != nil { return (server, port) }
                    server.stop(grace: .milliseconds(300))
                    guard let line else {
                        throw ChildProcessError("\(displayName) did not start listening: \(server.standardErrorText.prefix(300))", 0)
                    }
                    failures.append("port \(port): \(line)")
                } else {
                    if Self.waitUntilAccepting(port: port, server: server, deadline: deadline) { return (server, port) }
                    server.stop(grace: .milliseconds(300))
                    guard server.termination.map({ _ in ContinuousClock.now < deadline }) == true else {
                        throw ChildProcessError("\(displayName) did not start listening on port \(port): \(server.standardErrorText.prefix(300))", 0)
                    }
                    failures.append("port \(port): exited (\(server.termination!)) \(server.standardErrorText.suffix(200))")
                }
            }
            throw ChildProcessError("\(displayName) could not bind a port: \(failures.joined(separator: "; "))", 0)
        case .notAServer:
            throw ChildProcessError("\(adapter.file): \(adapter.id) has no server port rule", 0)
        }
    }

    func startClient(port: UInt16) throws -> ChildProcess {
        try launch(port: port)
    }

    /// The command with the cell's settings, its files written first.
    private func launch(port: UInt16?) throws -> ChildProcess {
        var variables = variables
        if let port { variables["port"] = String(port) }
        // In files a protocol's arguments are one word (lighttpd's `MinProtocol`).
        variables["version"] = (command.versions[protocolVersion] ?? []).joined(separator: " ")
        if !command.files.isEmpty || (command.arguments + [command.executable]).contains(where: { $0.contains("{dir}") }) {
            let directory = try makeDirectory()
            variables["dir"] = directory
            for (name, text) in command.files {
                let path = directory + "/" + name
                guard FileManager.default.createFile(atPath: path, contents: Data(fill(text, variables).utf8)) else {
                    throw ChildProcessError("cannot write \(path)", errno)
                }
            }
        }
        let extras = command.protocolExtras[protocolVersion]
        var input: [UInt8]?
        if let text = extras?.input {
            var withRequest = variables
            withRequest["request"] = extras?.request.map { fill($0, variables) } ?? ""
            input = Array(fill(text, withRequest).utf8)
        }
        let environment = command.environment.isEmpty
            ? nil : ProcessInfo.processInfo.environment.merging(command.environment.mapValues { fill($0, variables) }) { $1 }
        return try ChildProcess(
            executable: Self.resolve(fill(command.executable, variables)), arguments: arguments(variables), input: input,
            environment: environment)
    }

    private func arguments(_ variables: [String: String]) -> [String] {
        let settings = role == .server ? invocation.plan.serverSettings : invocation.plan.clientSettings
        var arguments: [String] = []
        for item in command.arguments {
            switch item {
            case "{version}":
                arguments += command.versions[protocolVersion] ?? []
            case "{alpn}":
                arguments += alpnArguments(settings.alpn)
            case "{alpnFatal}":
                if !settings.alpn.isEmpty && invocation.spec.alpnFatal { arguments += command.alpnFatal }
            case "{datagram}":
                if protocolVersion.isDatagram { arguments += command.datagram }
            case "{protocolArguments}":
                arguments += command.protocolExtras[protocolVersion]?.arguments ?? []
            default:
                arguments.append(fill(item, variables))
            }
        }
        return arguments
    }

    private func alpnArguments(_ list: [String]) -> [String] {
        if case .choices(let choices) = command.alpn { return alpnChoice(choices)?.arguments ?? [] }
        guard !list.isEmpty else { return [] }
        switch command.alpn {
        case .fixed:
            return []
        case .choices(let choices):
            return alpnChoice(choices)?.arguments ?? []
        case .each(let template):
            return list.flatMap { name in template.map { $0.replacingOccurrences(of: "{protocol}", with: name) } }
        case .joined(let template, let separator):
            return template.map { $0.replacingOccurrences(of: "{protocols}", with: list.joined(separator: separator)) }
        }
    }

    private func makeDirectory() throws -> String {
        if let directory { return directory }
        var template = Array((URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tls-interop-\(adapter.id).XXXXXX").path).utf8CString)
        guard let made = mkdtemp(&template) else { throw ChildProcessError("mkdtemp", errno) }
        let path = String(cString: made)
        directory = path
        return path
    }

    /// Removes the cell's directory and what the program left in it.
    func cleanUp() {
        guard let directory else { return }
        try? FileManager.default.removeItem(atPath: directory)
        self.directory = nil
    }

    // MARK: Reading its output

    func record(from process: ChildProcess, library: TLSLibrary) -> ConnectionRecord {
        var output = ToolOutput(process, library: library, role: role, tool: displayName)
        var decided = false
        rules: for rule in command.handshake {
            guard let regex = try? Regex(rule.pattern), let line = output.lines.first(where: { $0.firstMatch(of: regex) != nil }) else { continue }
            switch rule.outcome {
            case .alertReceived, .alertSent:
                guard let code = rule.alert ?? Self.capture(regex, in: line).flatMap({ Int($0) }) else { continue }
                output.alert(code, sent: rule.outcome == .alertSent, line: line)
            case .completed:
                output.record.handshake = .ok(0)
                output.evidence = line
            case .protocolError:
                output.record.handshake = .protocolError
                output.evidence = line
            case .timeout:
                output.record.handshake = .timeout
                output.evidence = line
            }
            decided = true
            break rules
        }
        if !decided {
            output.record.handshake = command.otherwise.outcome == .completed ? .ok(0) : .protocolError
            output.evidence = command.otherwise.evidenceLines.lazy.compactMap { evidence -> String? in
                guard let regex = try? Regex(evidence.pattern) else { return nil }
                let matches: (String) -> Bool = { $0.firstMatch(of: regex) != nil }
                return (evidence.last ? output.lines.last(where: matches) : output.lines.first(where: matches))?
                    .trimmingCharacters(in: .whitespaces)
            }.first ?? command.otherwise.evidence
        }
        for rule in command.endOfStream {
            guard let regex = try? Regex(rule.pattern), output.lines.contains(where: { $0.firstMatch(of: regex) != nil }) else { continue }
            output.record.endOfStream = rule.outcome
            break
        }
        if output.record.endOfStream == nil { unobservable.insert(role == .server ? .serverEndOfStream : .clientEndOfStream) }
        for pattern in command.keepLines {
            guard let regex = try? Regex(pattern) else { continue }
            output.record.notes += output.lines.filter { $0.firstMatch(of: regex) != nil }.prefix(8).map { "\(displayName) printed: \($0)" }
        }
        if let pattern = command.negotiatedALPN, let regex = try? Regex(pattern) {
            output.record.negotiatedALPN = output.lines.lazy.compactMap { Self.capture(regex, in: $0) }.first
        }
        if let request = command.protocolExtras[protocolVersion]?.request.map({ fill($0) }) {
            // The request went out whole (it fits one write); the echo counts as read if the program printed it.
            var digest = PayloadDigest()
            Array(request.utf8).withUnsafeBytes { digest.update($0) }
            output.record.bytesWritten = digest.byteCount
            output.record.writtenDigest = digest.hexDigest
            if output.standardOutput.contains(request) {
                output.record.bytesRead = digest.byteCount
                output.record.readDigest = digest.hexDigest
            }
        }
        return output.finish()
    }

    /// How it was started and ended and the first lines it printed, for the report.
    func describe(_ process: ChildProcess) -> String {
        let output = (process.standardOutputText + process.standardErrorText)
            .split(separator: "\n").prefix(40).joined(separator: "\n    ")
        return "\(displayName): \(process.commandLine)\n"
            + "  ended: \(process.termination.map(\.description) ?? "running")\n  output:\n    \(output)"
    }

    // MARK: Helpers

    private func fill(_ text: String, _ values: [String: String]? = nil) -> String {
        var filled = text
        for (name, value) in values ?? variables { filled = filled.replacingOccurrences(of: "{\(name)}", with: value) }
        // Tools through the plug-in, so that a `--build`'s copy is used.
        while let range = filled.range(of: "{tool:"), let end = filled[range.upperBound...].firstIndex(of: "}") {
            let name = String(filled[range.upperBound..<end])
            filled.replaceSubrange(range.lowerBound...end, with: invocation.tools[name])
        }
        return filled
    }

    private static func capture(_ regex: Regex<AnyRegexOutput>, in line: String) -> String? {
        guard let match = line.firstMatch(of: regex), match.output.count > 1 else { return nil }
        return match.output[1].substring.map(String.init)
    }

    /// A bare command name is looked up on PATH, as a shell would.
    static func resolve(_ executable: String) -> String {
        guard !executable.contains("/") else { return executable }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(executable)") {
            return "\(directory)/\(executable)"
        }
        return executable
    }

    /// Connects to 127.0.0.1:port until it accepts, the server exits or the deadline passes.
    private static func waitUntilAccepting(port: UInt16, server: ChildProcess, deadline: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < deadline && server.termination == nil {
            if let socket = try? SocketDescriptor.tcp() {
                try? startConnect(socket, to: LoopbackAddress(port: port))
                let answered = Poller.wait(for: [.writable(socket.fileDescriptor)], timeoutMilliseconds: 100) == [true]
                if answered && socket.pendingError() == 0 { return true }
            }
            ChildProcess.waitAll([server], deadline: ContinuousClock.now.advanced(by: .milliseconds(20)), terminateLeftovers: false)
        }
        return false
    }

    /// Whether `tool`'s help lists the option: asked of the tool itself, once per tool and arguments.
    private static func offers(_ needed: HelpOption, tool: String) -> Bool {
        helpCache.withLock { cache in
            let key = ([tool] + needed.arguments + [needed.option]).joined(separator: " ")
            if let known = cache[key] { return known }
            var offered = false
            if let help = try? ChildProcess(executable: tool, arguments: needed.arguments) {
                ChildProcess.waitAll([help], deadline: .now.advanced(by: .seconds(5)))
                offered = (help.standardOutputText + help.standardErrorText).split(separator: "\n")
                    .contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(needed.option + " ") }
            }
            cache[key] = offered
            return offered
        }
    }

    private static let helpCache = Mutex<[String: Bool]>([:])
}
