import Foundation
import InteropRunner
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Fixtures and options that would exhaust memory or time are refused with exit 2, quickly, naming the file and
/// field; peers read a scenario exactly as the runner parsed it.
@Suite struct FixtureBoundsTests {
    func fixtures(in directory: TemporaryDirectory, scenarios: String) throws -> String {
        _ = try directory.write("fixtures/divergences.yaml", "divergences: []\n")
        _ = try directory.write("fixtures/scenarios/X.yaml", scenarios)
        return directory.path + "/fixtures"
    }

    func listing(_ scenarios: String) throws -> (ProcessResult, Duration) {
        let directory = try TemporaryDirectory()
        let fixtures = try fixtures(in: directory, scenarios: scenarios)
        let started = ContinuousClock.now
        let result = try runProgram(PackagePaths.executable, ["list", "--fixtures", fixtures])
        return (result, started.duration(to: .now))
    }

    static func scenario(_ extra: String) -> String {
        """
        family: X
        title: bounds
        scenarios:
          - id: X1
            name: bounded
            description: sizes at the edge
            \(extra)
            expect:
              clientHandshake: completed

        """
    }

    @Test(arguments: [
        ("payload: 1000000000000", "field 'scenarios[0].payload' is 1000000000000 bytes"),
        ("serverPayload: 1000000000000", "field 'scenarios[0].serverPayload' is 1000000000000 bytes"),
        ("clients: 1000000", "field 'scenarios[0].clients' is 1000000"),
        ("link: {kind: memory, capacity: 1000000000000}", "field 'scenarios[0].link.capacity'"),
    ])
    func sizesBeyondTheBoundsAreRefused(extra: String, message: String) throws {
        let (result, _) = try listing(Self.scenario(extra))
        #expect(result.status == 2)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test func anAliasBombIsRefusedQuickly() throws {
        var text = "family: X\ntitle: bomb\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...12 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        text += "scenarios: *a12\n"
        let (result, elapsed) = try listing(text)
        #expect(result.status == 2)
        #expect(result.standardError.contains("X.yaml: more than 200000 values once aliases are expanded"), "\(result.standardError)")
        #expect(elapsed < .seconds(5))
    }

    @Test func deepNestingGivesAShortError() throws {
        let (result, _) = try listing("family: X\ntitle: deep\nscenarios: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n")
        #expect(result.status == 2)
        #expect(result.standardError.contains("X.yaml"))
        #expect(result.standardError.utf8.count < 1000, "\(result.standardError.utf8.count) bytes of error")
    }

    @Test func aFixtureThatIsADeviceIsRefused() throws {
        let directory = try TemporaryDirectory()
        let fixtures = try self.fixtures(in: directory, scenarios: Self.scenario(""))
        // makedev(1, 5) is /dev/zero: endless input.
        try #require(mknod(fixtures + "/scenarios/Y.yaml", S_IFCHR | 0o644, dev_t((1 << 8) | 5)) == 0)
        let result = try runProgram(PackagePaths.executable, ["list", "--fixtures", fixtures])
        #expect(result.status == 2)
        #expect(result.standardError.contains("Y.yaml: not a regular file"), "\(result.standardError)")
    }

    @Test(arguments: ["1/9223372036854775807", "1/100000000", "0/3", "4/3"])
    func outOfRangeShardsAreRefusedAtOnce(shard: String) throws {
        let started = ContinuousClock.now
        let result = try runProgram(PackagePaths.executable, ["run", "--filter", "H1", "--shard", shard])
        #expect(result.status == 2)
        #expect(result.standardError.contains("shard"), "\(result.standardError)")
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test func quotedAndCommentedIdsWorkInEveryMode() throws {
        let directory = try TemporaryDirectory()
        var text = try String(contentsOfFile: PackagePaths.fixtures + "/scenarios/H-baseline.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "  - id: H1\n", with: "  - id: \"H1\"\n")
        text = text.replacingOccurrences(of: "  - id: H2\n", with: "  - id: H2  # a comment\n")
        try #require(text.contains("id: \"H1\"") && text.contains("id: H2  # a comment"))
        let fixtures = try self.fixtures(in: directory, scenarios: text)
        // The libraries' own tools are adapters beside the scenarios; real programs are left out here.
        for tools in ["openssl.yaml", "gnutls.yaml"] {
            _ = try directory.write("fixtures/endpoints/" + tools, String(contentsOfFile: PackagePaths.fixtures + "/endpoints/" + tools, encoding: .utf8))
        }
        let result = try runProgram(
            PackagePaths.executable,
            [
                "run", "--fixtures", fixtures, "--filter", "H1,H2", "--protocol", "tls1.3", "--mode", "out-of-process",
                "--mode", "external", "--reports", directory.path + "/reports",
            ])
        #expect(result.status == 0, "\(result.standardOutput)")
        let results = try ResultsDocument.load(directory.path + "/reports/results.json")
        // H1 in both out-of-process pairings and against the tools, H2 (no command-line form) out of process.
        #expect(results.cells.count == 16)
        #expect(results.cells.allSatisfy { $0.status == .passed }, "\(results.cells.map { "\($0.id) \($0.status)" })")
    }
}
