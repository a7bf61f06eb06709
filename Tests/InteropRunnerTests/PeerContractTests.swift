import Foundation
import InteropCore
import InteropRunner
import Testing

/// The built-in peer follows docs/peer-contract.md: the scenario on stdin as JSON, one JSON line per event, exit 0
/// after its lines, and exit 4 with an `unsupported` line for a cell it cannot play.
@Suite struct PeerContractTests {
    static let catalog = try! ScenarioCatalog.load(directory: PackagePaths.fixtures + "/scenarios", libraries: .linked)

    func peer(_ role: String, scenario: String, server: String, client: String, extra: [String], input: String) throws -> ChildProcess {
        let arguments = [
            "peer", "--role", role, "--scenario", scenario, "--server", server, "--client", client, "--protocol", "tls1.3",
            "--seed", "1", "--deadline", "5", "--fixtures", PackagePaths.fixtures, "--scenario-file", "-", "--certs", PackagePaths.certs,
        ] + extra
        return try ChildProcess(executable: PackagePaths.executable, arguments: arguments, input: Array(input.utf8), endingInput: true)
    }

    @Test func aServerAndAClientTalkAsTheContractSays() throws {
        let document = try #require(Self.catalog.scenarios.first { $0.id == "H1" }?.peerDocument)
        #expect(document.hasPrefix("{") && document.contains("\"scenarios\":["))
        let listener = try TCPListener()
        let server = try ChildProcess(
            executable: PackagePaths.executable,
            arguments: ["peer", "--role", "server", "--scenario", "H1", "--server", "openssl", "--client", "gnutls", "--protocol", "tls1.3",
                "--seed", "1", "--deadline", "5", "--fixtures", PackagePaths.fixtures, "--scenario-file", "-", "--certs", PackagePaths.certs,
                "--listen-fd", "3"],
            input: Array(document.utf8), endingInput: true, inheriting: listener.socket.fileDescriptor)
        let client = try peer("client", scenario: "H1", server: "openssl", client: "gnutls",
            extra: ["--port", String(listener.address.port), "--ordinal", "1"], input: document)
        ChildProcess.waitAll([server, client], deadline: .now.advanced(by: .seconds(10)))
        for (name, process) in [("server", server), ("client", client)] {
            #expect(process.termination == .exited(0), "\(name): \(process.standardErrorText)")
            let events = process.lines.map { PeerEvent.parse($0) }
            #expect(events.allSatisfy { $0 != nil }, "\(name) printed something that is not an event line")
            #expect(events.last??.event == .finished && events.last??.ending == .completed)
            #expect(events.compactMap { $0?.record }.count == 1)
        }
        #expect(server.lines.first.flatMap { PeerEvent.parse($0) }?.event == .listening)
    }

    @Test func aCellThePeerCannotPlayIsDeclinedWithExitStatusFour() throws {
        // S7x's server needs OpenSSL's _ex BIO callbacks; asked to play it on GnuTLS, the peer declines.
        let document = try #require(Self.catalog.scenarios.first { $0.id == "S7x" }?.peerDocument)
        let server = try peer("server", scenario: "S7x", server: "gnutls", client: "openssl", extra: [], input: document)
        ChildProcess.waitAll([server], deadline: .now.advanced(by: .seconds(10)))
        #expect(server.termination == .exited(PeerEvent.unsupportedExitStatus))
        let events = server.lines.compactMap { PeerEvent.parse($0) }
        #expect(events.count == 1 && events[0].event == .unsupported)
        #expect(events.first?.reason?.contains("OpenSSL") == true, "\(events)")
    }
}
