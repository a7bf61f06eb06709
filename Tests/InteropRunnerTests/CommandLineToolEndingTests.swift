import Foundation
import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// How a library's command-line tool ended is part of the cell: a tool that crashes after printing a good
/// handshake, or that the watchdog has to stop, fails its cell and the message says which.
@Suite(.serialized) struct CommandLineToolEndingTests {
    /// A wrapper that runs the real tool and then behaves as `ending` says (a shell snippet run after the tool).
    func tools(in directory: TemporaryDirectory, openssl ending: String) throws -> CommandLineTools {
        let script = "#!/bin/sh\n\(CommandLineTools(.linked)["openssl"]) \"$@\"\n\(ending)\n"
        let path = try directory.write("openssl-wrapper", script)
        chmod(path, 0o755)
        var tools = CommandLineTools(.linked)
        tools["openssl"] = path
        return tools
    }

    func run(_ mode: ExecutionMode, tools: CommandLineTools, deadline: Duration = .seconds(3)) -> CellResult {
        var setup = PeerSetup(
            executable: PackagePaths.executable, fixtures: PackagePaths.fixtures, certs: PackagePaths.certs,
            deadline: deadline, divergences: InProcessMatrixTests.divergences, libraries: .linked)
        setup.tools = tools
        let cell = Cell(
            scenario: InProcessMatrixTests.catalog.scenarios.first { $0.id == "H1" }!, server: .openssl, client: .openssl,
            protocolVersion: .tls13, mode: mode)
        return ExternalPeerCellRunner(setup: setup).run(cell, seed: 1)
    }

    @Test func theRealToolsPassThroughTheWrapper() throws {
        let directory = try TemporaryDirectory()
        let result = run(.externalClient, tools: try tools(in: directory, openssl: "exit $?"))
        #expect(result.status == .passed, "\(result.message)")
    }

    @Test func aClientToolThatCrashesAfterPrintingFailsItsCell() throws {
        let directory = try TemporaryDirectory()
        let result = run(.externalClient, tools: try tools(in: directory, openssl: "kill -SEGV $$"))
        #expect(result.status == .failed)
        #expect(result.message.contains("openssl s_client crashed: killed by signal 11"), "\(result.message)")
        // It printed a completed handshake first: only its ending tells the crash.
        #expect(result.clients.first?.handshake == .ok(0))
    }

    @Test func aServerToolThatCrashesAfterPrintingFailsItsCell() throws {
        let directory = try TemporaryDirectory()
        let result = run(.externalServer, tools: try tools(in: directory, openssl: "kill -ABRT $$"))
        #expect(result.status == .failed)
        #expect(result.message.contains("openssl s_server crashed: killed by signal 6"), "\(result.message)")
    }

    @Test func aToolTheWatchdogStopsFailsItsCellAsATimeout() throws {
        let directory = try TemporaryDirectory()
        let started = ContinuousClock.now
        let result = run(.externalClient, tools: try tools(in: directory, openssl: "sleep 600"), deadline: .seconds(1))
        #expect(result.status == .failed)
        #expect(result.message.contains("openssl s_client outlived the cell's deadline and was stopped by the watchdog"), "\(result.message)")
        #expect(result.ending == .deadlineExpired)
        #expect(started.duration(to: .now) < .seconds(8))
    }
}
