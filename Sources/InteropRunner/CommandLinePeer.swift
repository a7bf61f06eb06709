import Foundation
import InteropCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The command-line tool families the harness can drive, recognised by the tools a library's plug-in ships
/// (`openssl` → `s_server`/`s_client`; `gnutls-serv` and `gnutls-cli`), not by which library it is.
enum ToolFamily {
    case openssl
    case gnutls

    init?(shipping tools: [String: String]) {
        if tools["openssl"] != nil {
            self = .openssl
        } else if tools["gnutls-serv"] != nil && tools["gnutls-cli"] != nil {
            self = .gnutls
        } else {
            return nil
        }
    }
}

/// One library's command-line tool playing one endpoint of a cell: how to start it for the cell's protocol and
/// ALPN settings, and how to read its output back into a `ConnectionRecord`.
struct CommandLinePeer {
    let library: TLSLibrary
    let family: ToolFamily
    let plan: CellPlan
    let certs: String
    let spec: ExternalPeerSpec
    let tools: CommandLineTools
    /// Where a tool that cannot bind port 0 gets its port (datagram or not).
    var portSource: @Sendable (Bool) throws -> UInt16 = { try WildcardPortProbe.freePort(datagram: $0) }

    var unsupportedReason: String? {
        if plan.cell.protocolVersion.isQUIC {
            return quicUnsupportedReason
        }
        guard plan.cell.protocolVersion.isDatagram && plan.cell.mode == .externalServer else { return nil }
        switch family {
        case .openssl:
            // Observed: "Can't use -rev with DTLS", and without -rev s_server ends the connection when stdin ends.
            return "openssl s_server refuses -rev with DTLS, and without it ends the connection when its stdin ends"
        case .gnutls:
            // Observed: the echo client's close_notify gets no answer from gnutls-serv --udp, so it never sees EOF.
            return "gnutls-serv --udp leaves a client's close_notify unanswered, so the echo client cannot conclude"
        }
    }

