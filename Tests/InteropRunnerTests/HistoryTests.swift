import Foundation
import InteropRunner
import Testing

/// `tls-interop history` over real runs: runs keyed by the commit they record, a changed cell shown with its
/// outcomes over time, a cell whose outcome changed on the same commit called flaky, and the pull-request block
/// comparing the newest run with the base branch's last one.
@Suite struct HistoryTests {
    let binary = PackagePaths.executable
    static let selection = ["--filter", "A", "--mode", "in-process", "--server", "openssl", "--client", "openssl", "--protocol", "tls1.3"]
    static let changedCell = "A2/openssl-openssl/tls1.3/in-process"

    /// One run into `folder/results.json`, recording `commit` and `branch`; with `breakA2` the fixtures expect
    /// another protocol from A2, so that cell fails.
    func run(_ folder: String, commit: String, branch: String, breakA2: Bool, in directory: TemporaryDirectory) throws {
        var fixtures = PackagePaths.fixtures
        if breakA2 {
            fixtures = directory.path + "/fixtures"
            if !FileManager.default.fileExists(atPath: fixtures) {
                fixtures = try copyOfFixtures(in: directory, editing: "A-alpn.yaml") {
                    $0.replacingOccurrences(of: "negotiatedALPN: hq-interop", with: "negotiatedALPN: h2")
                }
            }
        }
        let result = try runProgram(
            binary, ["run"] + Self.selection + ["--fixtures", fixtures, "--reports", directory.path + "/runs/" + folder, "--quiet"],
            environment: ["TLS_INTEROP_COMMIT": commit, "TLS_INTEROP_BRANCH": branch])
        try #require(result.status == (breakA2 ? 1 : 0), "\(result.standardOutput)\(result.standardError)")
    }

    @Test func threeRunsWithOneChangedCellShowIt() throws {
        let directory = try TemporaryDirectory()
        try run("1", commit: "aaaaaaaaaaaa1", branch: "main", breakA2: false, in: directory)
        try run("2", commit: "aaaaaaaaaaaa1", branch: "main", breakA2: false, in: directory)
        try run("3", commit: "bbbbbbbbbbbb2", branch: "feature", breakA2: true, in: directory)
        let output = directory.path + "/history"
        let history = try runProgram(binary, ["history", directory.path + "/runs", "--output", output, "--base-branch", "main"])
        #expect(history.status == 0, "\(history.standardOutput)\(history.standardError)")
        #expect(history.standardOutput.contains("3 runs, 11 cells: 1 changed, 0 flaky"))
        #expect(history.standardOutput.contains("\(Self.changedCell): passed ×2 → failed"))
        let markdown = try String(contentsOfFile: output + "/history.md", encoding: .utf8)
        #expect(markdown.contains("- `\(Self.changedCell)`: passed ×2 → failed"))
        #expect(markdown.contains("| #3 |"))
        #expect(markdown.contains("`bbbbbbbbbbbb`"))
        let comment = try String(contentsOfFile: output + "/comment.md", encoding: .utf8)
        #expect(comment.contains("**New failures** (1)"))
        #expect(comment.contains("`\(Self.changedCell)`"))
        #expect(comment.utf8.count < HistoryMarkdown.commentLimit)
        let page = try String(contentsOfFile: output + "/history.html", encoding: .utf8)
        #expect(page.contains("<td class=\"id\">\(Self.changedCell)</td>"))
        #expect(page.contains("data-scenario=\"A2\" data-family=\"A\" data-mode=\"in-process\" data-changed=\"1\""))
        #expect(!page.contains("src=\"http"), "the page is self-contained")
    }

    @Test func anOutcomeThatChangedOnTheSameCommitIsFlaky() throws {
        let directory = try TemporaryDirectory()
        try run("1", commit: "cccccccccccc3", branch: "main", breakA2: false, in: directory)
        // The same commit, builds and seed, and another outcome: as a timing-dependent cell would show it.
        try run("2", commit: "cccccccccccc3", branch: "main", breakA2: true, in: directory)
        try run("3", commit: "dddddddddddd4", branch: "main", breakA2: true, in: directory)
        let output = directory.path + "/history"
        let history = try runProgram(binary, ["history", directory.path + "/runs/1", directory.path + "/runs/2/results.json", directory.path + "/runs/3", "--output", output])
        #expect(history.status == 0, "\(history.standardOutput)\(history.standardError)")
        #expect(history.standardOutput.contains("1 changed, 1 flaky"))
        let markdown = try String(contentsOfFile: output + "/history.md", encoding: .utf8)
        #expect(markdown.contains("- `\(Self.changedCell)`: passed → failed ×2 (runs #1, #2)"))
        // The newest run against the one before: same outcome, so nothing is new.
        let comment = try String(contentsOfFile: output + "/comment.md", encoding: .utf8)
        #expect(comment.contains("No cell changed."))
    }

    @Test func unreadableInputExitsTwoNamingIt() throws {
        let directory = try TemporaryDirectory()
        let bad = try directory.write("bad/results.json", "{\"schemaVersion\": 1, \"cells\": 3}")
        let history = try runProgram(binary, ["history", directory.path + "/bad", "--output", directory.path + "/out"])
        #expect(history.status == 2)
        #expect(history.standardError.contains(bad))
        let missing = try runProgram(binary, ["history", directory.path + "/nothing-here", "--output", directory.path + "/out"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("nothing-here: no such file or folder"))
        // A device where a results file belongs is refused, not read for ever.
        let device = try runProgram(binary, ["history", "/dev/zero", "--output", directory.path + "/out"])
        #expect(device.status == 2)
        #expect(device.standardError.contains("/dev/zero: not a regular file"))
    }

    /// The page's views, run by its own script in Node against its own rows: the filter read from the address, and
    /// written back to it when the reader changes one.
    @Test func eachViewsFilterIsInTheAddress() throws {
        let directory = try TemporaryDirectory()
        try run("1", commit: "eeeeeeeeeeee5", branch: "main", breakA2: false, in: directory)
        try run("2", commit: "ffffffffffff6", branch: "main", breakA2: true, in: directory)
        let output = directory.path + "/history"
        let history = try runProgram(binary, ["history", directory.path + "/runs", "--output", output])
        try #require(history.status == 0, "\(history.standardOutput)\(history.standardError)")
        struct View: Decodable {
            var visible: [String]
            var address: String?
        }
        func view(_ arguments: [String]) throws -> View {
            let script = PackagePaths.root + "/Tests/InteropRunnerTests/Scripts/history_view.js"
            let result = try runProgram("/usr/bin/node", [script, output + "/history.html"] + arguments)
            try #require(result.status == 0, "\(result.standardError)")
            return try JSONDecoder().decode(View.self, from: Data(result.standardOutput.utf8))
        }
        // No filter: the changed cells.
        #expect(try view([]).visible == [Self.changedCell])
        // From the address: every A1 cell, whatever changed.
        let all = try view(["?scenario=A1&show=all"])
        #expect(all.visible == ["A1/openssl-openssl/tls1.3/in-process"])
        #expect(try view(["?show=all&mode=in-process"]).visible.count == 11)
        #expect(try view(["?library=gnutls&show=all"]).visible.isEmpty, "the runs had OpenSSL alone")
        // A filter the reader types goes into the address.
        let typed = try view(["", "scenario=A"])
        #expect(typed.address == "/history.html?scenario=A")
        #expect(typed.visible == [Self.changedCell])
    }
}
