import Foundation
import InteropRunner
import Testing

/// A failed cell's reproduce line names every option its result depended on, shell-quoted, and running it runs
/// that cell again with the same outcome.
@Suite struct ReproduceCommandTests {
    @Test func theReproduceLineRunsTheSameCellAgain() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("my fixtures/divergences.yaml", "divergences: []\n")
        _ = try directory.write(
            "my fixtures/scenarios/X.yaml",
            """
            family: X
            title: reproduce
            scenarios:
              - id: X1
                name: wrong-alpn
                protocols: [tls1.3]
                description: Expects an ALPN no endpoint offers, so it fails.
                expect:
                  negotiatedALPN: h2

            """)
        let fixtures = directory.path + "/my fixtures"
        let reports = directory.path + "/reports"
        let run = try runProgram(
            PackagePaths.executable,
            [
                "run", "--fixtures", fixtures, "--certs", PackagePaths.certs, "--mode", "out-of-process", "--server", "gnutls",
                "--client", "openssl", "--deadline", "7.5", "--seed", "42", "--reports", reports,
            ])
        #expect(run.status == 1)
        let cell = try #require(try ResultsDocument.load(reports + "/results.json").cells.first)
        #expect(cell.status == .failed)
        #expect(
            cell.reproduce
                == "tls-interop run --filter X1 --server gnutls --client openssl --protocol tls1.3 --mode out-of-process "
                + "--seed 42 --fixtures '\(fixtures)' --certs \(PackagePaths.certs) --deadline 7.5")
        let again = try runProgram(
            "/bin/sh",
            ["-c", cell.reproduce.replacingOccurrences(of: "tls-interop run", with: "\(PackagePaths.executable) run")
                + " --reports \(directory.path)/again"])
        #expect(again.status == 1)
        let rerun = try ResultsDocument.load(directory.path + "/again/results.json").cells
        #expect(rerun.map(\.id) == [cell.id])
        #expect(rerun.first?.message == cell.message)
    }
}