    private var quicUnsupportedReason: String? {
        let subcommand = plan.cell.mode == .externalServer ? "s_server" : "s_client"
        switch family {
        case .gnutls:
            return "gnutls-serv and gnutls-cli have no QUIC mode"
        case .openssl:
            let tool = tools["openssl"]
            guard Self.offersQUIC(tool: tool, subcommand: subcommand) else {
                return "\(tool) \(subcommand) offers no -quic option (its -help lists none)"
            }
            return nil
        }
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

    private var openSSLVersionFlag: String {
        switch plan.cell.protocolVersion {
        case .tls13: "-tls1_3"
        case .tls12: "-tls1_2"
        case .dtls12: "-dtls1_2"
        case .quic: "-quic"
        }
    }

    private var gnuTLSPriority: String {
        switch plan.cell.protocolVersion {
        case .tls13: "NORMAL:-VERS-ALL:+VERS-TLS1.3"
        case .tls12: "NORMAL:-VERS-ALL:+VERS-TLS1.2"
        case .dtls12: "NORMAL:-VERS-ALL:+VERS-DTLS1.2"
        // Refused by quicUnsupportedReason.
        case .quic: "NORMAL"
        }
    }

    // MARK: Starting

    func startServer(deadline: ContinuousClock.Instant) throws -> (ChildProcess, UInt16) {
        let alpn = plan.serverSettings.alpn
        switch family {
        case .openssl:
            var arguments = [
                "s_server", "-accept", "127.0.0.1:0", "-cert", certs + "/server-chain.pem", "-cert_chain",
                certs + "/server-chain.pem", "-key", certs + "/server.key", "-naccept", "1", "-rev", openSSLVersionFlag,
            ]
            if !alpn.isEmpty { arguments += ["-alpn", alpn.joined(separator: ",")] }
            let server = try ChildProcess(executable: tools["openssl"], arguments: arguments)
            guard let line = server.waitForLine(deadline: deadline, where: { $0.hasPrefix("ACCEPT ") }),
                let port = line.split(separator: ":").last.flatMap({ UInt16($0) })
            else {
                server.stop(grace: .milliseconds(300))
                throw ChildProcessError("openssl s_server announced no port: \(server.standardErrorText.prefix(300))", 0)
            }
            return (server, port)
        case .gnutls:
            var arguments = [
                "--x509certfile", certs + "/server-chain.pem", "--x509keyfile", certs + "/server.key", "--echo",
                "--priority", gnuTLSPriority,
            ]
            for name in alpn { arguments += ["--alpn", name] }
            if !alpn.isEmpty && spec.alpnFatal { arguments.append("--alpn-fatal") }
            if plan.cell.protocolVersion.isDatagram { arguments.append("--udp") }
            // The port is chosen before the tool binds it, so another process may take it in between: a failed
            // bind on IPv4 (where the client connects) means another port, not a started server.
            var failures: [String] = []
            for _ in 1...Self.bindAttempts {
                let port = try portSource(plan.cell.protocolVersion.isDatagram)
                let server = try ChildProcess(executable: tools["gnutls-serv"], arguments: ["-p", String(port)] + arguments)
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
    }

    static let bindAttempts = 4

    func startClient(port: UInt16) throws -> ChildProcess {
        let alpn = plan.clientSettings.alpn
        switch family {
        case .openssl:
            var arguments = [
                "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", certs + "/ca.pem", "-verify_hostname", "localhost",
                "-verify_return_error", "-servername", "localhost", openSSLVersionFlag,
            ]
            if !alpn.isEmpty { arguments += ["-alpn", alpn.joined(separator: ",")] }
            guard plan.cell.protocolVersion.isQUIC else {
                return try ChildProcess(executable: tools["openssl"], arguments: arguments)
            }
            // -adv reads "{fin}" in its input as SSL_stream_conclude, so the request ends its stream as the guide's
            // client does; the input stays open, so s_client waits for the echo rather than closing at end of input.
            return try ChildProcess(
                executable: tools["openssl"], arguments: arguments + ["-adv"],
                input: Array((quicRequest + "{fin}\n").utf8))
        case .gnutls:
            var arguments = [
                "127.0.0.1", "--port", String(port), "--x509cafile", certs + "/ca.pem", "--verify-hostname", "localhost",
                "--priority", gnuTLSPriority,
            ]
            for name in alpn { arguments += ["--alpn", name] }
            if plan.cell.protocolVersion.isDatagram { arguments.append("--udp") }
            return try ChildProcess(executable: tools["gnutls-cli"], arguments: arguments)
        }
    }

    /// What `s_client -quic` sends: text, since it reads lines and treats `{` as the start of a command.
    var quicRequest: String { "tls-interop quic echo, seed \(plan.seed)" }

    // MARK: Reading the output

    /// What the tool printed, turned into the neutral record the judge reads; the lines that decided it are kept
    /// as the raw result.
    func record(from process: ChildProcess, role: EndpointRole) -> ConnectionRecord {
        var record = ConnectionRecord(role: role, library: library, ordinal: 1)
        let output = process.standardOutputText + "\n" + process.standardErrorText
        let lines = output.split(separator: "\n").map { String($0) }
        let tool = toolName(role)
        func first(_ pattern: String) -> String? { lines.first { $0.contains(pattern) } }
        func number(after marker: String, in line: String) -> Int? {
            guard let range = line.range(of: marker) else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        var evidence: String?
        let status = process.termination.map { termination -> Int in
            if case .exited(let code) = termination { return Int(code) }
            return -1
        } ?? -1
        switch (family, role) {
        case (.openssl, .client):
            if let alert = first("SSL alert number "), let code = number(after: "SSL alert number ", in: alert) {
                record.handshake = .alertReceived(UInt8(clamping: code))
                record.alerts.append(AlertEvent(direction: .received, level: 2, code: UInt8(clamping: code)))
                evidence = alert
            } else if let cipher = first("Cipher is "), !cipher.contains("(NONE)") {
                record.handshake = .ok(0)
                evidence = cipher
            } else {
                record.handshake = .protocolError
                evidence = lines.last { $0.contains("error") } ?? "no handshake line"
            }
            if let alpn = first("ALPN protocol: ") { record.negotiatedALPN = String(alpn.dropFirst("ALPN protocol: ".count)) }
            if plan.cell.protocolVersion.isQUIC {
                // The request went out whole (it fits one write); the echo counts as read if s_client printed it.
                var digest = PayloadDigest()
                Array(quicRequest.utf8).withUnsafeBytes { digest.update($0) }
                record.bytesWritten = digest.byteCount
                record.writtenDigest = digest.hexDigest
                if process.standardOutputText.contains(quicRequest) {
                    record.bytesRead = digest.byteCount
                    record.readDigest = digest.hexDigest
                }
            }
        case (.gnutls, .client):
            if let alert = first("Received alert ["), let code = number(after: "Received alert [", in: alert) {
                record.handshake = .alertReceived(UInt8(clamping: code))
                record.alerts.append(AlertEvent(direction: .received, level: 2, code: UInt8(clamping: code)))
                evidence = alert
            } else if let done = first("Handshake was completed") {
                record.handshake = .ok(0)
                evidence = done
            } else {
                record.handshake = .protocolError
                evidence = first("Fatal error") ?? first("Error") ?? "no handshake line"
            }
            if let alpn = first("- Application protocol: ") {
                record.negotiatedALPN = String(alpn.dropFirst("- Application protocol: ".count))
            }
        case (.openssl, .server):
            if let established = first("CONNECTION ESTABLISHED") {
                record.handshake = .ok(0)
                evidence = established
            } else {
                record.handshake = .protocolError
                evidence = first("error") ?? first("server accepts that finished")?.trimmingCharacters(in: .whitespaces)
            }
            if let alpn = first("ALPN protocols selected: ") {
                record.negotiatedALPN = String(alpn.dropFirst("ALPN protocols selected: ".count))
            }
        case (.gnutls, .server):
            if let error = first("Error in handshake") {
                record.handshake = .protocolError
                evidence = error
            } else {
                record.handshake = .ok(0)
                evidence = first("Accepted connection") ?? "no handshake error printed"
            }
        }
        record.trace.append(
            TraceEntry(
                action: "handshake", outcome: record.handshake ?? .protocolError,
                raw: RawResult(call: tool, returnValue: status, reason: evidence)))
        record.notes.append("parsed from \(tool)'s output; exit status \(status)")
        record.completed = record.handshake == .ok(0)
        return record
    }

    func describe(_ process: ChildProcess) -> String {
        let output = (process.standardOutputText + process.standardErrorText)
            .split(separator: "\n").prefix(40).joined(separator: "\n    ")
        return "\(toolName(plan.cell.mode == .externalServer ? .server : .client)): \(process.commandLine)\n"
            + "  ended: \(process.termination.map(\.description) ?? "running")\n  output:\n    \(output)"
    }

    func toolName(_ role: EndpointRole) -> String {
        switch (family, role) {
        case (.openssl, .server): "openssl s_server"
        case (.openssl, .client): "openssl s_client"
        case (.gnutls, .server): "gnutls-serv"
        case (.gnutls, .client): "gnutls-cli"
        }
    }
}
