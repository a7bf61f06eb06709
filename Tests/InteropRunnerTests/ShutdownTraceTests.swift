import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// The raw sequences the S and E families exist to show, asserted on real runs.
@Suite struct ShutdownTraceTests {
    func run(_ id: String, server: TLSLibrary, client: TLSLibrary, _ version: ProtocolVersion = .tls13) -> CellResult {
        InProcessMatrixTests.run(id, server: server, client: client, version)
    }

    @Test func openSSLBidirectionalShutdownReturnsZeroThenWantReadThenOne() {
        let result = run("S1", server: .gnutls, client: .openssl)
        let calls = result.clients[0].trace.filter { $0.action == "shutdown(bidirectional)" }.map(\.raw)
        #expect(calls.map(\.returnValue) == [0, -1, 1])
        #expect(calls.map(\.codeName) == ["SSL_ERROR_NONE", "SSL_ERROR_WANT_READ", "SSL_ERROR_NONE"])
    }

    @Test func gnuTLSReaderReportsPrematureTermination() {
        let result = run("E2b", server: .gnutls, client: .openssl)
        let last = result.serverConnections[0].trace.last { $0.action == "readToEnd" }
        #expect(last?.outcome == .eof(.unexpected))
        #expect(last?.raw.code == -110)
        #expect(last?.raw.codeName == "GNUTLS_E_PREMATURE_TERMINATION")
    }

    @Test func openSSLReaderReportsUnexpectedEOFReason() {
        let result = run("E2a", server: .gnutls, client: .openssl, .tls12)
        let last = result.clients[0].trace.last { $0.action == "readToEnd" }
        #expect(last?.outcome == .eof(.unexpected))
        #expect(last?.raw.reasonCode == 294)
    }

    @Test func ignoringUnexpectedEOFMakesItClean() {
        let result = run("E2c", server: .gnutls, client: .openssl)
        #expect(result.clients[0].endOfStream == .eof(.clean))
        #expect(result.clients[0].trace.last { $0.action == "readToEnd" }?.raw.codeName == "SSL_ERROR_ZERO_RETURN")
    }

    @Test(arguments: LibraryRegistry.linked.libraries)
    func shutdownUnderBackPressureRetriesInTheWriteDirection(server: TLSLibrary) {
        let result = run("S7", server: server, client: .openssl)
        let record = result.serverConnections[0]
        let retries = record.trace.filter { $0.action == "shutdown(closeNotify)" && $0.outcome == .wantWrite }
        #expect(!retries.isEmpty)
        if server == .gnutls { #expect(retries.allSatisfy { $0.raw.direction == 1 }) }
        #expect(record.transportRefusals["write"] == 3)
        #expect(result.clients[0].endOfStream == .eof(.clean))
    }

    @Test func resetIsSeenAsResetWithECONNRESET() {
        let result = run("E3b", server: .openssl, client: .gnutls)
        let last = result.clients[0].trace.last { $0.action == "readToEnd" }
        #expect(last?.outcome == .reset)
        #expect(last?.raw.osError == 104)
    }
}
