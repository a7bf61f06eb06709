import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// DTLS faults aimed at a named message, and flights against a small MTU, on real runs of both libraries.
@Suite struct DTLSNamedFaultTests {
    static let pairings: [(TLSLibrary, TLSLibrary)] = [(.openssl, .openssl), (.openssl, .gnutls), (.gnutls, .openssl), (.gnutls, .gnutls)]

    @Test(arguments: pairings)
    func aLostFinishedIsRecoveredByRetransmission(server: TLSLibrary, client: TLSLibrary) {
        for id in ["R7f", "R7k", "R7s"] {
            let result = InProcessMatrixTests.run(id, server: server, client: client, .dtls12)
            #expect(result.status == .passed || result.status == .divergent, "\(id): \(result.message)")
            #expect(result.observation?.values[.datagramFaults] == "fired")
            #expect(result.observation?.values[.retransmitted] == "true")
            let dropper = id == "R7k" ? result.clients[0] : result.serverConnections[0]
            #expect(dropper.datagramLog.filter { $0.fate == .dropped }.count == 1, "\(id): \(dropper.datagramLog)")
        }
    }

    @Test(arguments: pairings)
    func handshakeFlightsAreCutToTheMTU(server: TLSLibrary, client: TLSLibrary) {
        let result = InProcessMatrixTests.run("R7m", server: server, client: client, .dtls12)
        #expect(result.observation?.values[.clientHandshake] == "completed")
        #expect(result.observation?.values[.echoIntact] == "true")
        #expect(result.clients[0].datagramLog.allSatisfy { $0.size <= 256 })
        let serverSizes = result.serverConnections[0].datagramLog.map(\.size)
        #expect(serverSizes.filter { $0 == 256 }.count >= 3, "the certificate flight is cut at the MTU: \(serverSizes)")
        let onOpenSSL30 = server == .openssl && LibraryRegistry.linked.runtimeVersions[.openssl]?.contains(" 3.0.") == true
        if onOpenSSL30 {
            #expect(result.divergence?.id.hasPrefix("D18-openssl-dtls-last-flight-over-the-mtu") == true, "\(result.message)")
            #expect(serverSizes.contains { $0 > 256 })
        } else {
            #expect(serverSizes.allSatisfy { $0 <= 256 }, "\(serverSizes)")
        }
    }
}

extension DTLSNamedFaultTests {
    /// RFC 6347 §4.1.2.7: a record that fails its MAC check is dropped without a word, and retransmission recovers.
    @Test(arguments: pairings)
    func aCorruptedFinishedIsSilentlyDiscarded(server: TLSLibrary, client: TLSLibrary) {
        for id in ["R7x", "R7y"] {
            let result = InProcessMatrixTests.run(id, server: server, client: client, .dtls12)
            #expect(result.status == .passed || result.status == .divergent, "\(id): \(result.message)")
            #expect(result.observation?.values[.fatalAlertsReceived] == "none")
            #expect(result.observation?.values[.retransmitted] == "true")
            let corrupter = id == "R7x" ? result.clients[0] : result.serverConnections[0]
            #expect(corrupter.datagramLog.filter { $0.fate == .corrupted }.count == 1, "\(id): \(corrupter.datagramLog)")
        }
    }
}

extension DTLSNamedFaultTests {
    /// A lost HelloVerifyRequest (the stateless server keeps nothing, the client's timer recovers) and a lost
    /// NewSessionTicket (in the server's last flight, recovered like a lost Finished).
    @Test(arguments: pairings)
    func aLostHelloVerifyRequestOrTicketIsRecovered(server: TLSLibrary, client: TLSLibrary) {
        for id in ["R7v", "R7t"] {
            let result = InProcessMatrixTests.run(id, server: server, client: client, .dtls12)
            #expect(result.status == .passed || result.status == .divergent, "\(id): \(result.message)")
            #expect(result.observation?.values[.clientHandshake] == "completed")
            #expect(result.observation?.values[.retransmitted] == "true")
            #expect(result.serverConnections[0].unfiredMessageFaults == nil, "\(id): the named message was sent and dropped")
            #expect(result.serverConnections[0].datagramLog.filter { $0.fate == .dropped }.count == 1, "\(id)")
        }
    }

