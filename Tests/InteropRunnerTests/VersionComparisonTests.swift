import Foundation
import InteropRunner
import Testing

/// `tls-interop versions`: two runs' results, differing in the OpenSSL version, in one report. The second run is the
/// first with its OpenSSL version and one cell's outcome edited, as a run on another version would differ.
@Suite struct VersionComparisonTests {
    /// A real run of a few cells, and a copy that claims another OpenSSL version and changes one cell's outcome.
    func twoRuns(in directory: TemporaryDirectory, editNewer: (inout [String: Any]) -> Void = { _ in }) throws -> (String, String) {
        let older = directory.path + "/older"
        let run = try runProgram(PackagePaths.executable, ["run", "--filter", "H1", "--mode", "in-process", "--reports", older, "--quiet"])
        #expect(run.status == 0, "\(run.standardError)")
        let data = try #require(FileManager.default.contents(atPath: older + "/results.json"))
        var document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var libraries = try #require(document["libraries"] as? [String: String])
        libraries["openssl"] = "OpenSSL 9.9.9 1 Jan 2099"
        document["libraries"] = libraries
        var cells = try #require(document["cells"] as? [[String: Any]])
        cells[0]["status"] = "failed"
        var observed = try #require(cells[0]["observed"] as? [String: String])
        observed["clientHandshake"] = "protocolError"
        cells[0]["observed"] = observed
        document["cells"] = cells
        editNewer(&document)
        let newer = directory.path + "/newer"
        try FileManager.default.createDirectory(atPath: newer, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: newer + "/results.json"))
        return (older + "/results.json", newer + "/results.json")
    }

    @Test func listsTheChangedCellAndWritesOneReportWithBothVersions() throws {
        let directory = try TemporaryDirectory()
        let (older, newer) = try twoRuns(in: directory)
        let output = directory.path + "/versions"
        let result = try runProgram(PackagePaths.executable, ["versions", older, newer, "--reports", output])
        // The edited run has a failed cell, so the comparison reports failure while still writing everything.
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardOutput.contains("1 cell changed"))
        #expect(result.standardOutput.contains("H1/openssl-openssl/tls1.3/in-process: status passed → failed; clientHandshake completed → protocolError"))

        // The older run's OpenSSL is whichever this build links (3.0 by default, 3.5 under make test-3.5).
        let olderData = try #require(FileManager.default.contents(atPath: older))
        let olderDocument = try #require(try JSONSerialization.jsonObject(with: olderData) as? [String: Any])
        let linked = try #require((olderDocument["libraries"] as? [String: String])?["openssl"])
        let linkedShort = linked.split(separator: " ").prefix(2).joined(separator: " ")
        let summary = try String(contentsOfFile: output + "/summary.md", encoding: .utf8)
        #expect(summary.contains("## Cells whose outcome changed between \(linkedShort) and OpenSSL 9.9.9"))
        #expect(summary.contains("`H1/openssl-openssl/tls1.3/in-process`: status passed → failed"))
        #expect(summary.contains("## OpenSSL 9.9.9 1 Jan 2099"))

        let junit = output + "/junit.xml"
        #expect(try xmllint(["--noout", "--schema", ReportsTests.schema, junit]).status == 0)
        // A second consumer (junitparser) reads it and finds every stated count in its cases.
        let consumer = try runProgram("/usr/bin/env", ["python3", ReportsTests.consumer, junit])
        #expect(consumer.status == 0, "\(consumer.standardOutput)\(consumer.standardError)")
        let suites = try xmllint(["--xpath", "//testsuite/@name", junit]).standardOutput
        #expect(suites.contains("\(linkedShort) · H — ") && suites.contains("OpenSSL 9.9.9 · H — "))
        let total = try xmllint(["--xpath", "string(/testsuites/@tests)", junit]).standardOutput
        let cases = try xmllint(["--xpath", "count(//testcase)", junit]).standardOutput
        #expect(total == cases)

        let html = try String(contentsOfFile: output + "/index.html", encoding: .utf8)
        #expect(html.contains("href=\"../older/index.html#"))
        #expect(html.contains("href=\"../newer/index.html#"))
        #expect(FileManager.default.fileExists(atPath: output + "/versions.json"))
    }

    @Test func refusesPairsThatDoNotIsolateTheOpenSSLVersion() throws {
        let directory = try TemporaryDirectory()
        let (older, _) = try twoRuns(in: directory)
        let same = try runProgram(PackagePaths.executable, ["versions", older, older, "--reports", directory.path + "/same"])
        #expect(same.status == 2)
        #expect(same.standardError.contains("there is no version to compare"))

        let other = try TemporaryDirectory()
        let (olderAgain, gnutlsChanged) = try twoRuns(in: other) { document in
            var libraries = document["libraries"] as! [String: String]
            libraries["gnutls"] = "GnuTLS 9.9"
            document["libraries"] = libraries
        }
        let refused = try runProgram(PackagePaths.executable, ["versions", olderAgain, gnutlsChanged, "--reports", other.path + "/v"])
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("no change could be attributed to OpenSSL alone"))
        #expect(refused.standardError.contains(gnutlsChanged))

        let third = try TemporaryDirectory()
        let (olderThird, seedChanged) = try twoRuns(in: third) { $0["seed"] = 42 }
        let seeds = try runProgram(PackagePaths.executable, ["versions", olderThird, seedChanged, "--reports", third.path + "/v"])
        #expect(seeds.status == 2)
        #expect(seeds.standardError.contains("seed 42"))
    }
}
