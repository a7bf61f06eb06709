import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

/// Every malformed fixture is refused with one message naming the file and the field.
@Suite struct FixtureErrorTests {
    static let valid = """
        family: H
        title: baseline echo
        scenarios:
          - id: H1
            name: echo
            description: echo
            server: {alpn: [http/1.0]}
            client: {alpn: [http/1.0]}
            expect: {clientHandshake: completed}
        """

    func loadError(_ yaml: String) throws -> String {
        let directory = try TemporaryDirectory()
        let file = try directory.write("scenarios/H.yaml", yaml)
        do {
            _ = try ScenarioCatalog.load(directory: directory.path + "/scenarios", libraries: .linked)
            return "no error for \(file)"
        } catch {
            #expect(error.message.contains(file))
            return error.message
        }
    }

    @Test func validFileLoads() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("scenarios/H.yaml", Self.valid)
        let catalog = try ScenarioCatalog.load(directory: directory.path + "/scenarios", libraries: .linked)
        #expect(catalog.scenarios.map(\.id) == ["H1"])
        #expect(catalog.scenarios.first?.server.steps == EndpointAction.echoServer)
    }

    @Test func unknownFieldIsNamed() throws {
        let message = try loadError(Self.valid.replacingOccurrences(of: "description: echo", with: "descripton: echo"))
        #expect(message.contains("unknown field 'scenarios[0].descripton'"))
    }

    @Test func misspeltExpectationValueIsNamed() throws {
        let message = try loadError(Self.valid.replacingOccurrences(of: "completed}", with: "alertRecieved(120)}"))
        #expect(message.contains("'scenarios[0].expect.clientHandshake'"))
        #expect(message.contains("alertRecieved(120)"))
    }

    @Test func unknownExpectationFieldIsNamed() throws {
        let message = try loadError(Self.valid.replacingOccurrences(of: "{clientHandshake", with: "{clientHandshak"))
        #expect(message.contains("unknown field 'scenarios[0].expect.clientHandshak'"))
    }

    @Test func unknownStepIsNamed() throws {
        let message = try loadError(
            Self.valid.replacingOccurrences(of: "client: {alpn: [http/1.0]}", with: "client: {steps: [handshake, fly]}"))
        #expect(message.contains("'scenarios[0].client.steps'"))
        #expect(message.contains("'fly'"))
    }

    @Test func quicMixedWithOtherProtocolsIsRefused() throws {
        let message = try loadError(Self.valid.replacingOccurrences(of: "    description: echo\n", with: "    description: echo\n    protocols: [quic, tls1.3]\n"))
        #expect(message.contains("'scenarios[0].protocols'"))
        #expect(message.contains("QUIC scenarios list [quic] alone"))
    }

    @Test func streamStepOutsideQUICIsRefused() throws {
        let message = try loadError(
            Self.valid.replacingOccurrences(of: "client: {alpn: [http/1.0]}", with: "client: {steps: [handshake, sendConcluding]}"))
        #expect(message.contains("'scenarios[0].protocols' must be [quic] for step 'sendConcluding'"))
    }

    @Test func unreasonableDeadlineIsNamed() throws {
        let message = try loadError(Self.valid.replacingOccurrences(of: "    description: echo\n", with: "    description: echo\n    deadlineSeconds: 0\n"))
        #expect(message.contains("'scenarios[0].deadlineSeconds' is '0'"))
    }

    @Test func wrongTypeIsNamed() throws {
        let message = try loadError(Self.valid.replacingOccurrences(of: "server: {alpn: [http/1.0]}", with: "server: {alpn: http/1.0}"))
        #expect(message.contains("'scenarios[0].server.alpn' must be a list"))
    }

    @Test func wrongListItemIsNamedWithItsIndex() throws {
        let message = try loadError(Self.valid.replacingOccurrences(of: "server: {alpn: [http/1.0]}", with: "server: {alpn: [http/1.0, [h2]]}"))
        #expect(message.contains("'scenarios[0].server.alpn[1]' must be a string"), "\(message)")
    }

    @Test func aDocumentThatIsNotAMappingIsNamed() throws {
        #expect(try loadError("- just\n- a list\n").contains("the document must be a mapping"))
    }

    @Test func missingFieldIsNamed() throws {
        let message = try loadError(Self.valid.replacingOccurrences(of: "    name: echo\n", with: ""))
        #expect(message.contains("'scenarios[0].name' is missing"))
    }

    @Test func brokenYAMLIsReported() throws {
        let message = try loadError("family: H\nscenarios: [\n  - id: H1\n")
        #expect(message.contains("not valid YAML"))
    }

    @Test func duplicateIdNamesBothFiles() throws {
        let directory = try TemporaryDirectory()
        let first = try directory.write("scenarios/a.yaml", Self.valid)
        let second = try directory.write("scenarios/b.yaml", Self.valid)
        #expect {
            try ScenarioCatalog.load(directory: directory.path + "/scenarios", libraries: .linked)
        } throws: { error in
            let message = (error as? ConfigurationError)?.message ?? ""
            return message.contains(first) && message.contains(second) && message.contains("'H1'")
        }
    }

    @Test func divergenceForUnknownScenarioIsNamed() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("scenarios/H.yaml", Self.valid)
        let file = try directory.write(
            "divergences.yaml",
            "divergences:\n  - {id: D, scenario: Z9, observed: {clientHandshake: completed}, raw: r, reason: r, reference: r}\n")
        let catalog = try ScenarioCatalog.load(directory: directory.path + "/scenarios", libraries: .linked)
        #expect {
            try DivergenceCatalog.load(file: file, scenarios: catalog, libraries: .linked)
        } throws: { error in
            let message = (error as? ConfigurationError)?.message ?? ""
            return message.contains(file) && message.contains("'divergences[0].scenario'") && message.contains("Z9")
        }
    }

    /// `versions` takes one prefix or a list: the entry excuses cells on any of them and on no other version.
    @Test func divergenceVersionsMayListSeveralPrefixes() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("scenarios/H.yaml", Self.valid)
        let catalog = try ScenarioCatalog.load(directory: directory.path + "/scenarios", libraries: .linked)
        let cell = Cell(scenario: catalog.scenarios[0], server: TLSLibrary("gnutls"), client: TLSLibrary("openssl"), protocolVersion: .tls13, mode: .inProcess)
        func divergence(_ versions: String) throws -> Divergence {
            let file = try directory.write(
                "divergences.yaml",
                "divergences:\n  - {id: D, scenario: H1, versions: \(versions), observed: {clientHandshake: reset}, raw: r, reason: r, reference: r}\n")
            return try DivergenceCatalog.load(file: file, scenarios: catalog, libraries: .linked).divergences[0]
        }
        let both = try divergence(#"{gnutls: ["3.7.", "3.8."]}"#)
        #expect(both.matches(cell, runtimeVersions: [TLSLibrary("gnutls"): "GnuTLS 3.8.9 (build .deps/gnutls-3.8)"]))
        #expect(both.matches(cell, runtimeVersions: [TLSLibrary("gnutls"): "GnuTLS 3.7.9"]))
        #expect(!both.matches(cell, runtimeVersions: [TLSLibrary("gnutls"): "GnuTLS 3.9.0"]))
        let one = try divergence(#"{gnutls: "3.7."}"#)
        #expect(!one.matches(cell, runtimeVersions: [TLSLibrary("gnutls"): "GnuTLS 3.8.9"]))
        #expect(throws: ConfigurationError.self) { try divergence("{gnutls: []}") }
    }

    @Test func fatalAlertsAreWrittenAsObservationsWriteThem() throws {
        #expect(try loadError(Self.valid.replacingOccurrences(of: "completed}", with: "completed, fatalAlertsReceived: \"decode_error(50)\"}"))
            .hasPrefix("no error"))
        for wrong in ["decode_error(51)", "no_application_protocol(120), decode_error(50)", "bad_record_mac", "20"] {
            let message = try loadError(Self.valid.replacingOccurrences(of: "completed}", with: "completed, fatalAlertsReceived: \"\(wrong)\"}"))
            #expect(message.contains("'scenarios[0].expect.fatalAlertsReceived'"), "\(wrong): \(message)")
        }
    }

    @Test func unknownFilterTokenIsRefused() throws {
        let catalog = try ScenarioCatalog.load(directory: PackagePaths.fixtures + "/scenarios", libraries: .linked)
        #expect {
            try CellSelection(filter: ["A4", "Z9"], servers: LibraryRegistry.linked.libraries, clients: LibraryRegistry.linked.libraries).cells(from: catalog)
        } throws: { error in
            (error as? ConfigurationError)?.message.contains("--filter: 'Z9'") == true
        }
        #expect(try CellSelection(filter: ["A4"], servers: LibraryRegistry.linked.libraries, clients: LibraryRegistry.linked.libraries).cells(from: catalog).count == 8)
        #expect(try CellSelection(filter: ["A4d"], servers: LibraryRegistry.linked.libraries, clients: LibraryRegistry.linked.libraries).cells(from: catalog).count == 4)
        #expect(try CellSelection(filter: ["A4"], servers: LibraryRegistry.linked.libraries, clients: LibraryRegistry.linked.libraries, protocols: [.tls13, .tls12]).cells(from: catalog).count == 8)
        #expect(try CellSelection(filter: ["H"], servers: LibraryRegistry.linked.libraries, clients: LibraryRegistry.linked.libraries, protocols: [.tls13]).cells(from: catalog).count == 12)
    }

    /// Q8's settings: the idle timeout is the client's to ask for, and losing everything once closing needs the loop
    /// that drives the client and the relay together.
    @Test func quicIdleTimeoutAndDropOnceClosingAreRefusedWhereTheyCannotWork() throws {
        let base = Self.valid.replacingOccurrences(of: "id: H1", with: "id: H9\n    protocols: [quic]")
        let onServer = base.replacingOccurrences(of: "server: {alpn: [http/1.0]}", with: "server: {alpn: [http/1.0], quicIdleTimeoutMs: 1000}")
        #expect(try loadError(onServer).contains("field 'scenarios[0].server.quicIdleTimeoutMs' is a client setting"))
        let tooShort = base.replacingOccurrences(of: "client: {alpn: [http/1.0]}", with: "client: {alpn: [http/1.0], quicIdleTimeoutMs: 5}")
        #expect(try loadError(tooShort).contains("field 'scenarios[0].client.quicIdleTimeoutMs' is 5; use 100…600000"))
        let acrossProcesses = base.replacingOccurrences(of: "client: {alpn: [http/1.0]}", with: "client: {alpn: [http/1.0], datagrams: {dropOnceClosing: true}}")
        #expect(try loadError(acrossProcesses).contains("field 'scenarios[0].inProcessOnly' is required with dropOnceClosing"))
        let serverFault = base.replacingOccurrences(of: "server: {alpn: [http/1.0]}", with: "server: {alpn: [http/1.0], datagrams: {dropOnceClosing: true}}")
        #expect(try loadError(serverFault).contains("field 'scenarios[0].server.datagrams' has dropOnceClosing, a client fault"))
    }
}
