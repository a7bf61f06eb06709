import Foundation
import InteropRunner
import Testing

/// The `tls-interop` executable as users and CI meet it: exit codes, messages, and the report it leaves.
@Suite struct CommandLineTests {
    let binary = PackagePaths.executable

    func copyFixtures(into directory: TemporaryDirectory) throws -> String {
        let target = directory.path + "/fixtures"
        try FileManager.default.copyItem(atPath: PackagePaths.fixtures, toPath: target)
        return target
    }

    @Test func filteredRunPassesAndWritesAValidReport() throws {
        let directory = try TemporaryDirectory()
        let junit = directory.path + "/junit.xml"
        let run = try runProgram(binary, ["run", "--filter", "A4,H1", "--protocol", "tls1.3", "--mode", "in-process", "--junit", junit])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("8 passed, 0 divergent, 0 failed, 0 skipped"))
        #expect(try xmllint(["--noout", junit]).status == 0)
        let cases = try xmllint(["--xpath", "count(//testcase)", junit]).standardOutput
        #expect(cases.trimmingCharacters(in: .whitespacesAndNewlines) == "8")
        let names = try xmllint(["--xpath", "string(//testcase[contains(@name,'server=gnutls client=openssl')]/@name)", junit])
        #expect(names.standardOutput.contains("A4 alpn-only-h2 · server=gnutls client=openssl · tls1.3 · in-process"))
        // A passed cell's account: its checks, how to rerun it, and where its traces are.
        let trace = try xmllint(["--xpath", "string(//testcase[starts-with(@name,'A4 ')][1]/system-out)", junit]).standardOutput
        #expect(trace.contains("[ok] clientHandshake: expected alertReceived(120), observed alertReceived(120)"))
        #expect(trace.contains("reproduce: tls-interop run --filter A4"))
        #expect(trace.contains("trace: tls-interop explain A4/"))
        #expect(!trace.contains("reason=1120"))
    }

    @Test func unmetExpectationExitsOne() throws {
        let directory = try TemporaryDirectory()
        let fixtures = try copyFixtures(into: directory)
        let file = fixtures + "/scenarios/A-alpn.yaml"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try original.replacingOccurrences(of: "negotiatedALPN: hq-interop", with: "negotiatedALPN: h2")
            .write(toFile: file, atomically: false, encoding: .utf8)
        let junit = directory.path + "/junit.xml"
        let run = try runProgram(binary, ["run", "--fixtures", fixtures, "--filter", "A2", "--mode", "in-process", "--junit", junit])
        #expect(run.status == 1)
        #expect(run.standardOutput.contains("expected negotiatedALPN=h2, observed hq-interop"))
        #expect(run.standardOutput.contains("reproduce: tls-interop run --filter A2"))
        let failures = try xmllint(["--xpath", "string(/testsuites/@failures)", junit]).standardOutput
        #expect(failures.trimmingCharacters(in: .whitespacesAndNewlines) == "12")
        // A failed cell's account keeps both endpoints' traces with their raw values.
        let trace = try xmllint(["--xpath", "string(//testcase[starts-with(@name,'A2 ')][1]/system-out)", junit]).standardOutput
        #expect(trace.contains("client #1 (") && trace.contains("server #1 ("), "\(trace)")
        #expect(trace.contains("SSL_do_handshake") || trace.contains("gnutls_handshake"))
        #expect(!trace.contains("trace: tls-interop explain"))
    }

    @Test func peerRefusesAProtocolItsScenarioDoesNotRunAndANotApplicableCell() throws {
        let common = ["peer", "--role", "server", "--server", "gnutls", "--client", "openssl", "--protocol", "quic", "--deadline", "2"]
        let wrongProtocol = try runProgram(binary, common + ["--scenario", "H1"])
        #expect(wrongProtocol.status == 2)
        #expect(wrongProtocol.standardError.contains("--protocol: scenario H1 runs tls1.3, tls1.2, dtls1.2, not quic"))
        // A cell the endpoint cannot play is declined as docs/peer-contract.md says: an `unsupported` line, exit 4.
        let notApplicable = try runProgram(
            binary, ["peer", "--role", "server", "--server", "openssl", "--client", "gnutls", "--protocol", "tls1.3", "--deadline", "2", "--scenario", "A4o"])
        #expect(notApplicable.status == PeerEvent.unsupportedExitStatus)
        #expect(notApplicable.standardError.contains("cell not applicable: GNUTLS_ALPN_MANDATORY is a GnuTLS flag"))
        let declined = PeerEvent.parse(notApplicable.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(declined?.event == .unsupported && declined?.reason?.hasPrefix("GNUTLS_ALPN_MANDATORY is a GnuTLS flag") == true)
    }

    @Test func unknownScenarioInFilterExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let junit = directory.path + "/junit.xml"
        let run = try runProgram(binary, ["run", "--filter", "A4,Z9", "--junit", junit])
        #expect(run.status == 2)
        #expect(run.standardError.contains("--filter: 'Z9' names no scenario"))
        #expect(try xmllint(["--noout", junit]).status == 0)
        let errors = try xmllint(["--xpath", "string(//error/@message)", junit]).standardOutput
        #expect(errors.contains("Z9"))
        #expect(try xmllint(["--xpath", "count(//testcase)", junit]).standardOutput.hasPrefix("1"))
    }

    @Test func malformedScenarioFileExitsTwoNamingFileAndField() throws {
        let directory = try TemporaryDirectory()
        let fixtures = try copyFixtures(into: directory)
        let file = fixtures + "/scenarios/H-baseline.yaml"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try original.replacingOccurrences(of: "serverConnections: 3", with: "serverConnectons: 3")
            .write(toFile: file, atomically: false, encoding: .utf8)
        let run = try runProgram(binary, ["run", "--fixtures", fixtures])
        #expect(run.status == 2)
        #expect(run.standardError.contains(file))
        #expect(run.standardError.contains("unknown field 'scenarios[2].expect.serverConnectons'"))
    }

    @Test func missingCertificateExitsTwoNamingTheFile() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: PackagePaths.certs, toPath: directory.path + "/certs")
        try FileManager.default.removeItem(atPath: directory.path + "/certs/server.key")
        let run = try runProgram(binary, ["run", "--filter", "H1", "--certs", directory.path + "/certs"])
        #expect(run.status == 2)
        #expect(run.standardError.contains("private key \(directory.path)/certs/server.key: no such file"))
    }

    @Test func unreadableTrustAnchorExitsTwo() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: PackagePaths.certs, toPath: directory.path + "/certs")
        try "not a certificate\n".write(toFile: directory.path + "/certs/ca.pem", atomically: false, encoding: .utf8)
        let run = try runProgram(binary, ["run", "--filter", "H1", "--certs", directory.path + "/certs"])
        #expect(run.status == 2)
        #expect(run.standardError.contains("trust anchor \(directory.path)/certs/ca.pem"))
    }

    @Test func keyOfAnotherCertificateExitsTwo() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: PackagePaths.certs, toPath: directory.path + "/certs")
        let key = directory.path + "/certs/server.key"
        try FileManager.default.removeItem(atPath: key)
        let generated = try runProgram("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        #expect(generated.status == 0)
        let run = try runProgram(binary, ["run", "--filter", "H1", "--certs", directory.path + "/certs"])
        #expect(run.status == 2)
        #expect(run.standardError.contains("private key \(key) does not match certificate"))
    }

    @Test(arguments: [["run", "--bogus"], ["run", "--server", "wolfssl"], ["run", "--protocol", "ssl3"], ["run", "--deadline", "-1"]])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let run = try runProgram(binary, arguments)
        #expect(run.status == 2)
        #expect(run.standardError.contains("Error:"))
    }

    @Test func seedsAndRepeatRunRandomizedCellsOverEverySeed() throws {
        let run = try runProgram(
            binary, [
                "run", "--filter", "R1r", "--protocol", "tls1.3", "--seed", "5", "--seeds", "4", "--repeat", "2", "--mode",
                "in-process", "--verbose",
            ])
        #expect(run.status == 0, "\(run.standardOutput)")
        #expect(run.standardOutput.contains("(2 identical runs) (seeds 5…8)"))
        #expect(run.standardOutput.contains("4 passed, 0 divergent, 0 failed, 0 skipped"))
    }

    @Test func faultsWithoutAMemoryLinkAreRefused() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write(
            "fixtures/scenarios/R.yaml",
            "family: R\ntitle: retry\nscenarios:\n  - {id: R9, name: x, description: x, client: {faults: {readEAGAIN: every 2}}, expect: {echoIntact: true}}\n")
        _ = try directory.write("fixtures/divergences.yaml", "divergences: []\n")
        let run = try runProgram(binary, ["list", "--fixtures", directory.path + "/fixtures"])
        #expect(run.status == 2)
        #expect(run.standardError.contains("field 'scenarios[0].link' must be {kind: memory}"))
    }

    @Test func everyModeRunsAndIsComparedWithInProcess() throws {
        let directory = try TemporaryDirectory()
        let junit = directory.path + "/junit.xml"
        let run = try runProgram(binary, ["run", "--filter", "A1", "--protocol", "tls1.3", "--junit", junit])
        #expect(run.status == 0, "\(run.standardOutput)")
        #expect(run.standardOutput.contains("compared with in-process: 12 of 12 cells in other modes agree"))
        let modes = try xmllint(["--xpath", "string(//testsuite[1]/properties/property[@name='modes']/@value)", junit])
        #expect(modes.standardOutput.contains("external-client,external-server,in-process,out-of-process"))
        let names = try xmllint(["--xpath", "count(//testcase[contains(@name,'· external-server')])", junit]).standardOutput
        // The tools in both pairings of each library, and the real servers on theirs (lighttpd on both, nginx and
        // Python's ssl on OpenSSL), each against both Swift clients.
        #expect(names.trimmingCharacters(in: .whitespacesAndNewlines) == "12")
        #expect(run.standardOutput.contains("lighttpd on its TLS libraries: 0 of 2 comparisons differ"))
    }

    @Test func unknownModeIsAUsageError() throws {
        let run = try runProgram(binary, ["list", "--mode", "sideways"])
        #expect(run.status == 2)
        #expect(run.standardError.contains("--mode: unknown mode 'sideways'"))
    }

    @Test func listShowsCellIdsAndNames() throws {
        let run = try runProgram(binary, ["list", "--filter", "H1", "--mode", "in-process"])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("H1/gnutls-openssl/tls1.2/in-process\tH1 echo · server=gnutls client=openssl · tls1.2 · in-process"))
        #expect(run.standardOutput.hasSuffix("12 cells\n"))
    }
}
