@testable import InteropRunner
import InteropCore
import LibraryPlugins
import Testing

/// Peers get their scenario as JSON (every scalar as its YAML text) and read it without a YAML parser; they must
/// build exactly the scenario the runner built from the file.
@Suite struct PeerScenarioDocumentTests {
    static let catalog = try! ScenarioCatalog.load(directory: PackagePaths.fixtures + "/scenarios", libraries: .linked)

    /// The scenario as text, without what only the runner's copy carries (where it came from, its peer document)
    /// and with its dictionaries and sets (whose printed order is arbitrary) compared as values instead.
    func text(_ scenario: Scenario) -> String {
        var scenario = scenario
        scenario.peerDocument = ""
        scenario.sourceFile = ""
        scenario.expectation = Expectation([:])
        scenario.external?.expectation = Expectation([:])
        scenario.server.libraryOptions = [:]
        scenario.client.libraryOptions = [:]
        scenario.server.datagramFaults = DatagramFaults()
        scenario.client.datagramFaults = DatagramFaults()
        scenario.typicalSeconds = [:]
        return String(reflecting: scenario)
    }

    func sameDictionaries(_ read: Scenario, _ original: Scenario) -> Bool {
        read.expectation == original.expectation && read.external?.expectation == original.external?.expectation
            && String(reflecting: read.server.libraryOptions.sorted { $0.key < $1.key })
                == String(reflecting: original.server.libraryOptions.sorted { $0.key < $1.key })
            && String(reflecting: read.client.libraryOptions.sorted { $0.key < $1.key })
                == String(reflecting: original.client.libraryOptions.sorted { $0.key < $1.key })
            && read.typicalSeconds == original.typicalSeconds
            && read.server.datagramFaults == original.server.datagramFaults && read.client.datagramFaults == original.client.datagramFaults
    }

    @Test func everyScenarioReadsBackFromItsPeerDocument() throws {
        #expect(Self.catalog.scenarios.count > 80)
        for scenario in Self.catalog.scenarios {
            #expect(scenario.peerDocument.hasPrefix("{"), "\(scenario.id): not the JSON form")
            let read = try ScenarioCatalog.loadScenario(
                id: scenario.id, document: scenario.peerDocument, named: "stdin", libraries: .linked)
            #expect(read.map(text) == text(scenario), "\(scenario.id) reads back differently")
            #expect(read.map { sameDictionaries($0, scenario) } == true, "\(scenario.id): expectations or options differ")
        }
    }

    @Test func aMistypedFieldIsNamed() {
        let document = #"{"family": "H", "title": "t", "scenarios": [{"id": "H1", "name": "n", "description": "d", "clients": "many"}]}"#
        #expect(throws: ConfigurationError.self) {
            try ScenarioCatalog.loadScenario(id: "H1", document: document, named: "stdin", libraries: .linked)
        }
        do {
            _ = try ScenarioCatalog.loadScenario(id: "H1", document: document, named: "stdin", libraries: .linked)
        } catch {
            #expect(error.message == "stdin: field 'scenarios[0].clients' must be an integer")
        }
    }

    @Test func brokenJSONIsRefusedByName() {
        do {
            _ = try ScenarioCatalog.loadScenario(id: "H1", document: #"{"family": "#, named: "stdin", libraries: .linked)
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("stdin: not a JSON document"))
        }
    }

    @Test func identifiersAreCheckedWithoutRegularExpressions() {
        #expect(ScenarioCatalog.isValidIdentifier("H1"))
        #expect(ScenarioCatalog.isValidIdentifier("R4h.b_c-9"))
        #expect(ScenarioCatalog.isValidIdentifier(String(repeating: "a", count: 32)))
        #expect(!ScenarioCatalog.isValidIdentifier(String(repeating: "a", count: 33)))
        #expect(!ScenarioCatalog.isValidIdentifier("-H1"))
        #expect(!ScenarioCatalog.isValidIdentifier(""))
        #expect(!ScenarioCatalog.isValidIdentifier("H 1"))
        #expect(!ScenarioCatalog.isValidIdentifier("Hé"))
        #expect(ScenarioCatalog.isValidFamily("H"))
        #expect(ScenarioCatalog.isValidFamily("DTLS2"))
        #expect(!ScenarioCatalog.isValidFamily("h"))
        #expect(!ScenarioCatalog.isValidFamily("ABCDEFGHI"))
    }
}
