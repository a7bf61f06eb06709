import ArgumentParser
import Foundation
import InteropRunner

@main
struct TLSInteropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls-interop",
        abstract: "Cross-checks OpenSSL and GnuTLS on nonblocking TLS behaviour: retry, shutdown, EOF and ALPN.",
        discussion: """
            Exit status: 0 when every cell met its expectation or a documented divergence, 1 when any cell failed (or, \
            with --baseline, a baseline cell was lost that fixtures/coverage.yaml does not allow), 2 for a usage, \
            fixture or certificate error.
            """,
        subcommands: [
            ListCommand.self, RunCommand.self, ExplainCommand.self, DiffCommand.self, HistoryCommand.self, MergeCommand.self, VersionsCommand.self,
            LibrariesCommand.self, ServeCommand.self, PeerCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Usage errors exit 2 (ArgumentParser's default is 64), so that scripts see one code for "you asked wrongly".
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == PeerCommand.configuration.commandName {
            // Peers start twice per out-of-process cell: the runner's arguments are read directly, anything else by
            // the peer command's own parser (which also answers --help), not by every command's.
            let peerArguments = Array(arguments.dropFirst())
            finish(PeerCommand.self) {
                if let request = PeerRequest(runnerArguments: peerArguments) {
                    try request.run()
                    // Everything a peer reports is written by then; the libraries' exit-time cleanup (freeing what the
                    // kernel is about to reclaim) would only delay the runner's cell.
                    fflush(nil)
                    _exit(0)
                } else {
                    try PeerCommand.parse(peerArguments).run()
                }
            }
        }
        finish(Self.self) {
            var command = try parseAsRoot()
            try command.run()
        }
    }

    /// Runs `body` and exits: 0 on success or a help request (printed by `command`), the thrown code, or 2.
    private static func finish(_ command: any ParsableCommand.Type, _ body: () throws -> Void) -> Never {
        do {
            try body()
            Foundation.exit(0)
        } catch {
            let code = command.exitCode(for: error)
            if code == .success {
                print(command.fullMessage(for: error))
                Foundation.exit(0)
            }
            if let exit = error as? ExitCode {
                Foundation.exit(exit.rawValue)
            }
            StandardStreams.error(command.fullMessage(for: error) + "\n")
            Foundation.exit(2)
        }
    }
}
