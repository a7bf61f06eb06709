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

    @Test func refusesSetsThatCompareNothing() throws {
        let directory = try TemporaryDirectory()
        let (older, _) = try twoRuns(in: directory)
        let same = try runProgram(PackagePaths.executable, ["versions", older, older, "--reports", directory.path + "/same"])
        #expect(same.status == 2)
        #expect(same.standardError.contains("there is no version to compare"))
        let one = try runProgram(PackagePaths.executable, ["versions", older, "--reports", directory.path + "/one"])
        #expect(one.status == 2)

        let third = try TemporaryDirectory()
        let (olderThird, seedChanged) = try twoRuns(in: third) { $0["seed"] = 42 }
        let seeds = try runProgram(PackagePaths.executable, ["versions", olderThird, seedChanged, "--reports", third.path + "/v"])
        #expect(seeds.status == 2)
        #expect(seeds.standardError.contains("seed 42"))
    }

    /// Runs differing in either library's build, three at once: the builds are the report's dimensions, each run is
    /// compared with the first, a changed cell carries both runs' observations and raw values, and a run that
    /// changes nothing says so with the count compared.
    @Test func aBuildMatrixComparesEveryRunWithTheReference() throws {
        let directory = try TemporaryDirectory()
        let (reference, newerOpenSSL) = try twoRuns(in: directory)
        let other = try TemporaryDirectory()
        let (_, newerGnuTLS) = try twoRuns(in: other) { document in
            var libraries = document["libraries"] as! [String: String]
            libraries["openssl"] = (try? ResultsDocument.load(reference))?.libraries["openssl"]
            libraries["gnutls"] = "GnuTLS 9.9.9 (build /opt/gnutls-9.9)"
            document["libraries"] = libraries
            var cells = document["cells"] as! [[String: Any]]
            cells[0] = ((try? JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: reference)!)) as? [String: Any])
                .flatMap { ($0["cells"] as? [[String: Any]])?.first } ?? cells[0]
            document["cells"] = cells
        }
        let output = directory.path + "/matrix"
        let result = try runProgram(PackagePaths.executable, ["versions", reference, newerOpenSSL, newerGnuTLS, "--reports", output])
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardOutput.contains("Build matrix: OpenSSL × GnuTLS, 3 runs"))
        #expect(result.standardOutput.contains("to OpenSSL 9.9.9 × GnuTLS 3.7.9 (12 compared):"))
        #expect(result.standardOutput.contains("0 cells changed from "))
        #expect(result.standardOutput.contains("× GnuTLS 9.9.9 (build /opt/gnutls-9.9) (12 compared)"))
        let summary = try String(contentsOfFile: output + "/summary.md", encoding: .utf8)
        #expect(summary.contains("| OpenSSL | GnuTLS | cells |"))
        #expect(summary.contains("| GnuTLS 9.9.9 (build /opt/gnutls-9.9) | 12 |"))
        #expect(summary.contains("No cell changed (12 cells compared)."))
        #expect(summary.contains("both runs' checks and raw values"))
        #expect(summary.contains("on OpenSSL 9.9.9 × GnuTLS 3.7.9:"))
        #expect(summary.contains("SSL_do_handshake"))
        let junit = output + "/junit.xml"
        #expect(try xmllint(["--noout", "--schema", ReportsTests.schema, junit]).status == 0)
        let suites = try xmllint(["--xpath", "//testsuite/@name", junit]).standardOutput
        #expect(suites.contains("× GnuTLS 9.9.9 (build /opt/gnutls-9.9) · H — "))
        let document = try #require(try JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: output + "/versions.json")!) as? [String: Any])
        #expect((document["runs"] as? [Any])?.count == 3)
    }
}
