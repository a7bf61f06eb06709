import Foundation
import InteropCore
import InteropRunner
import Testing

/// `run --target-client COMMAND`: a client command of the user's against the Swift servers, judged from the server's
/// side, with what only the client could show reported as not observable.
@Suite struct TargetClientTests {
    let binary = PackagePaths.executable

    func run(_ command: String, _ extra: [String]) throws -> (ProcessResult, ResultsDocument?) {
        let directory = try TemporaryDirectory()
        let reports = directory.path + "/reports"
        let result = try runProgram(binary, ["run", "--target-client", command, "--reports", reports, "--quiet"] + extra)
        return (result, try? ResultsDocument.load(reports + "/results.json"))
    }

    /// gnutls-cli reads the payload from stdin, half-closes at its end and prints what comes back: an echo client.
    @Test func gnutlsCliAsTheClientIsJudgedFromTheServerSide() throws {
        let (result, results) = try run("gnutls-cli --port {port} --alpn {alpn} --x509cafile {ca} localhost", ["--filter", "H1,A4"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let cells = try #require(results?.cells)
        #expect(cells.count == 8 && cells.allSatisfy { $0.status == .passed && $0.client == .target && $0.mode == .targetClient })
        let echo = try #require(cells.first { $0.id == "H1/gnutls-target/tls1.3/target-client" })
        #expect(echo.checks.first { $0.field == "clientHandshake" }?.notObservable == true)
        #expect(echo.checks.first { $0.field == "serverHandshake" }?.passed == true)
        #expect(echo.message.contains("not observable from the server: clientHandshake"))
        #expect(echo.reproduce.contains("--target-client") && echo.reproduce.contains("--server gnutls"))
        // A4's client offers only h2 through {alpn}; the Swift servers answer with alert 120.
        #expect(cells.filter { $0.scenario == "A4" }.allSatisfy { $0.observed["serverHandshake"] == "alertSent(120)" })
    }

    /// A command that exits at once or never connects fails its cells, saying so, within the deadline.
    @Test func aClientThatNeverConnectsFailsItsCells() throws {
        for (command, seen) in [("false", "the client command ended (exit status 1) without connecting"),
            ("sleep 30", "outlived the cell's deadline and was stopped by the watchdog")] {
            let started = ContinuousClock.now
            let (result, results) = try run(command, ["--filter", "H1", "--protocol", "tls1.3", "--deadline", "1"])
            #expect(result.status == 1)
            #expect(results?.cells.count == 2 && results?.cells.allSatisfy { $0.status == .failed && $0.message.contains(seen) } == true,
                "\(results?.cells.map(\.message) ?? [])")
            #expect(started.duration(to: .now) < .seconds(10))
        }
    }

    @Test func badClientOptionsExitTwo() throws {
        let cases: [([String], String)] = [
            (["--target-client", "/nonexistent/client {port}"], "'/nonexistent/client' is not an executable"),
            (["--target-client", "gnutls-cli {port}", "--client", "openssl"], "the client is yours; leave --client out"),
            (["--target-client", "gnutls-cli {port}", "--target-server", "127.0.0.1:1"], "one of your endpoints at a time"),
        ]
        for (arguments, message) in cases {
            let result = try runProgram(binary, ["run", "--filter", "H1"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
    }
}
