import Foundation
import InteropRunner
import Testing

/// The four reports of a real run, read back by real consumers: xmllint against the project's JUnit schema,
/// junitparser, the results schema, and checks that the HTML page needs nothing from the network.
@Suite struct ReportsTests {
    let binary = PackagePaths.executable
    static let schema = PackagePaths.root + "/Tests/InteropRunnerTests/Schemas/tls-interop-junit.xsd"
    static let consumer = PackagePaths.root + "/Tests/InteropRunnerTests/Schemas/check_junit.py"

    /// A run with passed, failed, divergent and not-applicable cells, in two modes.
    func mixedRun() throws -> (TemporaryDirectory, String, ProcessResult) {
        let directory = try TemporaryDirectory()
        let fixtures = directory.path + "/fixtures"
        try FileManager.default.copyItem(atPath: PackagePaths.fixtures, toPath: fixtures)
        let file = fixtures + "/scenarios/A-alpn.yaml"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try original.replacingOccurrences(of: "negotiatedALPN: hq-interop", with: "negotiatedALPN: h2")
            .write(toFile: file, atomically: false, encoding: .utf8)
        let reports = directory.path + "/reports"
        let run = try runProgram(binary, [
            "run", "--fixtures", fixtures, "--filter", "A2,A3a,A4n", "--protocol", "tls1.3", "--mode", "in-process",
            "--mode", "out-of-process", "--reports", reports,
        ])
        return (directory, reports, run)
    }

    @Test func allFourReportsAreWrittenAndReadByRealConsumers() throws {
        let (directory, reports, run) = try mixedRun()
        _ = directory
        #expect(run.status == 1)
        let junit = reports + "/junit.xml"
        let schemaCheck = try xmllint(["--noout", "--schema", Self.schema, junit])
        #expect(schemaCheck.status == 0, "\(schemaCheck.standardError)")
        let consumer = try runProgram("/usr/bin/env", ["python3", Self.consumer, junit])
        #expect(consumer.status == 0, "\(consumer.standardOutput)\(consumer.standardError)")
        #expect(consumer.standardOutput.contains("ok 24 cases 8 failures 0 errors"))
        let results = try ResultsDocument.load(reports + "/results.json")
        #expect(results.schemaVersion == ResultsDocument.currentSchemaVersion)
        #expect(results.cells.count == 24)
        #expect(Set(results.cells.map(\.status)) == [.passed, .failed, .divergent, .skipped])
        let failed = try #require(results.cells.first { $0.status == .failed })
        #expect(failed.reproduce.hasPrefix("tls-interop run --filter A2"))
        #expect(!failed.clients.isEmpty && !failed.clients[0].trace.isEmpty)
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.contains("## in-process · tls1.3"))
        #expect(summary.contains("| A2 alpn-hq-interop | ❌ | ❌ | ❌ | ❌ |"))
        let html = try String(contentsOfFile: reports + "/index.html", encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href=\"http"))
        #expect(html.contains("<a class=\"f failed\""))
        #expect(html.contains("id=\"cell-A2-openssl-openssl-tls1-3-in-process\""))
    }

    @Test func baselineListsChangedCellsAndDiffAgrees() throws {
        let (directory, reports, _) = try mixedRun()
        let again = directory.path + "/again"
        let run = try runProgram(binary, [
            "run", "--filter", "A2,A3a,A4n", "--protocol", "tls1.3", "--mode", "in-process", "--mode", "out-of-process",
            "--reports", again, "--baseline", reports + "/results.json",
        ])
        #expect(run.status == 0, "\(run.standardOutput)")
        #expect(run.standardOutput.contains("changed since the baseline"))
        #expect(run.standardOutput.contains("A2/openssl-openssl/tls1.3/in-process: status failed → passed"))
        let summary = try String(contentsOfFile: again + "/summary.md", encoding: .utf8)
        #expect(summary.contains("## Changed since the baseline"))
        let diff = try runProgram(binary, ["diff", reports + "/results.json", again + "/results.json"])
        #expect(diff.status == 1)
        #expect(diff.standardOutput.contains("8 cells changed"))
        let same = try runProgram(binary, ["diff", again + "/results.json", again + "/results.json"])
        #expect(same.status == 0)
        let explain = try runProgram(binary, ["explain", "A2/gnutls-openssl/tls1.3/in", "--results", reports + "/results.json"])
        #expect(explain.status == 0)
        #expect(explain.standardOutput.contains("[MISMATCH] negotiatedALPN: expected h2, observed hq-interop"))
        #expect(explain.standardOutput.contains("reproduce: tls-interop run --filter A2 --server gnutls --client openssl"))
    }

    @Test func badBaselinesAndUnwritableReportsExitTwo() throws {
        let directory = try TemporaryDirectory()
        let notJSON = try directory.write("not.json", "<html>")
        let otherVersion = try directory.write("v9.json", "{\"schemaVersion\": 9, \"cells\": []}")
        let blocker = try directory.write("file", "x")
        let cases: [([String], String)] = [
            (["--baseline", directory.path + "/missing.json"], "missing.json: cannot read results file"),
            (["--baseline", notJSON], "not.json: not a JSON results file"),
            (["--baseline", otherVersion], "v9.json: results schema version 9, this tool reads version 1"),
            (["--reports", blocker + "/reports"], "--reports \(blocker)/reports: cannot create \(blocker)/reports: Not a directory"),
        ]
        for (arguments, message) in cases {
            let run = try runProgram(binary, ["run", "--filter", "H1", "--mode", "in-process"] + arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.standardError.contains(message), "\(run.standardError)")
        }
        let diff = try runProgram(binary, ["diff", notJSON, otherVersion])
        #expect(diff.status == 2)
        let explain = try runProgram(binary, ["explain", "Z9", "--results", otherVersion])
        #expect(explain.status == 2)
    }

    @Test func quietPrintsOnlyTheCountsAndWhereReportsAre() throws {
        let directory = try TemporaryDirectory()
        let run = try runProgram(binary, ["run", "--filter", "H1", "--mode", "in-process", "--quiet", "--reports", directory.path])
        #expect(run.status == 0)
        let lines = run.standardOutput.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "9 passed, 3 divergent, 0 failed, 0 skipped")
    }
}
