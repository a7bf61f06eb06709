import Foundation
import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// Peers that hang, crash or print garbage become failed cells within the deadline, and no process survives.
@Suite(.serialized) struct WatchdogTests {
    static let catalog = InProcessMatrixTests.catalog

    func runner(server: [String] = [], client: [String] = []) -> OutOfProcessCellRunner {
        var runner = OutOfProcessCellRunner(
            setup: PeerSetup(
                executable: PackagePaths.executable, fixtures: PackagePaths.fixtures, certs: PackagePaths.certs,
                deadline: .seconds(1), divergences: InProcessMatrixTests.divergences, libraries: .linked))
        runner.serverExtraArguments = server
        runner.clientExtraArguments = client
        return runner
    }

    var cell: Cell {
        Cell(
            scenario: Self.catalog.scenarios.first { $0.id == "H1" }!, server: .openssl, client: .gnutls,
            protocolVersion: .tls13, mode: .outOfProcess)
    }

    /// Processes whose command line runs this package's binary as a peer.
    func peerProcesses() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let command = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return command.contains("tls-interop peer") && command.contains("--misbehave") ? command : nil
        }
    }

    @Test func serverThatHangsIsStoppedAndReported() {
        let started = ContinuousClock.now
        let result = runner(server: ["--misbehave", "hang"]).run(cell, seed: 1)
        #expect(result.status == .failed)
        #expect(result.message.contains("server peer announced no port"))
        #expect(result.message.contains("killed by signal 15"))
        #expect(started.duration(to: .now) < .seconds(6))
        #expect(peerProcesses().isEmpty)
    }

    @Test func clientThatCrashesIsReportedWithItsSignal() {
        let result = runner(client: ["--misbehave", "crash"]).run(cell, seed: 1)
        #expect(result.status == .failed)
        #expect(result.message.contains("client 1 peer crashed: killed by signal 11"))
        #expect(result.peerOutput.contains { $0.contains("client 1 peer") })
        #expect(peerProcesses().isEmpty)
    }

    @Test func clientThatPrintsGarbageFailsTheCell() {
        let result = runner(client: ["--misbehave", "garbage"]).run(cell, seed: 1)
        #expect(result.status == .failed)
        #expect(result.message.contains("client 1 peer printed garbage: this is not JSON"))
        #expect(peerProcesses().isEmpty)
    }

    /// The contract's way to decline: an `unsupported` line and exit status 4 make the cell not applicable with the
    /// peer's reason, at once — never a failure or a time-out.
    @Test func aPeerThatDeclinesTheCellMakesItNotApplicable() {
        for (server, client, role) in [(["--misbehave", "unsupported"], [String](), "server"), ([], ["--misbehave", "unsupported"], "client 1")] {
            let started = ContinuousClock.now
            let result = runner(server: server, client: client).run(cell, seed: 1)
            #expect(result.status == .skipped, "\(role): \(result.message)")
            #expect(result.message.contains("the \(role) peer cannot play it: this endpoint was told to play no cell"), "\(result.message)")
            #expect(started.duration(to: .now) < .seconds(3))
            #expect(peerProcesses().isEmpty)
        }
    }

    @Test func wellBehavedPeersGiveTheInProcessVerdict() {
        let result = runner().run(cell, seed: 1)
        #expect(result.status == .passed, "\(result.message)")
        #expect(result.serverConnections.count == 1)
        #expect(result.clients.first?.readDigest == result.clients.first?.writtenDigest)
    }

    @Test func interruptedRunWritesAPartialReportAndLeavesNoPeer() throws {
        let directory = try TemporaryDirectory()
        let junit = directory.path + "/junit.xml"
        let runner = try RunnerProcess([
            "run", "--mode", "out-of-process", "--filter", "H,A,S,E", "--jobs", "1", "--reports", directory.path,
        ])
        // Its peers, as seen just before the interrupt (they may change from cell to cell).
        var peers: Set<pid_t> = []
        let end = ContinuousClock.now.advanced(by: .milliseconds(1500))
        while ContinuousClock.now < end {
            peers.formUnion(ProcessTable.children(of: runner.pid).filter { $0.command.contains(" peer ") }.map(\.pid))
            Thread.sleep(forTimeInterval: 0.05)
        }
        runner.signal(SIGINT)
        #expect(runner.exitStatus(within: .seconds(10)) == 130)
        #expect(try xmllint(["--noout", junit]).status == 0)
        let message = try xmllint(["--xpath", "string(//error[@type='interrupted']/@message)", junit]).standardOutput
        #expect(message.hasPrefix("interrupted after "))
        let results = try ResultsDocument.load(directory.path + "/results.json")
        #expect(results.interrupted?.hasPrefix("interrupted after ") == true)
        let html = try String(contentsOfFile: directory.path + "/index.html", encoding: .utf8)
        #expect(html.contains("Partial report: the run was interrupted after "))
        #expect(!peers.isEmpty)
        #expect(ProcessTable.wait(upTo: .seconds(1)) { peers.allSatisfy { !ProcessTable.isAlive($0) } })
    }
}
