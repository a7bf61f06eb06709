import Foundation
import InteropRunner
import Testing

/// The coverage guard on real runs: every report states planned, ran and not applicable by reason; a run against a
/// baseline fails naming each cell it lost (vanished or turned not applicable) unless fixtures/coverage.yaml allows
/// it with a reason; a selection or shard of no cell is an error.
@Suite struct CoverageGuardTests {
    let binary = PackagePaths.executable
    /// Family A on one pairing, in-process: ten cells, two of them not applicable, in well under a second.
    static let selection = ["--filter", "A", "--mode", "in-process", "--server", "openssl", "--client", "openssl", "--protocol", "tls1.3"]

    /// The baseline: family A as the fixtures have it now.
    func baseline(in directory: TemporaryDirectory) throws -> String {
        let reports = directory.path + "/baseline"
        let run = try runProgram(binary, ["run"] + Self.selection + ["--reports", reports, "--quiet"])
        try #require(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        return reports + "/results.json"
    }

    /// A copy of the fixtures without scenario A2, as if its entry had been deleted.
    func fixturesWithoutA2(in directory: TemporaryDirectory) throws -> String {
        try copyOfFixtures(in: directory, editing: "A-alpn.yaml") { text in
            let start = try #require(text.range(of: "  - id: A2\n"))
            let next = try #require(text.range(of: "  - id: ", range: start.upperBound..<text.endIndex))
            return String(text[..<start.lowerBound]) + String(text[next.lowerBound...])
        }
    }

