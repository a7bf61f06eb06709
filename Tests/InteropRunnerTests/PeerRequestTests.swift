import Foundation
import InteropCore
import InteropRunner
import Testing

/// The runner's peer arguments are read without the general parser; the two must agree on the options there are.
@Suite struct PeerRequestTests {
    static let runnerStyle = [
        "--role", "client", "--port", "4433", "--ordinal", "2", "--scenario", "H1", "--server", "gnutls", "--client", "openssl",
        "--protocol", "tls1.2", "--seed", "7", "--deadline", "2.5", "--fixtures", "fx", "--scenario-file", "-", "--certs", "c",
    ]

    @Test func theRunnersArgumentsAreReadDirectly() throws {
        let request = try #require(PeerRequest(runnerArguments: Self.runnerStyle))
        #expect(request.role == .client && request.port == 4433 && request.ordinal == 2 && request.seed == 7)
        #expect(request.scenario == "H1" && request.server == "gnutls" && request.client == "openssl")
        #expect(request.protocolVersion == .tls12 && request.deadline == 2.5 && request.scenarioFile == "-")
        #expect(request.fixtures == "fx" && request.certs == "c" && request.listenFd == nil && request.misbehave == nil)
        let minimal = try #require(PeerRequest(runnerArguments: ["--role", "client"] + Array(Self.runnerStyle[6..<14])))
        #expect(minimal.seed == 1 && minimal.deadline == 10 && minimal.fixtures == "fixtures" && minimal.role == .client)
    }

    @Test(arguments: [
        ["--seed=7"], ["--unknown", "x"], ["--seed", "seven"], ["--seed", "1", "--seed", "2"], ["--protocol", "tls9"], ["--help"],
    ])
    func anythingElseIsLeftToTheGeneralParser(extra: [String]) {
        let base = Self.runnerStyle.filter { $0 != "--seed" && $0 != "7" && $0 != "--protocol" && $0 != "tls1.2" }
        let protocolArguments = extra.first == "--protocol" ? [] : ["--protocol", "tls1.2"]
        #expect(PeerRequest(runnerArguments: base + protocolArguments + extra) == nil)
    }

    @Test func bothParsersKnowTheSameOptions() throws {
        let help = try runProgram(PackagePaths.executable, ["peer", "--help-hidden"])
        let listed = Set(help.standardOutput.split(separator: "\n").compactMap { line -> String? in
            let option = line.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            return option.hasPrefix("--") && option != "--help" ? option : nil
        })
        #expect(listed == Set(PeerRequest.optionNames), "\(help.standardOutput)")
    }
}
