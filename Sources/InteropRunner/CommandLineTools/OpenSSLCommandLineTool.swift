import InteropCore
import Synchronization

/// `openssl s_server` and `openssl s_client` as a cell's endpoint.
struct OpenSSLCommandLineTool: CommandLineToolAdapter {
    static let requiredTools = ["openssl"]
    let invocation: ToolInvocation

    init(_ invocation: ToolInvocation) {
        self.invocation = invocation
    }

    private var executable: String { invocation.tools["openssl"] }

    let serverLeavesAfterOneConnection = true

    var unsupportedReason: String? {
        let cell = invocation.plan.cell
        if cell.protocolVersion.isQUIC {
            let subcommand = cell.mode == .externalServer ? "s_server" : "s_client"
            guard Self.offersQUIC(tool: executable, subcommand: subcommand) else {
                return "\(executable) \(subcommand) offers no -quic option (its -help lists none)"
            }
            return nil
        }
        guard cell.protocolVersion.isDatagram && cell.mode == .externalServer else { return nil }
        // Observed: "Can't use -rev with DTLS", and without -rev s_server ends the connection when stdin ends.
        return "openssl s_server refuses -rev with DTLS, and without it ends the connection when its stdin ends"
    }

    /// Whether `openssl <subcommand> -help` lists `-quic`: asked of the tool itself, once per tool and subcommand.
    private static func offersQUIC(tool: String, subcommand: String) -> Bool {
        quicOptionCache.withLock { cache in
            let key = tool + " " + subcommand
            if let known = cache[key] { return known }
            var offered = false
            if let help = try? ChildProcess(executable: tool, arguments: [subcommand, "-help"]) {
                ChildProcess.waitAll([help], deadline: .now.advanced(by: .seconds(5)))
                offered = (help.standardOutputText + help.standardErrorText).split(separator: "\n")
                    .contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("-quic ") }
            }
            cache[key] = offered
            return offered
        }
    }

    private static let quicOptionCache = Mutex<[String: Bool]>([:])

    private var versionFlag: String {
        switch invocation.protocolVersion {
        case .tls13: "-tls1_3"
        case .tls12: "-tls1_2"
        case .dtls12: "-dtls1_2"
        case .quic: "-quic"
        }
    }

    func startServer(deadline: ContinuousClock.Instant) throws -> (ChildProcess, UInt16) {
        let certs = invocation.certs
        let alpn = invocation.plan.serverSettings.alpn
        var arguments = [
            "s_server", "-accept", "127.0.0.1:0", "-cert", certs + "/server-chain.pem", "-cert_chain",
            certs + "/server-chain.pem", "-key", certs + "/server.key", "-naccept", "1", "-rev", versionFlag,
        ]
        if !alpn.isEmpty { arguments += ["-alpn", alpn.joined(separator: ",")] }
        let server = try ChildProcess(executable: executable, arguments: arguments)
        guard let line = server.waitForLine(deadline: deadline, where: { $0.hasPrefix("ACCEPT ") }),
            let port = line.split(separator: ":").last.flatMap({ UInt16($0) })
        else {
            server.stop(grace: .milliseconds(300))
            throw ChildProcessError("openssl s_server announced no port: \(server.standardErrorText.prefix(300))", 0)
        }
        return (server, port)
    }

    func startClient(port: UInt16) throws -> ChildProcess {
        let alpn = invocation.plan.clientSettings.alpn
        var arguments = [
            "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", invocation.certs + "/ca.pem", "-verify_hostname",
            "localhost", "-verify_return_error", "-servername", "localhost", versionFlag,
        ]
        if !alpn.isEmpty { arguments += ["-alpn", alpn.joined(separator: ",")] }
        guard invocation.protocolVersion.isQUIC else { return try ChildProcess(executable: executable, arguments: arguments) }
        // -adv reads "{fin}" in its input as SSL_stream_conclude, so the request ends its stream as the guide's
        // client does; the input stays open, so s_client waits for the echo rather than closing at end of input.
        return try ChildProcess(executable: executable, arguments: arguments + ["-adv"], input: Array((quicRequest + "{fin}\n").utf8))
    }

    /// What `s_client -quic` sends: text, since it reads lines and treats `{` as the start of a command.
    private var quicRequest: String { "tls-interop quic echo, seed \(invocation.plan.seed)" }

    func record(from output: ToolOutput, role: EndpointRole) -> ConnectionRecord {
        var output = output
        switch role {
        case .client:
            if let alert = output.first("SSL alert number "), let code = output.number(after: "SSL alert number ", in: alert) {
                output.alertReceived(code, line: alert)
            } else if let cipher = output.first("Cipher is "), !cipher.contains("(NONE)") {
                output.record.handshake = .ok(0)
                output.evidence = cipher
            } else {
                output.record.handshake = .protocolError
                output.evidence = output.lines.last { $0.contains("error") } ?? "no handshake line"
            }
            output.record.negotiatedALPN = output.value(after: "ALPN protocol: ")
            if invocation.protocolVersion.isQUIC {
                // The request went out whole (it fits one write); the echo counts as read if s_client printed it.
                var digest = PayloadDigest()
                Array(quicRequest.utf8).withUnsafeBytes { digest.update($0) }
                output.record.bytesWritten = digest.byteCount
                output.record.writtenDigest = digest.hexDigest
                if output.standardOutput.contains(quicRequest) {
                    output.record.bytesRead = digest.byteCount
                    output.record.readDigest = digest.hexDigest
                }
            }
        case .server:
            if let established = output.first("CONNECTION ESTABLISHED") {
                output.record.handshake = .ok(0)
                output.evidence = established
            } else {
                output.record.handshake = .protocolError
                output.evidence = output.first("error")
                    ?? output.first("server accepts that finished")?.trimmingCharacters(in: .whitespaces)
            }
            output.record.negotiatedALPN = output.value(after: "ALPN protocols selected: ")
        }
        return output.finish()
    }

    func toolName(_ role: EndpointRole) -> String {
        role == .server ? "openssl s_server" : "openssl s_client"
    }
}
