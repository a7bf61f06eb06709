import Foundation
import InteropCore
import InteropRunner
import Testing

/// What signals to the runner do: SIGKILL leaves no child behind, SIGHUP is handled like SIGTERM, an interrupt ends
/// an in-process cell within about a second, and cells in flight are reported as interrupted, not failed.
/// Checked on the real process table.
@Suite(.serialized) struct RunnerSignalTests {
    /// Waits until the runner has a child running the named command-line tool.
    func waitForTool(of runner: RunnerProcess, named tool: String) -> [pid_t] {
        var found: [pid_t] = []
        _ = ProcessTable.wait(upTo: .seconds(10)) {
            found = ProcessTable.children(of: runner.pid).filter { $0.command.contains(tool) }.map(\.pid)
            return !found.isEmpty
        }
        return found
    }

    @Test(arguments: ["gnutls-serv", "s_server"])
    func killedRunnerTakesItsCommandLineServersWithIt(tool: String) throws {
        let directory = try TemporaryDirectory()
        // H2 echoes a mebibyte, so each external-server cell keeps its tool up for a while.
        let runner = try RunnerProcess([
            "run", "--mode", "external-server", "--filter", "H", "--server", tool == "gnutls-serv" ? "gnutls" : "openssl",
            "--jobs", "1", "--reports", directory.path,
        ])
        let tools = waitForTool(of: runner, named: tool)
        try #require(!tools.isEmpty, "no \(tool) child appeared")
        runner.signal(SIGKILL)
        #expect(runner.exitStatus(within: .seconds(5)) != nil)
        let gone = ProcessTable.wait(upTo: .seconds(2)) { tools.allSatisfy { !ProcessTable.isAlive($0) } }
        #expect(gone, "\(tool) outlived the SIGKILLed runner: \(tools.filter(ProcessTable.isAlive))")
        for pid in tools where ProcessTable.isAlive(pid) { kill(pid, SIGKILL) }
    }

    @Test func hangupIsHandledLikeTerminate() throws {
        let directory = try TemporaryDirectory()
        let runner = try RunnerProcess([
            "run", "--mode", "external-server", "--filter", "H", "--server", "gnutls", "--jobs", "1", "--reports", directory.path,
        ])
        let tools = waitForTool(of: runner, named: "gnutls-serv")
        try #require(!tools.isEmpty)
        runner.signal(SIGHUP)
        #expect(runner.exitStatus(within: .seconds(10)) == 129)
        #expect(ProcessTable.wait(upTo: .seconds(2)) { tools.allSatisfy { !ProcessTable.isAlive($0) } })
        let results = try ResultsDocument.load(directory.path + "/results.json")
        #expect(results.interrupted?.hasPrefix("interrupted after ") == true)
    }

    @Test(arguments: [0.6, 1.2, 1.8])
    func cellsInFlightAreReportedAsInterruptedNotFailed(delay: Double) throws {
        let directory = try TemporaryDirectory()
        let runner = try RunnerProcess([
            "run", "--mode", "out-of-process", "--filter", "H,A,S", "--jobs", "2", "--reports", directory.path,
        ])
        Thread.sleep(forTimeInterval: delay)
        runner.signal(SIGTERM)
        #expect(runner.exitStatus(within: .seconds(10)) == 143)
        let results = try ResultsDocument.load(directory.path + "/results.json")
        let blamed = results.cells.filter { $0.status == .failed || $0.status == .error }
        #expect(blamed.isEmpty, "\(blamed.map { "\($0.id): \($0.message)" })")
        for cell in results.cells where cell.status == .interrupted {
            #expect(cell.message.hasPrefix("interrupted: "))
        }
    }

    @Test func anInterruptEndsAnInProcessCellWithinASecond() throws {
        let directory = try TemporaryDirectory()
        let fixtures = try fixturesWithAWaitingScenario(in: directory)
        let runner = try RunnerProcess([
            "run", "--fixtures", fixtures, "--mode", "in-process", "--server", "openssl", "--client", "openssl",
            "--deadline", "40", "--reports", directory.path + "/reports",
        ])
        Thread.sleep(forTimeInterval: 1)
        let signalled = ContinuousClock.now
        runner.signal(SIGINT)
        let status = runner.exitStatus(within: .seconds(5))
        #expect(status == 130)
        #expect(signalled.duration(to: .now) < .seconds(2))
        let results = try ResultsDocument.load(directory.path + "/reports/results.json")
        #expect(results.cells.map(\.status) == [.interrupted])
        #expect(results.cells.first?.ending == .interrupted)
    }

    @Test func aSecondSignalExitsAtOnce() throws {
        let directory = try TemporaryDirectory()
        let fixtures = try fixturesWithAWaitingScenario(in: directory)
        let errors = directory.path + "/stderr"
        let runner = try RunnerProcess(
            [
                "run", "--fixtures", fixtures, "--mode", "in-process", "--deadline", "40", "--jobs", "1",
                "--reports", directory.path + "/reports",
            ], standardErrorFile: errors)
        Thread.sleep(forTimeInterval: 1)
        runner.signal(SIGINT)
        runner.signal(SIGTERM)
        // The two handlers may run in either order; the second one exits before the run has written anything.
        let status = runner.exitStatus(within: .seconds(2))
        #expect(status == 130 || status == 143)
        #expect(try String(contentsOfFile: errors, encoding: .utf8).contains("second signal"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/reports/results.json"))
    }
}
