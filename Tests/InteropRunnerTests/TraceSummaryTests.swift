import Foundation
import InteropCore
import InteropRunner
import Testing

/// results.json keeps a passed cell's long traces as summaries (every step, its first and last calls) and every other
/// cell's whole; `explain --rerun` prints the whole trace again.
@Suite struct TraceSummaryTests {
    let binary = PackagePaths.executable

    func entry(_ action: String, _ value: Int) -> TraceEntry {
        TraceEntry(action: action, outcome: .ok(value), raw: RawResult(call: "SSL_write_ex", returnValue: value))
    }

    @Test func everyStepKeepsItsEndsAndTheCountOfWhatWasLeftOut() {
        var record = ConnectionRecord(role: .client, library: .openssl, ordinal: 1)
        record.trace = [entry("handshake", 0)] + (1...40).map { entry("send", $0) } + [entry("shutdown(closeNotify)", 0)]
            + (1...5).map { entry("readToEnd", $0) } + [entry("close", 0)]
        let summary = TraceSummary.summarized(record)
        #expect(summary.trace.map(\.action) == ["handshake"] + Array(repeating: "send", count: 6) + ["shutdown(closeNotify)"]
            + Array(repeating: "readToEnd", count: 5) + ["close"])
        #expect(summary.trace.filter { $0.action == "send" }.map { $0.raw.returnValue } == [1, 2, 3, 38, 39, 40])
        #expect(summary.trace.compactMap(\.omittedBefore) == [34])
        #expect(summary.omittedTraceEntries == 34)
        let short = ConnectionRecord(role: .server, library: .gnutls, ordinal: 1)
        #expect(TraceSummary.summarized(short).omittedTraceEntries == nil)
    }

    @Test func passedCellsAreSummarizedAndTheRestKeptWhole() throws {
        let directory = try TemporaryDirectory()
        let reports = directory.path + "/reports"
        let run = try runProgram(binary, [
            "run", "--filter", "R3,A2", "--server", "gnutls", "--client", "gnutls", "--protocol", "tls1.3", "--mode", "in-process",
            "--reports", reports,
        ])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        let results = try ResultsDocument.load(reports + "/results.json")
        let bulk = try #require(results.cells.first { $0.id == "R3/gnutls-gnutls/tls1.3/in-process" })
        #expect(bulk.status == .passed)
        let client = try #require(bulk.clients.first)
        #expect((client.omittedTraceEntries ?? 0) > 200)
        #expect(client.trace.count < 30)
        #expect(Set(client.trace.map(\.action)) == ["handshake", "send", "shutdown(closeNotify)", "readToEnd"])

        let explain = try runProgram(binary, ["explain", bulk.id, "--results", reports + "/results.json"])
        #expect(explain.standardOutput.contains("more send calls"))
        #expect(explain.standardOutput.contains("calls left out of results.json; explain --rerun prints them all"))
        let rerun = try runProgram(binary, ["explain", bulk.id, "--results", reports + "/results.json", "--rerun"])
        #expect(rerun.status == 0, "\(rerun.standardError)")
        #expect(!rerun.standardOutput.contains("left out"))
        #expect(rerun.standardOutput.components(separatedBy: "  send: ok(").count > 60)
        #expect(rerun.standardOutput.contains("rerun with seed 1: passed"))

        // A cell changed since a baseline keeps its whole trace, passed or not.
        var document = results
        document.cells[0].status = .passed
        document.cells[0].clients = [longRecord()]
        #expect(document.summarizingPassedTraces(except: [document.cells[0].id]).cells[0].clients[0].trace.count == 42)
        #expect(document.summarizingPassedTraces().cells[0].clients[0].omittedTraceEntries == 34)
        // A failed cell keeps it too.
        document.cells[0].status = .failed
        #expect(document.summarizingPassedTraces().cells[0].clients[0].omittedTraceEntries == nil)
    }

    func longRecord() -> ConnectionRecord {
        var record = ConnectionRecord(role: .client, library: .openssl, ordinal: 1)
        record.trace = [entry("handshake", 0)] + (1...40).map { entry("send", $0) } + [entry("close", 0)]
        return record
    }

    @Test func rerunOfAnUnknownScenarioNamesIt() throws {
        let directory = try TemporaryDirectory()
        let reports = directory.path + "/reports"
        _ = try runProgram(binary, ["run", "--filter", "H1", "--server", "openssl", "--client", "openssl", "--protocol", "tls1.3",
            "--mode", "in-process", "--reports", reports])
        let empty = directory.path + "/fixtures"
        try FileManager.default.createDirectory(atPath: empty + "/scenarios", withIntermediateDirectories: true)
        let rerun = try runProgram(binary, ["explain", "H1/openssl-openssl/tls1.3/in-process", "--results", reports + "/results.json",
            "--rerun", "--fixtures", empty])
        #expect(rerun.status == 2)
        #expect(rerun.standardError.contains(empty + "/scenarios"))
    }
}
