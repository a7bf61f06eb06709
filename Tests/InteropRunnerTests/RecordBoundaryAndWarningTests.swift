import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// Records cut and joined at byte positions the seed chooses (R10), and a user_canceled warning before close_notify
/// (E10), on real runs of both libraries.
@Suite struct RecordBoundaryAndWarningTests {
    func run(_ id: String, server: TLSLibrary, client: TLSLibrary, seed: UInt64 = 1, _ version: ProtocolVersion = .tls13)
        -> CellResult
    {
        let scenario = InProcessMatrixTests.catalog.scenarios.first { $0.id == id }!
        return InProcessMatrixTests.runner.run(
            Cell(scenario: scenario, server: server, client: client, protocolVersion: version, mode: .inProcess), seed: seed)
    }

    @Test func randomCutsSplitRecordsAndJoinThem() {
        var schedule = FaultSchedule(plan: FaultPlan(randomCuts: true), seed: 9)
        let limits = (0..<200).map { _ in schedule.readLimit() }
        #expect(limits.contains { $0 <= 5 }, "a record header split")
        #expect(limits.contains { $0 > 16 * 1024 + 5 }, "more than a whole record in one read")
        #expect(limits.allSatisfy { $0 >= 1 && $0 <= 65_536 })
        var capped = FaultSchedule(plan: FaultPlan(maxReadChunk: 7, randomCuts: true), seed: 9)
        #expect((0..<50).allSatisfy { _ in capped.readLimit() <= 7 })
    }

    /// The link hands the library the bytes in the pieces the seed chose, and they join up again.
    @Test func theLinkDeliversInThePiecesTheSeedChose() throws {
        let listener = InMemoryListener()
        let dialer = MemoryConnection.dialer(
            to: listener, capacity: 1 << 20, clientPlan: .none, serverPlan: FaultPlan(randomCuts: true), seed: 5)
        let client = try dialer.open()
        _ = try dialer.connect(client)
        let server = try #require(try listener.accept() as? MemoryConnection)
        let sent = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        _ = sent.withUnsafeBytes { client.sendRaw($0) }
        var received: [UInt8] = []
        var sizes: [Int] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 17)
        while received.count < sent.count {
            guard case .transferred(let count) = buffer.withUnsafeMutableBytes({ server.receive(into: $0) }) else { break }
            sizes.append(count)
            received += buffer[0..<count]
        }
        #expect(received == sent)
        #expect(sizes.contains { $0 <= 5 } && sizes.contains { $0 > 16 * 1024 + 5 }, "\(sizes)")
    }

    /// Whatever the cuts, both libraries reassemble every record, in every pairing and version.
    @Test(arguments: [(TLSLibrary.openssl, TLSLibrary.gnutls), (.gnutls, .openssl), (.gnutls, .gnutls), (.openssl, .openssl)])
    func everySeedsCutsGiveTheEchoIntact(server: TLSLibrary, client: TLSLibrary) {
        for seed in UInt64(1)...12 {
            for version in [ProtocolVersion.tls13, .tls12] {
                let result = run("R10", server: server, client: client, seed: seed, version)
                #expect(result.status == .passed, "seed \(seed) \(version): \(result.message)")
            }
        }
    }

    @Test func aUserCanceledWarningIsReadPastExceptByGnuTLSUnderTLS13() {
        // GnuTLS over TLS 1.2 hands the warning to the caller, who reads on to close_notify.
        let gnutls12 = run("E10", server: .gnutls, client: .gnutls, .tls12)
        #expect(gnutls12.status == .passed, "\(gnutls12.message)")
        let reads = gnutls12.clients[0].trace.filter { $0.action == "readToEnd" }.map(\.outcome)
        #expect(reads.contains(.warningReceived(90)) && reads.last == .eof(.clean), "\(reads)")
        // Under TLS 1.3 GnuTLS makes it fatal (D15).
        let gnutls13 = run("E10", server: .gnutls, client: .gnutls, .tls13)
        #expect(gnutls13.status == .divergent && gnutls13.divergence?.id == "D15-gnutls-tls13-user-canceled-warning-is-fatal")
        #expect(gnutls13.clients[0].endOfStream == .alertReceived(90))
        #expect(gnutls13.clients[0].alerts.contains { $0.code == 90 && !$0.isFatal && $0.direction == .received })
        // OpenSSL notes it and reads on, in both versions; 3.5 then calls the close_notify an unexpected EOF under
        // TLS 1.3 (D19).
        let onOpenSSL35 = LibraryRegistry.linked.runtimeVersions[.openssl]?.contains(" 3.5.") == true
        for version in [ProtocolVersion.tls13, .tls12] {
            let openssl = run("E10", server: .gnutls, client: .openssl, version)
            if onOpenSSL35 && version == .tls13 {
                #expect(openssl.divergence?.id == "D19-openssl-35-close-notify-after-user-canceled-reads-as-unexpected-eof")
            } else {
                #expect(openssl.status == .passed, "\(version): \(openssl.message)")
            }
            #expect(openssl.clients[0].alerts.contains { $0.code == 90 && $0.direction == .received })
        }
        // OpenSSL cannot send it.
        let opensslServer = run("E10", server: .openssl, client: .gnutls)
        #expect(opensslServer.status == .skipped && opensslServer.message.contains("OpenSSL has no call that sends an alert"))
    }

    /// Data after a warning alert is read like any other (E10b), and a peer that never closes leaves each library's
    /// read waiting without end (E11).
    @Test func dataAfterAWarningIsReadAndASilentPeerStallsTheReader() {
        let gnutls = run("E10b", server: .gnutls, client: .gnutls, .tls12)
        #expect(gnutls.status == .passed, "\(gnutls.message)")
        let reads = gnutls.clients[0].trace.filter { $0.action == "readToEnd" }.map(\.outcome)
        let warning = reads.firstIndex(of: .warningReceived(90))
        #expect(warning != nil && reads[(warning! + 1)...].contains { if case .ok = $0 { true } else { false } }, "\(reads)")
        #expect(gnutls.clients[0].bytesRead == 2256)
        #expect(run("E10b", server: .gnutls, client: .openssl, .tls12).status == .passed)
        for library in [TLSLibrary.openssl, .gnutls] {
            let silent = run("E11", server: library, client: library)
            #expect(silent.status == .passed, "\(silent.message)")
            #expect(silent.ending == .stalled)
            #expect(silent.clients[0].trace.last { $0.action == "readToEnd" && $0.outcome == .wantRead } != nil)
        }
    }
}
