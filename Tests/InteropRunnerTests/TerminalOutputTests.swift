import Foundation
import InteropRunner
import Testing

/// What the runner prints to a terminal cannot carry escape sequences from fixtures, libraries or peers, and
/// numeric options out of range are named as such.
@Suite struct TerminalOutputTests {
    @Test func escapeSequencesAreShownNotSent() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("fixtures/divergences.yaml", "divergences: []\n")
        _ = try directory.write(
            "fixtures/scenarios/X.yaml",
            """
            family: X
            title: "terminal \\e]0;retitled\\a"
            scenarios:
              - id: X1
                name: "red \\e[31mtext\\e[0m"
                protocols: [tls1.3]
                description: A name with escape sequences, and a failure message that quotes them.
                expect:
                  negotiatedALPN: h2

            """)
        let result = try runProgram(
            PackagePaths.executable,
            ["run", "--fixtures", directory.path + "/fixtures", "--mode", "in-process", "--server", "openssl", "--verbose"])
        #expect(result.status == 1)
        #expect(!result.standardOutput.contains("\u{1B}") && !result.standardOutput.contains("\u{07}"))
        #expect(result.standardOutput.contains("red \\u{1B}[31mtext"))
    }

    @Test(arguments: [("--deadline", "-1", "--deadline must be between 0 and 3600 seconds, got -1.0"),
        ("--jobs", "-2", "--jobs must be between 1 and 256, got -2")])
    func negativeNumbersAreOutOfRangeNotMissing(option: String, value: String, message: String) throws {
        let result = try runProgram(PackagePaths.executable, ["run", option, value])
        #expect(result.status == 2)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }
}
