import Foundation
import InteropCore
import InteropRunner

/// The runner of every mode as `run` and `explain --rerun` build it: in-process, peer processes of this very
/// executable, and the libraries' command-line tools, after checking that the certificates can be read and used.
enum CellRunners {
    static func make(
        fixtures: String, certs: String, deadline: Duration, divergences: DivergenceCatalog, libraries: LibraryRegistry,
        target: TargetAddress? = nil, targetClient: String? = nil, clientCertificates: Bool = false, keepsEvidence: Bool = false
    ) throws(ConfigurationError) -> ModeDispatcher {
        let credentials = Credentials.standard(in: certs)
        // The client-authentication files are checked only when a selected cell loads them, so a certificates
        // folder without them still runs everything else.
        let checked = clientCertificates ? credentials : credentials.withoutClientCertificates
        try checkReadable(checked)
        for plugin in libraries.plugins { try plugin.backend.validate(checked) }
        var peers = PeerSetup(
            executable: ownExecutable, fixtures: fixtures, certs: certs, deadline: deadline, divergences: divergences, libraries: libraries)
        peers.keepsEvidence = keepsEvidence
        var inProcess = InProcessCellRunner(credentials: credentials, deadline: deadline, divergences: divergences, libraries: libraries)
        inProcess.keepsEvidence = keepsEvidence
        return ModeDispatcher(
            inProcess: inProcess,
            outOfProcess: OutOfProcessCellRunner(setup: peers),
            external: ExternalPeerCellRunner(setup: peers),
            target: target.map {
                var runner = TargetServerCellRunner(target: $0, credentials: credentials, deadline: deadline, divergences: divergences, libraries: libraries)
                runner.keepsEvidence = keepsEvidence
                return runner
            },
            targetClient: targetClient.map {
                var runner = TargetClientCellRunner(command: $0, credentials: credentials, deadline: deadline, divergences: divergences, libraries: libraries)
                runner.keepsEvidence = keepsEvidence
                return runner
            })
    }

    /// This program's own file, which peer processes run (and a run restarts itself as).
    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// A missing file gets its own message before a library's less direct one.
    static func checkReadable(_ credentials: Credentials) throws(ConfigurationError) {
        let files = [
            ("trust anchor", credentials.trustAnchorFile), ("certificate chain", credentials.chainFile),
            ("private key", credentials.privateKeyFile),
        ] + (credentials.clientChainFile.isEmpty ? [] : [
            ("client CA", credentials.clientTrustAnchorFile), ("client certificate", credentials.clientChainFile),
            ("client private key", credentials.clientPrivateKeyFile),
        ])
        for (role, path) in files where !FileManager.default.isReadableFile(atPath: path) {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigurationError("\(role) \(path): \(exists ? "not readable" : "no such file") (make certs writes it)")
        }
    }
}
