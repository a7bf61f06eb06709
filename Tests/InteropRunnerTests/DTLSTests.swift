import Foundation
import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// DTLS cells on both libraries: timers, losses that must fire, cookies.
@Suite struct DTLSTests {
    func run(_ id: String, server: TLSLibrary, client: TLSLibrary, seed: UInt64 = 1) -> CellResult {
        let scenario = InProcessMatrixTests.catalog.scenarios.first { $0.id == id }!
        return InProcessMatrixTests.runner.run(
            Cell(scenario: scenario, server: server, client: client, protocolVersion: .dtls12, mode: .inProcess), seed: seed)
    }

    static let pairings = LibraryRegistry.linked.libraries.flatMap { server in LibraryRegistry.linked.libraries.map { (server, $0) } }

    /// Every DTLS cell with a GnuTLS endpoint meets GnuTLS's direction report (D8); a GnuTLS server that lost the
    /// client's first datagram also its timer reported due before it sent anything (D8i). Nothing else may differ.
    func expectPassedOrGnuTLSDirectionDivergence(_ result: CellResult, server: TLSLibrary, client: TLSLibrary) {
        guard server == .gnutls || client == .gnutls else {
            #expect(result.status == .passed, "\(result.message)")
            return
        }
        #expect(result.status == .divergent, "\(result.message)")
        #expect(result.divergence?.id.hasPrefix("D8") == true, "\(result.message)")
        #expect(result.checks.filter { !$0.passed }.map(\.field) == ["timerHazards"], "\(result.message)")
    }

    /// The GnuTLS server that has sent nothing reports its timer due (gnutls_dtls_get_timeout=0), so the loop's
    /// timer keeps waking it with nothing to retransmit; the OpenSSL server reports no timer then, which is no hazard.
    @Test(arguments: LibraryRegistry.linked.libraries)
    func idleWakeupsBeforeTheServersFirstFlightAreCounted(server: TLSLibrary) {
        let result = run("R7a", server: server, client: .openssl)
        let record = result.serverConnections[0]
        let idle = record.timerReadings.first { $0.hasPrefix("idle timer wake-ups: ") }
        if server == .gnutls {
            #expect(record.timerReadings.first == "before the first flight: gnutls_dtls_get_timeout=0 ms, gnutls_record_get_direction=0")
            let count = idle.flatMap { Int($0.dropFirst("idle timer wake-ups: ".count).prefix { $0.isNumber }) } ?? 0
            #expect(count >= 3, "\(record.timerReadings)")
            #expect(record.timerHazards.contains { $0.hasPrefix("the retransmission timer kept expiring with nothing to retransmit") })
        } else {
            #expect(record.timerReadings.first == "before the first flight: DTLSv1_get_timeout=0 (no timer)")
            #expect(idle == nil, "\(record.timerReadings)")
            #expect(record.timerHazards.isEmpty, "\(record.timerHazards)")
        }
    }

    @Test(arguments: pairings)
    func lostClientHelloIsResentWhenTheTimerFires(server: TLSLibrary, client: TLSLibrary) {
        let result = run("R7a", server: server, client: client)
        expectPassedOrGnuTLSDirectionDivergence(result, server: server, client: client)
        let log = result.clients[0].datagramLog
        #expect(log.first?.fate == .dropped)
        #expect(log.contains { $0.retransmission && $0.timerDriven && $0.fate == .delivered })
        #expect(result.clients[0].timeoutsHandled >= 1)
        #expect(result.clients[0].negotiatedVersion == .dtls12)
    }

    /// One source, two libraries: the OpenSSL client's expired timer goes to SSL_handle_events where the linked libssl
    /// has it (3.2+, found at run time) and to DTLSv1_handle_timeout where it does not (bookworm's 3.0).
    @Test func openSSLTimerCallFollowsTheLinkedLibrary() throws {
        let scenario = try #require(InProcessMatrixTests.catalog.scenarios.first { $0.id == "R7h" })
        let handleEventsLinked = CellPlan(
            cell: Cell(scenario: scenario, server: .openssl, client: .openssl, protocolVersion: .dtls12, mode: .inProcess),
            seed: 1, credentials: .standard(in: PackagePaths.certs), libraries: .linked
        ).notApplicableReason == nil
        let result = run("R7a", server: .openssl, client: .openssl)
        #expect(result.status == .passed, "\(result.message)")
        let timerCalls = Set(result.clients[0].trace.filter { $0.action == "timer" }.map(\.raw.call))
        #expect(timerCalls == [handleEventsLinked ? "SSL_handle_events" : "DTLSv1_handle_timeout"])
    }

    @Test(arguments: LibraryRegistry.linked.libraries)
    func timerReadingsAreRecordedBeforeWhileAndAfter(library: TLSLibrary) {
        let result = run("R8", server: library, client: library)
        let readings = result.clients[0].timerReadings
        #expect(readings.count == 3)
        #expect(readings.first?.hasPrefix("before the first flight") == true)
        #expect(readings.last?.hasPrefix("after the handshake") == true)
        let call = library == .openssl ? "DTLSv1_get_timeout" : "gnutls_dtls_get_timeout"
        #expect(readings.allSatisfy { $0.contains(call) })
    }

    @Test(arguments: pairings)
    func cookieExchangeRunsBeforeTheHandshake(server: TLSLibrary, client: TLSLibrary) {
        let result = run("R9l", server: server, client: client)
        expectPassedOrGnuTLSDirectionDivergence(result, server: server, client: client)
        let listen = result.serverConnections[0].trace.filter { $0.action == "listen" }
        #expect(listen.last?.outcome == .ok(0))
        #expect(listen.count >= 2)
        #expect(result.serverConnections[0].datagramLog.first?.fate == .dropped)
    }

    @Test func aDropThatNeverHappensFailsTheCell() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write(
            "fixtures/scenarios/R.yaml",
            """
            family: R
            title: retry
            scenarios:
              - id: R99
                name: drop-that-never-fires
                description: asks to drop the client's 500th datagram
                protocols: [dtls1.2]
                link: {kind: memory}
                client: {datagrams: {drop: [500]}}
                expect: {clientHandshake: completed}
            """)
        let catalog = try ScenarioCatalog.load(directory: directory.path + "/fixtures/scenarios", libraries: .linked)
        let runner = InProcessCellRunner(
            credentials: .standard(in: PackagePaths.certs), deadline: .seconds(10), divergences: DivergenceCatalog(divergences: [], runtimeVersions: LibraryRegistry.linked.runtimeVersions), libraries: .linked)
        let result = runner.run(
            Cell(scenario: catalog.scenarios[0], server: .gnutls, client: .openssl, protocolVersion: .dtls12, mode: .inProcess),
            seed: 1)
        #expect(result.status == .failed)
        #expect(result.message.contains("expected datagramFaults=fired, observed never fired: client #500"))
    }

    @Test func peerThatVanishesIsAStallNotAnEOF() {
        let result = run("E7b", server: .openssl, client: .gnutls)
        #expect(result.ending == .stalled)
        #expect(result.clients[0].endOfStream == .timeout)
    }
}