    /// Duplicated and delayed messages by name: discarded or buffered, never a second handshake or a lost echo.
    @Test(arguments: pairings)
    func duplicatedAndDelayedMessagesByNameAreAbsorbed(server: TLSLibrary, client: TLSLibrary) {
        let duplicated = InProcessMatrixTests.run("R7u", server: server, client: client, .dtls12)
        #expect(duplicated.observation?.values[.echoIntact] == "true", "\(duplicated.message)")
        #expect(duplicated.serverConnections[0].datagramLog.filter { $0.fate == .duplicated }.count == 2)
        let delayed = InProcessMatrixTests.run("R7w", server: server, client: client, .dtls12)
        #expect(delayed.observation?.values[.echoIntact] == "true", "\(delayed.message)")
        #expect(delayed.serverConnections[0].datagramLog.first?.fate == .reordered)
    }

    @Test func aMessageNameIsCheckedInEveryFault() throws {
        let result = try listOneScenario(
            family: "R", "{id: R99, name: x, description: x, protocols: [dtls1.2], server: {datagrams: {reorder: [serverHelo]}}, expect: {echoIntact: true}}")
        #expect(result.status == 2)
        #expect(result.standardError.contains("datagrams.reorder") && result.standardError.contains("serverHello"), "\(result.standardError)")
    }
}

extension DTLSNamedFaultTests {
    /// D26: a GnuTLS client whose server's Finished lands between two of its polls takes the Finished as an
    /// acknowledgement, drops it and waits for ever; the in-memory link makes that spacing on every run.
    @Test(arguments: pairings)
    func aFinishedOnePollLateHangsOnlyAGnuTLSClientOfAGnuTLSServer(server: TLSLibrary, client: TLSLibrary) {
        let result = InProcessMatrixTests.run("R7z", server: server, client: client, .dtls12)
        #expect(result.serverConnections[0].datagramLog.contains { $0.fate == .lateByOnePoll })
        if server == .gnutls && client == .gnutls {
            #expect(result.divergence?.id.hasPrefix("D26-gnutls-dtls-client-loses-a-finished") == true, "\(result.message)")
            #expect(result.observation?.values[.serverHandshake] == "completed")
            #expect(result.observation?.values[.clientHandshake] == "timeout")
            // Nothing after its last flight: the client's timer found nothing to retransmit.
            #expect(result.clients[0].datagramLog.last?.retransmission == false)
        } else {
            #expect(result.observation?.values[.clientHandshake] == "completed", "\(result.message)")
            #expect(result.observation?.values[.echoIntact] == "true")
        }
    }

    /// Out of process the race is met by chance: a cell that shows exactly its outcome joins D26b, one that does
    /// not is judged on its own, and in process nothing is excused.
    @Test func theRaceBetweenProcessesIsExcusedOnlyWhereItShows() {
        let scenario = InProcessMatrixTests.catalog.scenarios.first { $0.id == "R7a" }!
        var raced = CellObservation(serverConnections: [], clients: [], payloadSize: 0)
        for (field, value) in [(ObservedField.clientHandshake, "timeout"), (.serverHandshake, "completed"), (.echoIntact, "false"), (.loopEnding, "timeout")] {
            raced.values[field] = value
        }
        let outOfProcess = Cell(scenario: scenario, server: .gnutls, client: .gnutls, protocolVersion: .dtls12, mode: .outOfProcess)
        #expect(InProcessMatrixTests.divergences.divergence(for: outOfProcess, observation: raced)?.id.contains("D26b") == true)
        var completed = raced
        completed.values[.clientHandshake] = "completed"
        #expect(InProcessMatrixTests.divergences.divergence(for: outOfProcess, observation: completed)?.id.contains("D26b") != true)
        let inProcess = Cell(scenario: scenario, server: .gnutls, client: .gnutls, protocolVersion: .dtls12, mode: .inProcess)
        #expect(InProcessMatrixTests.divergences.divergence(for: inProcess, observation: raced)?.id.contains("D26b") != true)
        let openSSLClient = Cell(scenario: scenario, server: .gnutls, client: .openssl, protocolVersion: .dtls12, mode: .outOfProcess)
        #expect(InProcessMatrixTests.divergences.divergence(for: openSSLClient, observation: raced)?.id.contains("D26b") != true)
    }
}
