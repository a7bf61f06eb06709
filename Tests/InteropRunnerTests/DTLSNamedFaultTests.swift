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
