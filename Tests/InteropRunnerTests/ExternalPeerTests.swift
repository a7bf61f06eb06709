import Foundation
import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// The Swift endpoints against `openssl s_server`/`s_client` and `gnutls-serv`/`gnutls-cli`, as installed by the
/// project's dependency step.
@Suite struct ExternalPeerTests {
    var runner: ExternalPeerCellRunner {
        ExternalPeerCellRunner(
            setup: PeerSetup(
                executable: PackagePaths.executable, fixtures: PackagePaths.fixtures, certs: PackagePaths.certs,
                deadline: .seconds(5), divergences: InProcessMatrixTests.divergences, libraries: .linked))
    }

    func cell(_ id: String, server: TLSLibrary, client: TLSLibrary, _ mode: ExecutionMode, _ version: ProtocolVersion = .tls13) -> Cell {
        Cell(
            scenario: InProcessMatrixTests.catalog.scenarios.first { $0.id == id }!, server: server, client: client,
            protocolVersion: version, mode: mode)
    }

    static let pairings = LibraryRegistry.linked.libraries.flatMap { server in LibraryRegistry.linked.libraries.map { (server, $0) } }

    @Test(arguments: pairings)
    func commandLineServerRejectsAMismatchWithAlert120(server: TLSLibrary, client: TLSLibrary) {
        let result = runner.run(cell("A4", server: server, client: client, .externalServer), seed: 1)
        #expect(result.status == .passed, "\(result.message)\n\(result.peerOutput.joined(separator: "\n"))")
        #expect(result.clients.first?.handshake == .alertReceived(120))
        #expect(result.peerOutput.contains { $0.hasPrefix(server == .openssl ? "openssl s_server" : "gnutls-serv") })
    }

    @Test(arguments: pairings)
    func commandLineClientNegotiatesHTTP10(server: TLSLibrary, client: TLSLibrary) {
        let result = runner.run(cell("A1", server: server, client: client, .externalClient), seed: 1)
        #expect(result.status == .passed, "\(result.message)\n\(result.peerOutput.joined(separator: "\n"))")
        #expect(result.clients.first?.negotiatedALPN == "http/1.0")
        #expect(result.clients.first?.trace.first?.raw.call == (client == .openssl ? "openssl s_client" : "gnutls-cli"))
    }

    @Test func commandLineClientReportsTheAlertItReceived() {
        let result = runner.run(cell("A4", server: .openssl, client: .gnutls, .externalClient, .tls12), seed: 1)
        #expect(result.clients.first?.handshake == .alertReceived(120))
        #expect(result.clients.first?.trace.first?.raw.reason?.contains("Received alert [120]") == true)
    }

    @Test func noCommandLineServerOutlivesItsCell() throws {
        let result = runner.run(cell("H1", server: .gnutls, client: .openssl, .externalServer), seed: 1)
        // gnutls-serv serves for ever; the runner must have stopped this cell's one (found by its port).
        let command = try #require(result.peerOutput.first { $0.hasPrefix("gnutls-serv") })
        let port = try #require(command.components(separatedBy: " -p ").last?.split(separator: " ").first)
        let survivors = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { Int($0) != nil }
            .compactMap { FileManager.default.contents(atPath: "/proc/\($0)/cmdline") }
            .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\0", with: " ") }
            .filter { $0.contains("gnutls-serv") && $0.contains("-p \(port) ") }
        #expect(survivors.isEmpty)
        #expect(!command.contains("ended: running"))
    }
}
