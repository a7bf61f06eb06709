import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// Session resumption (family T) on real runs of both libraries: the second client resumes the first's session,
/// also while both transports refuse every second call.
@Suite struct ResumptionTests {
    static let pairings: [(TLSLibrary, TLSLibrary)] = [(.openssl, .openssl), (.openssl, .gnutls), (.gnutls, .openssl), (.gnutls, .gnutls)]

    @Test(arguments: pairings)
    func theSecondClientResumesTheFirstsSession(server: TLSLibrary, client: TLSLibrary) {
        for id in ["T1", "T2"] {
            for version in [ProtocolVersion.tls13, .tls12] {
                let result = InProcessMatrixTests.run(id, server: server, client: client, version)
                #expect(result.status == .passed, "\(id) \(version): \(result.message)")
                #expect(result.clients.map(\.resumed) == [false, true], "\(id) \(version)")
                #expect(result.observation?.values[.resumedClients] == "2")
            }
        }
    }

    /// GnuTLS's retried write on a resumed TLS 1.3 session may return 0 once it has flushed the ticket it queued
    /// first; the bytes go out on the next call, which a careful caller makes.
    @Test func aWriteThatTookNothingIsCalledAgain() {
        let result = InProcessMatrixTests.run("T2", server: .gnutls, client: .openssl, .tls13)
        #expect(result.status == .passed, "\(result.message)")
        let echo = result.serverConnections[1].trace.filter { $0.action == "echo" }.map(\.outcome)
        #expect(echo.contains(.ok(0)) && echo.contains(.ok(256)), "\(echo)")
        #expect(result.serverConnections[1].bytesWritten == 256)
    }

    @Test func resumptionStaysInProcess() throws {
        let result = InProcessMatrixTests.runOutOfProcess("T1", server: .openssl, client: .openssl, .tls13, deadline: .seconds(5))
        #expect(result.status == .skipped && result.message.contains("peer contract does not carry sessions"))
    }
}
