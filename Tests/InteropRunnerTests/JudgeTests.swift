import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

@Suite struct JudgeTests {
    static let catalog = try! ScenarioCatalog.load(directory: PackagePaths.fixtures + "/scenarios", libraries: .linked)

    func cell(_ id: String, server: TLSLibrary = .gnutls) -> Cell {
        Cell(
            scenario: Self.catalog.scenarios.first { $0.id == id }!, server: server, client: .openssl, protocolVersion: .tls13,
            mode: .inProcess)
    }

    func observation(_ values: [ObservedField: String]) -> CellObservation {
        var observation = CellObservation(serverConnections: [], clients: [], payloadSize: 0)
        for (field, value) in values { observation.values[field] = value }
        return observation
    }

    func divergence(_ observed: [ObservedField: String]) -> Divergence {
        Divergence(
            id: "DX", scenario: "A4n", server: .gnutls, client: nil, protocolVersion: nil, observed: observed, raw: "",
            reason: "because", reference: "")
    }

    @Test func meetingTheExpectationPasses() {
        let verdict = Judge.judge(
            cell: cell("A4n"), observation: observation([.clientHandshake: "alertReceived(120)", .applicationData: "none"]),
            deadlineExpired: false, divergence: nil)
        #expect(verdict.status == .passed)
    }

    @Test func mismatchFailsWithExpectedAndObserved() {
        let verdict = Judge.judge(
            cell: cell("A4n"), observation: observation([.clientHandshake: "eof(unexpected)", .applicationData: "none"]),
            deadlineExpired: false, divergence: nil)
        #expect(verdict.status == .failed)
        #expect(verdict.message == "expected clientHandshake=alertReceived(120), observed eof(unexpected)")
    }

    @Test func documentedMismatchIsDivergent() {
        let verdict = Judge.judge(
            cell: cell("A4n"), observation: observation([.clientHandshake: "eof(unexpected)", .applicationData: "none"]),
            deadlineExpired: false, divergence: divergence([.clientHandshake: "eof(unexpected)"]))
        #expect(verdict.status == .divergent)
    }

    @Test func differentlyDivergingCellFails() {
        let verdict = Judge.judge(
            cell: cell("A4n"), observation: observation([.clientHandshake: "reset", .applicationData: "none"]),
            deadlineExpired: false, divergence: divergence([.clientHandshake: "eof(unexpected)"]))
        #expect(verdict.status == .failed)
        #expect(verdict.message.contains("DX documents clientHandshake=eof(unexpected)"))
    }

    @Test func undocumentedExtraMismatchFails() {
        let verdict = Judge.judge(
            cell: cell("A4n"),
            observation: observation([.clientHandshake: "eof(unexpected)", .applicationData: "client read 5 bytes, server read 0 bytes"]),
            deadlineExpired: false, divergence: divergence([.clientHandshake: "eof(unexpected)"]))
        #expect(verdict.status == .failed)
    }

    @Test func divergenceThatNoLongerHappensFails() {
        let verdict = Judge.judge(
            cell: cell("A4n"), observation: observation([.clientHandshake: "alertReceived(120)", .applicationData: "none"]),
            deadlineExpired: false, divergence: divergence([.clientHandshake: "eof(unexpected)"]))
        #expect(verdict.status == .failed)
        #expect(verdict.message.contains("did not occur"))
    }

    @Test func deadlineFailsEvenWhenFieldsMatch() {
        let verdict = Judge.judge(
            cell: cell("A4n"), observation: observation([.clientHandshake: "alertReceived(120)", .applicationData: "none"]),
            deadlineExpired: true, divergence: nil)
        #expect(verdict.status == .failed)
        #expect(verdict.message.contains("expected loopEnding=completed, observed timeout"))
    }

    @Test func divergenceMatchesByPattern() {
        let documented = divergence([.clientHandshake: "eof(unexpected)"])
        #expect(documented.matches(cell("A4n", server: .gnutls), runtimeVersions: LibraryRegistry.linked.runtimeVersions))
        #expect(!documented.matches(cell("A4n", server: .openssl), runtimeVersions: LibraryRegistry.linked.runtimeVersions))
        #expect(!documented.matches(cell("A4", server: .gnutls), runtimeVersions: LibraryRegistry.linked.runtimeVersions))
    }

    /// A field a race decides may be documented with each value seen; any of them shows the divergence, nothing else.
    @Test func aDivergenceMayListTheValuesARaceDecidesBetween() {
        var raced = divergence([.clientHandshake: "eof(unexpected) or reset"])
        raced.alternatives = [.clientHandshake: ["eof(unexpected)", "reset"]]
        for seen in ["eof(unexpected)", "reset"] {
            let verdict = Judge.judge(
                cell: cell("A4n"), observation: observation([.clientHandshake: seen, .applicationData: "none"]),
                deadlineExpired: false, divergence: raced)
            #expect(verdict.status == .divergent, "\(seen)")
        }
        let other = Judge.judge(
            cell: cell("A4n"), observation: observation([.clientHandshake: "protocolError", .applicationData: "none"]),
            deadlineExpired: false, divergence: raced)
        #expect(other.status == .failed)
    }
}
