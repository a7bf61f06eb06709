import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins
import Testing

/// Real servers and clients built on each library, described by adapter files (fixtures/endpoints/), in the external
/// modes and as targets: lighttpd on both of its TLS modules, nginx, curl, wget, Python's ssl module. They come from
/// `make endpoints` (which `make test` runs): lighttpd and nginx unpacked into .deps/endpoints.
@Suite(.serialized) struct RealEndpointTests {
    let binary = PackagePaths.executable
    static let unpacked = PackagePaths.root + "/.deps/endpoints"

    func requireUnpacked() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.unpacked + "/usr/sbin/lighttpd"),
            "lighttpd is not unpacked into .deps/endpoints: run make endpoints")
    }

    /// Runs `tls-interop run` with `arguments` into a reports folder of `directory`, with a temporary directory of
    /// that directory's own (`TMPDIR`), where the programs' cell directories go: what this run leaves is told apart
    /// from what tests running beside it do.
    func run(_ arguments: [String], in directory: TemporaryDirectory, name: String = "reports") throws -> (ProcessResult, ResultsDocument?) {
        let reports = directory.path + "/" + name
        try FileManager.default.createDirectory(atPath: Self.cellDirectories(of: directory), withIntermediateDirectories: true)
        let result = try runProgram(
            binary, ["run", "--reports", reports, "--quiet"] + arguments, environment: ["TMPDIR": Self.cellDirectories(of: directory)])
        return (result, try? ResultsDocument.load(reports + "/results.json"))
    }

    static func cellDirectories(of directory: TemporaryDirectory) -> String { directory.path + "/tmp" }

    /// Processes of the programs the external modes started for `directory`'s run (their cell directories are in
    /// its temporary directory).
    func leftoverPrograms(of directory: TemporaryDirectory) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.compactMap { pid in
            let command = ProcessTable.commandLine(pid_t(pid)!)
            return command.contains(Self.cellDirectories(of: directory) + "/tls-interop-") ? command : nil
        }
    }

    /// What the programs' cell directories left in `directory`'s run's temporary directory.
    func leftoverDirectories(of directory: TemporaryDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: Self.cellDirectories(of: directory))) ?? []).filter {
            $0.hasPrefix("tls-interop-")
        }
    }

    /// The server author's case: one lighttpd, its OpenSSL module and its GnuTLS module side by side in the default
    /// reports. They differ on a client offering only h2 (mod_openssl alert 120, mod_gnutls no ALPN, documented P1),
    /// and the report says so; nothing is left running or lying around.
    @Test func lighttpdsTwoModulesAreComparedInTheReports() throws {
        try requireUnpacked()
        let directory = try TemporaryDirectory()
        let (result, results) = try run(
            ["--mode", "external-server", "--endpoint", "lighttpd", "--filter", "A4,A1", "--protocol", "tls1.3"], in: directory)
        #expect(result.status == 0, "\(result.standardError)")
        let cells = try #require(results?.cells)
        #expect(cells.count == 8 && cells.allSatisfy { $0.endpoint == "lighttpd" && $0.id.hasSuffix("/external-server/lighttpd") })
        let a4 = cells.filter { $0.scenario == "A4" }
        #expect(a4.filter { $0.server == .openssl }.allSatisfy { $0.status == .passed && $0.observed["clientHandshake"] == "alertReceived(120)" })
        #expect(a4.filter { $0.server == .gnutls }.allSatisfy {
            $0.status == .divergent && $0.divergence == "P1-lighttpd-mod-gnutls-serves-a-mismatching-alpn-client"
                && $0.observed["clientHandshake"] == "completed"
        })
        #expect(cells.filter { $0.scenario == "A1" }.allSatisfy { $0.status == .passed && $0.observed["negotiatedALPN"] == "http/1.0" })
        let summary = try String(contentsOfFile: directory.path + "/reports/summary.md", encoding: .utf8)
        #expect(summary.contains("## Real programs"))
        #expect(summary.contains("- **lighttpd** on its TLS libraries: 2 of 4 comparisons differ"), "\(summary)")
        #expect(summary.contains("| on OpenSSL | on GnuTLS | builds differ |"))
        #expect(summary.contains("clientHandshake openssl alertReceived(120), gnutls completed"))
        let html = try String(contentsOfFile: directory.path + "/reports/index.html", encoding: .utf8)
        #expect(html.contains("<h2 id=\"programs\">Real programs</h2>"))
        #expect(result.standardOutput.isEmpty || !result.standardOutput.contains("harness error"))
        #expect(leftoverPrograms(of: directory).isEmpty)
        #expect(leftoverDirectories(of: directory).isEmpty)
    }

    /// Each real program plays the cells its adapter can stand for, judged; the reproduce line reruns one of them.
    @Test func everyProgramIsJudged() throws {
        try requireUnpacked()
        let directory = try TemporaryDirectory()
        let (result, results) = try run(
            ["--mode", "external", "--endpoint", "nginx,curl,wget,python-ssl", "--filter", "A4,A5,E2b", "--protocol", "tls1.2"],
            in: directory)
        #expect(result.status == 0, "\(result.standardError)")
        let cells = try #require(results?.cells)
        for program in ["nginx", "curl", "wget", "python-ssl"] {
            let own = cells.filter { $0.endpoint == program }
            #expect(own.contains { $0.status == .passed || $0.status == .divergent }, "\(program): \(own.map(\.message))")
            #expect(!own.contains { $0.status == .failed || $0.status == .error }, "\(program): \(own.map(\.message))")
        }
        // wget offers no ALPN whatever it is told, so it stands only for a client that offers none.
        #expect(cells.filter { $0.endpoint == "wget" && $0.scenario == "A4" }.allSatisfy {
            $0.status == .skipped && $0.message.contains("wget uses no ALPN whatever it is told")
        })
        // Python's server reads an EOF without close_notify as the end (P3).
        #expect(cells.filter { $0.endpoint == "python-ssl" && $0.scenario == "E2b" }.allSatisfy { $0.status == .divergent })
        let curl = try #require(cells.first { $0.endpoint == "curl" && $0.scenario == "A4" })
        #expect(curl.reproduce.contains("--endpoint curl"))
        #expect(curl.observed["clientHandshake"] == "alertReceived(120)")
        #expect(curl.observed["clientEndOfStream"] == "not observable")
        #expect(leftoverPrograms(of: directory).isEmpty)
        #expect(leftoverDirectories(of: directory).isEmpty)
    }

    /// lighttpd on each module as a target: the Swift clients of both libraries produce judged cells, and the
    /// modules answer a client that offers only h2 differently.
    @Test func lighttpdOnEitherModuleIsAJudgedTarget() throws {
        try requireUnpacked()
        let directory = try TemporaryDirectory()
        var a4: [String: String] = [:]
        for module in ["mod_openssl", "mod_gnutls"] {
            // A port the kernel just handed out and this test let go.
            let port = try TCPListener().address.port
            let configuration = try directory.write("\(module).conf", """
                server.modules = ("\(module)")
                server.document-root = "\(directory.path)"
                server.bind = "127.0.0.1"
                server.port = \(port)
                server.feature-flags = ("server.h2proto" => "disable")
                ssl.engine = "enable"
                ssl.pemfile = "\(PackagePaths.certs)/server-chain.pem"
                ssl.privkey = "\(PackagePaths.certs)/server.key"

                """)
            let server = try ChildProcess(
                executable: Self.unpacked + "/usr/sbin/lighttpd", arguments: ["-D", "-m", Self.unpacked + "/usr/lib/lighttpd", "-f", configuration])
            defer { server.stop(grace: .milliseconds(300)) }
            #expect(server.waitForLine(deadline: .now.advanced(by: .seconds(10)), includingStandardError: true) { $0.contains("server started") } != nil)
            let (_, results) = try run(
                ["--target-server", "127.0.0.1:\(port)", "--filter", "A4,H1", "--protocol", "tls1.3"], in: directory, name: module)
            let cells = try #require(results?.cells)
            #expect(cells.count == 4 && cells.allSatisfy { $0.status == .passed || $0.status == .failed || $0.status == .divergent })
            #expect(cells.filter { $0.scenario == "H1" }.allSatisfy { $0.observed["clientHandshake"] == "completed" })
            a4[module] = cells.first { $0.scenario == "A4" }?.observed["clientHandshake"]
        }
        #expect(a4 == ["mod_openssl": "alertReceived(120)", "mod_gnutls": "completed"])
    }

    /// A program is added with a file, no Swift: here gnutls-serv once more, as a program built on GnuTLS.
    @Test func aProgramIsAddedWithAnAdapterFile() throws {
        let directory = try TemporaryDirectory()
        let fixtures = try copiedFixtures(into: directory)
        let gnutls = try String(contentsOfFile: PackagePaths.fixtures + "/endpoints/gnutls.yaml", encoding: .utf8)
        _ = try directory.write(
            "fixtures/endpoints/echo-server.yaml",
            gnutls.replacingOccurrences(of: "id: gnutls\n", with: "id: echo-server\n")
                .replacingOccurrences(of: "libraryTools: true\n", with: ""))
        let (result, results) = try run(
            ["--fixtures", fixtures, "--mode", "external-server", "--endpoint", "echo-server", "--filter", "A1,A4", "--protocol", "tls1.3",
             "--certs", PackagePaths.certs], in: directory)
        #expect(result.status == 0, "\(result.standardError)")
        let cells = try #require(results?.cells)
        #expect(cells.count == 4 && cells.allSatisfy { $0.endpoint == "echo-server" && $0.status == .passed }, "\(cells.map(\.message))")
    }

    /// An adapter file with an unknown field, a pattern that is not a regular expression, or an unknown program
    /// named on the command line: exit 2 naming the file and the field (or the option).
    @Test func badAdaptersExitTwoNamingFileAndField() throws {
        let cases: [(String, String, String)] = [
            ("comand: x\n", "comand", "unknown"),
            ("", "negotiatedALPN", "not a regular expression"),
        ]
        for (extra, field, words) in cases {
            let directory = try TemporaryDirectory()
            let fixtures = try copiedFixtures(into: directory)
            var text = try String(contentsOfFile: PackagePaths.fixtures + "/endpoints/openssl.yaml", encoding: .utf8)
            if field == "negotiatedALPN" {
                text = text.replacingOccurrences(of: "negotiatedALPN: \"^ALPN protocol: (.*)$\"", with: "negotiatedALPN: \"ALPN (\"")
            } else {
                text = text.replacingOccurrences(of: "server:\n", with: "server:\n  \(extra)")
            }
            let file = try directory.write("fixtures/endpoints/openssl.yaml", text)
            let result = try runProgram(binary, ["run", "--fixtures", fixtures, "--mode", "external", "--reports", directory.path + "/reports"])
            #expect(result.status == 2)
            #expect(result.standardError.contains(file) && result.standardError.contains(field) && result.standardError.contains(words), "\(result.standardError)")
        }
        let unknown = try runProgram(binary, ["run", "--mode", "external", "--endpoint", "nosuch", "--reports", try TemporaryDirectory().path])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("--endpoint: unknown endpoint 'nosuch' (known: curl, gnutls, lighttpd, nginx, ngtcp2, openssl, python-ssl, wget)"), "\(unknown.standardError)")
    }

    /// The fixtures folder, copied, so that a test can change one file.
    func copiedFixtures(into directory: TemporaryDirectory) throws -> String {
        let target = directory.path + "/fixtures"
        try FileManager.default.copyItem(atPath: PackagePaths.fixtures, toPath: target)
        return target
    }
}
