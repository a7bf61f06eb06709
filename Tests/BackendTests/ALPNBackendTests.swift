import GnuTLSBackend
import InteropCore
import OpenSSLBackend
import Testing

@Suite struct ALPNBackendTests {
    static let pairings = testLibraries.libraries.flatMap { server in testLibraries.libraries.map { (server, $0) } }
    static let accepted = ["http/1.0", "hq-interop"]

    @Test(arguments: pairings)
    func mismatchAbortsWithAlert120(server: TLSLibrary, client: TLSLibrary) throws {
        let result = try converse(
            server: server, client: client, version: .tls13, serverALPN: Self.accepted, clientALPN: ["h2"])
        #expect(result.client.handshake == .alertReceived(120))
        #expect(result.client.fatalAlertsReceived == [120])
        #expect(result.server.first?.handshake == .alertSent(120))
        #expect(result.server.first?.fatalAlertsSent == [120])
        #expect(result.client.bytesRead == 0 && result.server.first?.bytesRead == 0)
        let raw = try #require(result.client.trace.last?.raw)
        switch client {
        case .openssl:
            #expect(raw.codeName == "SSL_ERROR_SSL")
            #expect(raw.reasonCode == 1120)
        case .gnutls:
            #expect(raw.codeName == "GNUTLS_E_FATAL_ALERT_RECEIVED")
        default:
            Issue.record("no raw-value expectation for \(client)")
        }
    }

    @Test(arguments: testLibraries.libraries)
    func naiveGnuTLSServerSendsNoAlert(client: TLSLibrary) throws {
        let result = try converse(
            server: .gnutls, client: client, version: .tls13, serverALPN: Self.accepted, clientALPN: ["h2"],
            serverOptions: ["gnutls": LibraryOptionValues(["alpnRejection": "naiveMandatory"])])
        #expect(result.server.first?.handshake == .protocolError)
        #expect(result.server.first?.trace.last?.raw.codeName == "GNUTLS_E_NO_APPLICATION_PROTOCOL")
        #expect(result.server.first?.fatalAlertsSent == [])
        #expect(result.client.handshake == .eof(.unexpected))
    }

    @Test(arguments: pairings)
    func matchingProtocolIsNegotiatedOnBothEnds(server: TLSLibrary, client: TLSLibrary) throws {
        let result = try converse(
            server: server, client: client, version: .tls12, serverALPN: Self.accepted, clientALPN: ["hq-interop"])
        #expect(result.client.negotiatedALPN == "hq-interop")
        #expect(result.server.first?.negotiatedALPN == "hq-interop")
    }

    @Test func openSSLRefusesAnEmptyNameLocally() throws {
        let result = try converse(
            server: .openssl, client: .openssl, version: .tls13, serverALPN: Self.accepted, clientALPN: [""])
        #expect(result.client.failure == .localError)
        #expect(result.client.trace.first?.raw.call == "SSL_set_alpn_protos")
        #expect(result.server.isEmpty)
    }
}

@Suite struct BackendConfigurationTests {
    @Test(arguments: testLibraries.libraries)
    func runtimeVersionNamesTheLibrary(library: TLSLibrary) {
        let version = backend(library).runtimeVersion
        #expect(version.hasPrefix(library == .openssl ? "OpenSSL 3." : "GnuTLS 3."))
    }

    @Test(arguments: testLibraries.libraries)
    func committedCredentialsValidate(library: TLSLibrary) throws {
        try backend(library).validate(testCredentials)
    }

    @Test(arguments: testLibraries.libraries)
    func missingChainIsNamedInTheError(library: TLSLibrary) {
        var credentials = testCredentials
        credentials.chainFile = "/nonexistent/chain.pem"
        #expect {
            try backend(library).validate(credentials)
        } throws: { error in
            (error as? ConfigurationError)?.message.contains("/nonexistent/chain.pem") == true
        }
    }

    @Test(arguments: testLibraries.libraries)
    func keyOfAnotherCertificateIsRejected(library: TLSLibrary) {
        var credentials = testCredentials
        credentials.chainFile = testCredentials.trustAnchorFile
        #expect {
            try backend(library).validate(credentials)
        } throws: { error in
            (error as? ConfigurationError)?.message.contains("does not match") == true
        }
    }

    /// GnuTLS's own option, by its one rule for other libraries: an OpenSSL server cannot be the naive server.
    @Test func onlyGnuTLSExpressesTheNaiveServer() {
        let settings = EndpointSettings(
            role: .server, protocolVersion: .tls13, credentials: testCredentials, alpn: ["http/1.0"],
            libraryOptions: ["gnutls": LibraryOptionValues(["alpnRejection": "naiveMandatory"])])
        #expect(
            testLibraries.foreignOptionReason(settings, on: .openssl)
                == "the naiveMandatory ALPN server is a GnuTLS configuration (GNUTLS_ALPN_MANDATORY); OpenSSL's select callback decides")
        #expect(testLibraries.foreignOptionReason(settings, on: .gnutls) == nil)
        #expect(backend(.gnutls).unsupportedReason(settings) == nil)
    }
}
