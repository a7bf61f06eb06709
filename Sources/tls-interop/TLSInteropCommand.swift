import ArgumentParser
import Foundation

@main
struct TLSInteropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls-interop",
        abstract: "Cross-checks OpenSSL and GnuTLS on nonblocking TLS behaviour: retry, shutdown, EOF and ALPN.",
        discussion: """
            Exit status: 0 when every cell met its expectation or a documented divergence, 1 when any cell failed,
            2 for a usage, fixture or certificate error.
            """,
        subcommands: [ListCommand.self, RunCommand.self, ExplainCommand.self, DiffCommand.self, MergeCommand.self, VersionsCommand.self, PeerCommand.self],
        defaultSubcommand: RunCommand.self
    )

    /// Usage errors exit 2 (ArgumentParser's default is 64), so that scripts see one code for "you asked wrongly".
    static func main() {
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == PeerCommand.configuration.commandName {
                // Peers start twice per out-of-process cell: parse their own options only, not every command's.
                let peer = try PeerCommand.parse(Array(arguments.dropFirst()))
                try peer.run()
                return
            }
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if let exit = error as? ExitCode {
                Foundation.exit(exit.rawValue)
            }
            StandardStreams.error((fullMessage(for: error) + "\n"))
            Foundation.exit(2)
        }
    }
}