    @Test func aRunThatLosesABaselineCellExitsOneNamingIt() throws {
        let directory = try TemporaryDirectory()
        let baseline = try baseline(in: directory)
        let fixtures = try fixturesWithoutA2(in: directory)
        let reports = directory.path + "/reports"
        let run = try runProgram(binary, ["run"] + Self.selection + ["--fixtures", fixtures, "--baseline", baseline, "--reports", reports])
        #expect(run.status == 1, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("A2/openssl-openssl/tls1.3/in-process: no longer run (was passed)"))
        #expect(run.standardOutput.contains("0 failed"), "every cell that ran passed: the loss alone fails the run")
        #expect(run.standardError.contains("the run lost 1 cell of the baseline"))
        let junit = try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("<failure type=\"coverage lost\" message=\"1 baseline cells lost\">A2/openssl-openssl/tls1.3/in-process"))
        #expect(try xmllint(["--noout", "--schema", ReportsTests.schema, reports + "/junit.xml"]).status == 0)
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.contains("## Coverage lost since the baseline"))
        #expect(summary.contains("❌ `A2/openssl-openssl/tls1.3/in-process`: no longer run (was passed)"))
        let quiet = try runProgram(binary, ["run"] + Self.selection + ["--fixtures", fixtures, "--baseline", baseline, "--quiet"])
        #expect(quiet.status == 1)
        #expect(quiet.standardOutput.contains("coverage lost: A2/openssl-openssl/tls1.3/in-process"))
    }

    @Test func aLossTheFixturesAllowWithAReasonPasses() throws {
        let directory = try TemporaryDirectory()
        let baseline = try baseline(in: directory)
        let fixtures = try fixturesWithoutA2(in: directory)
        try "allowedLosses:\n  - cells: \"A2/*\"\n    reason: A2 was folded into A1\n"
            .write(toFile: fixtures + "/coverage.yaml", atomically: false, encoding: .utf8)
        let run = try runProgram(binary, ["run"] + Self.selection + ["--fixtures", fixtures, "--baseline", baseline])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("A2/openssl-openssl/tls1.3/in-process: no longer run (was passed) — allowed: A2 was folded into A1"))
    }

    @Test func aCellTurnedNotApplicableIsALoss() throws {
        let directory = try TemporaryDirectory()
        let baseline = try baseline(in: directory)
        // A4n is not applicable on OpenSSL alone; a baseline in which it passed makes today's run a loss.
        let id = "A4n/openssl-openssl/tls1.3/in-process"
        let lines = try String(contentsOfFile: baseline, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let edited = lines.map { line in
            line.contains("\"id\":\"\(id)\"") ? line.replacingOccurrences(of: "\"status\":\"skipped\"", with: "\"status\":\"passed\"") : String(line)
        }
        try #require(edited != lines.map(String.init), "the baseline holds \(id) as not applicable")
        try edited.joined(separator: "\n").write(toFile: baseline, atomically: false, encoding: .utf8)
        let run = try runProgram(binary, ["run"] + Self.selection + ["--baseline", baseline])
        #expect(run.status == 1, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("\(id): not applicable now: the naive configuration is GnuTLS's GNUTLS_ALPN_MANDATORY"))
        #expect(run.standardOutput.contains("(was passed)"))
    }

    @Test func cellsTheOptionsLeaveOutAndOtherShardsAreNotLost() throws {
        let directory = try TemporaryDirectory()
        let baseline = try baseline(in: directory)
        // A narrower filter: the baseline's other A cells are outside what this run could select.
        var narrower = Self.selection
        narrower[1] = "A1"
        let filtered = try runProgram(binary, ["run"] + narrower + ["--baseline", baseline])
        #expect(filtered.status == 0, "\(filtered.standardOutput)\(filtered.standardError)")
        #expect(!filtered.standardOutput.contains("coverage lost"))
        // One shard of the same selection: the cells of the other shard are still selected.
        let shard = try runProgram(binary, ["run"] + Self.selection + ["--shard", "1/2", "--baseline", baseline])
        #expect(shard.status == 0, "\(shard.standardOutput)\(shard.standardError)")
        #expect(!shard.standardOutput.contains("coverage lost"))
    }

    @Test func everyReportStatesPlannedRanAndNotApplicableByReason() throws {
        let directory = try TemporaryDirectory()
        let reports = directory.path + "/reports"
        let run = try runProgram(binary, ["run"] + Self.selection + ["--reports", reports])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("coverage: 11 planned, 9 ran, 2 not applicable"))
        let results = try ResultsDocument.load(reports + "/results.json")
        let coverage = try #require(results.coverage)
        #expect(coverage.planned == results.cells.count)
        #expect(coverage.ran == results.cells.filter { $0.status != .skipped }.count)
        #expect(coverage.notApplicable == 2)
        #expect(coverage.notApplicableReasons.map(\.cells).reduce(0, +) == 2)
        let junit = try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("<property name=\"coverage.planned\" value=\"11\"/>"))
        #expect(junit.contains("<property name=\"coverage.ran\" value=\"9\"/>"))
        #expect(junit.contains("<property name=\"coverage.notApplicable.reason\" value=\"1: the naive configuration is GnuTLS's GNUTLS_ALPN_MANDATORY"))
        #expect(try String(contentsOfFile: reports + "/summary.md", encoding: .utf8).contains("## Not applicable, by reason"))
    }

    @Test func aSelectionOrShardOfNoCellIsAnError() throws {
        let directory = try TemporaryDirectory()
        let reports = directory.path + "/reports"
        let empty = try runProgram(binary, ["run", "--filter", "Q1", "--protocol", "tls1.2", "--reports", reports])
        #expect(empty.status == 2)
        #expect(empty.standardError.contains("the selection has no cell: no scenario runs with --filter Q1 --protocol tls1.2"))
        #expect(try String(contentsOfFile: reports + "/summary.md", encoding: .utf8).contains("Configuration error"))
        var one = Self.selection
        one[1] = "A1"
        let shard = try runProgram(binary, ["run"] + one + ["--shard", "2/2"])
        #expect(shard.status == 2)
        #expect(shard.standardError.contains("shard 2/2 (--shard) has no cell: the selection has 1 cell; use at most 1 shards"))
        #expect(try runProgram(binary, ["list", "--filter", "Q1", "--protocol", "tls1.2"]).status == 2)
    }

    @Test func diffFailsOnCoverageLostAndReadsTheAllowances() throws {
        let directory = try TemporaryDirectory()
        let baseline = try baseline(in: directory)
        let fixtures = try fixturesWithoutA2(in: directory)
        let reports = directory.path + "/reports"
        _ = try runProgram(binary, ["run"] + Self.selection + ["--fixtures", fixtures, "--reports", reports, "--quiet"])
        let diff = try runProgram(binary, ["diff", baseline, reports + "/results.json", "--fail-on", "coverage-loss"])
        #expect(diff.status == 1, "\(diff.standardOutput)\(diff.standardError)")
        #expect(diff.standardOutput.contains("coverage lost: A2/openssl-openssl/tls1.3/in-process: no longer run (was passed)"))
        try "allowedLosses:\n  - cells: \"A2/*\"\n    reason: folded into A1\n".write(toFile: fixtures + "/coverage.yaml", atomically: false, encoding: .utf8)
        let allowed = try runProgram(binary, ["diff", baseline, reports + "/results.json", "--fail-on", "coverage-loss", "--fixtures", fixtures])
        #expect(allowed.status == 0, "\(allowed.standardOutput)\(allowed.standardError)")
        // Any change still fails the default diff: a lost cell is a change.
        #expect(try runProgram(binary, ["diff", baseline, reports + "/results.json", "--fixtures", fixtures]).status == 1)
        try "allowedLosses:\n  - cells: \"A2/*\"\n    reson: typo\n".write(toFile: fixtures + "/coverage.yaml", atomically: false, encoding: .utf8)
        let misspelt = try runProgram(binary, ["diff", baseline, reports + "/results.json", "--fixtures", fixtures])
        #expect(misspelt.status == 2)
        #expect(misspelt.standardError.contains("\(fixtures)/coverage.yaml: unknown field 'allowedLosses[0].reson'"))
    }
}
