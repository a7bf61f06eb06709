import InteropCore

/// `gnutls-serv` and `gnutls-cli` (Debian's `gnutls-bin`) as a cell's endpoint.
struct GnuTLSCommandLineTools: CommandLineToolAdapter {
    static let requiredTools = ["gnutls-serv", "gnutls-cli"]
    let invocation: ToolInvocation

    init(_ invocation: ToolInvocation) {
        self.invocation = invocation
    }

    let serverLeavesAfterOneConnection = false

    var unsupportedReason: String? {
        let cell = invocation.plan.cell
        if cell.protocolVersion.isQUIC { return "gnutls-serv and gnutls-cli have no QUIC mode" }
        guard cell.protocolVersion.isDatagram && cell.mode == .externalServer else { return nil }
        // Observed: the echo client's close_notify gets no answer from gnutls-serv --udp, so it never sees EOF.
        return "gnutls-serv --udp leaves a client's close_notify unanswered, so the echo client cannot conclude"
    }

    private var priority: String {
        switch invocation.protocolVersion {
        case .tls13: "NORMAL:-VERS-ALL:+VERS-TLS1.3"
        case .tls12: "NORMAL:-VERS-ALL:+VERS-TLS1.2"
        case .dtls12: "NORMAL:-VERS-ALL:+VERS-DTLS1.2"
        // Refused by unsupportedReason.
        case .quic: "NORMAL"
        }
    }

    static let bindAttempts = 4

    /// gnutls-serv cannot bind port 0 and say which it got, and binds 0.0.0.0 and [::] whatever it is told.
    func startServer(deadline: ContinuousClock.Instant) throws -> (ChildProcess, UInt16) {
        let certs = invocation.certs
        let alpn = invocation.plan.serverSettings.alpn
        let datagram = invocation.protocolVersion.isDatagram
        var arguments = [
            "--x509certfile", certs + "/server-chain.pem", "--x509keyfile", certs + "/server.key", "--echo", "--priority",
            priority,
        ]
        for name in alpn { arguments += ["--alpn", name] }
        if !alpn.isEmpty && invocation.spec.alpnFatal { arguments.append("--alpn-fatal") }
        if datagram { arguments.append("--udp") }
        // The port is chosen before the tool binds it, so another process may take it in between: a failed bind on
        // IPv4 (where the client connects) means another port, not a started server.
        var failures: [String] = []
        for _ in 1...Self.bindAttempts {
            let port = try invocation.portSource(datagram)
            let server = try ChildProcess(executable: invocation.tools["gnutls-serv"], arguments: ["-p", String(port)] + arguments)
            // gnutls-serv announces each address on stderr: "...listening on IPv4 0.0.0.0 port N...done" or
            // "...bind() failed: <reason>".
            let line = server.waitForLine(deadline: deadline, includingStandardError: true) { $0.contains("listening on IPv4") }
            if let line, line.hasSuffix("done") { return (server, port) }
            server.stop(grace: .milliseconds(300))
            guard let line, line.contains("failed") else {
                throw ChildProcessError("gnutls-serv did not start listening: \(server.standardErrorText.prefix(300))", 0)
            }
            failures.append("port \(port): \(line)")
        }
        throw ChildProcessError("gnutls-serv could not bind a port: \(failures.joined(separator: "; "))", 0)
    }

    func startClient(port: UInt16) throws -> ChildProcess {
        let alpn = invocation.plan.clientSettings.alpn
        var arguments = [
            "127.0.0.1", "--port", String(port), "--x509cafile", invocation.certs + "/ca.pem", "--verify-hostname", "localhost",
            "--priority", priority,
        ]
        for name in alpn { arguments += ["--alpn", name] }
        if invocation.protocolVersion.isDatagram { arguments.append("--udp") }
        return try ChildProcess(executable: invocation.tools["gnutls-cli"], arguments: arguments)
    }

    func record(from output: ToolOutput, role: EndpointRole) -> ConnectionRecord {
        var output = output
        switch role {
        case .client:
            if let alert = output.first("Received alert ["), let code = output.number(after: "Received alert [", in: alert) {
                output.alertReceived(code, line: alert)
            } else if let done = output.first("Handshake was completed") {
                output.record.handshake = .ok(0)
                output.evidence = done
            } else {
                output.record.handshake = .protocolError
                output.evidence = output.first("Fatal error") ?? output.first("Error") ?? "no handshake line"
            }
            output.record.negotiatedALPN = output.value(after: "- Application protocol: ")
        case .server:
            if let error = output.first("Error in handshake") {
                output.record.handshake = .protocolError
                output.evidence = error
            } else {
                output.record.handshake = .ok(0)
                output.evidence = output.first("Accepted connection") ?? "no handshake error printed"
            }
        }
        return output.finish()
    }

    func toolName(_ role: EndpointRole) -> String {
        role == .server ? "gnutls-serv" : "gnutls-cli"
    }
}
