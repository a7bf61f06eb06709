import Foundation
import InteropCore
import InteropRunner
import Testing

/// `run --target-server HOST:PORT`: the Swift clients of both libraries against a server the user runs, judged from
/// the client's side, with what only the server could show reported as not observable, never as met.
@Suite struct TargetServerTests {
    let binary = PackagePaths.executable

    func run(_ target: String, _ extra: [String], in directory: TemporaryDirectory) throws -> (ProcessResult, ResultsDocument?) {
        let reports = directory.path + "/reports-\(abs(extra.hashValue))"
        let result = try runProgram(binary, ["run", "--target-server", target, "--reports", reports, "--quiet"] + extra)
        return (result, try? ResultsDocument.load(reports + "/results.json"))
    }

    /// A server that listens and then does `behaviour` with each connection (Python, for servers no library makes).
    func rawServer(_ behaviour: String) throws -> (ChildProcess, UInt16) {
        let script = """
            import socket, sys, time
            server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(16)
            print(server.getsockname()[1], flush=True)
            while True:
                connection, _ = server.accept()
                \(behaviour)
            """
        let process = try ChildProcess(executable: "/usr/bin/python3", arguments: ["-c", script])
        let line = try #require(process.waitForLine(deadline: .now.advanced(by: .seconds(10))) { Int($0) != nil })
        return (process, UInt16(line)!)
    }

    @Test func theSwiftServeIsJudgedFromTheClientSide() throws {
        let directory = try TemporaryDirectory()
        let serve = try ChildProcess(executable: binary, arguments: ["serve", "--certs", PackagePaths.certs])
        defer { serve.stop(grace: .seconds(1)) }
        let port = try #require(serve.waitForLine(deadline: .now.advanced(by: .seconds(10))) { $0.contains("listening") }
            .flatMap { PeerEvent.parse($0)?.port })
        let (result, results) = try run("127.0.0.1:\(port)", ["--filter", "H1,A4"], in: directory)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let cells = try #require(results?.cells)
        #expect(cells.count == 8 && cells.allSatisfy { $0.status == .passed && $0.mode == .targetServer && $0.server == .target })
        let echo = try #require(cells.first { $0.id == "H1/target-openssl/tls1.3/target-server" })
        #expect(echo.checks.first { $0.field == "serverHandshake" }?.notObservable == true)
        #expect(echo.checks.first { $0.field == "serverHandshake" }?.passed == false)
        #expect(echo.checks.first { $0.field == "echoIntact" }?.passed == true)
        #expect(echo.message.contains("not observable from the client: serverHandshake"))
        #expect(echo.reproduce.contains("--target-server 127.0.0.1:\(port)") && !echo.reproduce.contains("--server"))
        let refused = try #require(cells.first { $0.id == "A4/target-gnutls/tls1.2/target-server" })
        #expect(refused.observed["clientHandshake"] == "alertReceived(120)")
        let explain = try runProgram(binary, ["explain", echo.id, "--results", directory.path + "/reports-\(abs(["--filter", "H1,A4"].hashValue))/results.json"])
        #expect(explain.standardOutput.contains("[not observable] serverHandshake"))
    }

    /// gnutls-serv in echo mode with --alpn-fatal: judged cells (its echo is line by line, so a payload without a
    /// newline is not echoed before the client concludes — a judged failure, not a skip).
    @Test func gnutlsServIsJudged() throws {
        let directory = try TemporaryDirectory()
        let (probe, port) = try rawServer("connection.close()")
        probe.stop(grace: .milliseconds(200))
        let server = try ChildProcess(executable: "/usr/bin/gnutls-serv", arguments: [
            "--echo", "-p", String(port), "--x509certfile", PackagePaths.certs + "/server-chain.pem", "--x509keyfile",
            PackagePaths.certs + "/server.key", "--alpn", "http/1.0", "--alpn", "hq-interop", "--alpn-fatal",
        ])
        defer { server.stop(grace: .milliseconds(300)) }
        #expect(server.waitForLine(deadline: .now.advanced(by: .seconds(10)), includingStandardError: true) { $0.contains("Echo Server listening") } != nil)
        let (_, results) = try run("127.0.0.1:\(port)", ["--filter", "H1,A4", "--protocol", "tls1.3"], in: directory)
        let cells = try #require(results?.cells)
        #expect(cells.count == 4 && cells.allSatisfy { $0.status == .passed || $0.status == .failed })
        #expect(cells.filter { $0.scenario == "A4" }.allSatisfy { $0.status == .passed && $0.observed["clientHandshake"] == "alertReceived(120)" })
        #expect(cells.filter { $0.scenario == "H1" }.allSatisfy { $0.observed["clientHandshake"] == "completed" })
    }

    /// Nothing listening, a server that closes at once or speaks plain text, one that hangs mid-handshake: every cell
    /// fails within its deadline with what was seen, and the run goes on.
    @Test func badTargetsFailTheirCellsAndTheRunGoesOn() throws {
        let directory = try TemporaryDirectory()
        let (closed, closedPort) = try rawServer("connection.close()")
        closed.stop(grace: .milliseconds(200))
        let (closes, closesPort) = try rawServer("connection.close()")
        defer { closes.stop(grace: .milliseconds(200)) }
        let (http, httpPort) = try rawServer("connection.recv(4096); connection.sendall(b'HTTP/1.0 400 Bad Request\\r\\n\\r\\n'); connection.close()")
        defer { http.stop(grace: .milliseconds(200)) }
        let (hangs, hangsPort) = try rawServer("time.sleep(30)")
        defer { hangs.stop(grace: .milliseconds(200)) }
        for (port, seen) in [(closedPort, "reset"), (closesPort, "eof"), (httpPort, "protocolError"), (hangsPort, "timeout")] {
            let started = ContinuousClock.now
            let (result, results) = try run("127.0.0.1:\(port)", ["--filter", "H1", "--protocol", "tls1.3", "--deadline", "1"], in: directory)
            #expect(result.status == 1, "\(port): \(result.standardError)")
            let cells = try #require(results?.cells)
            #expect(cells.count == 2 && cells.allSatisfy { $0.status == .failed })
            #expect(cells.allSatisfy { $0.message.contains(seen) }, "\(seen): \(cells.map(\.message))")
            #expect(started.duration(to: .now) < .seconds(10))
        }
    }

    @Test func badTargetOptionsExitTwo() throws {
        let cases: [([String], String)] = [
            (["--target-server", "10.0.0.1:443"], "'10.0.0.1' is not a loopback address"),
            (["--target-server", "localhost"], "use HOST:PORT"),
            (["--target-server", "127.0.0.1:4433", "--mode", "in-process"], "--target-server runs mode target-server alone"),
            (["--target-server", "127.0.0.1:4433", "--server", "openssl"], "the server is yours; leave --server out"),
            (["--mode", "target-server"], "target-server with --target-server"),
        ]
        for (arguments, message) in cases {
            let result = try runProgram(binary, ["run", "--filter", "H1"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
    }
}
