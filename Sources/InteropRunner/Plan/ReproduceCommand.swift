/// The run options a cell's result depends on besides its own id and seed, so that the printed command runs that
/// cell again exactly: where the fixtures and certificates were, the deadline, and how often it was repeated.
public struct RunOptions: Sendable, Hashable {
    public var fixtures: String
    public var certs: String
    /// Seconds, as given on the command line.
    public var deadlineSeconds: Double
    public var repeatCount: Int
    /// `--target-server` and `--target-client`, as given.
    public var targetServer: String?
    public var targetClient: String?

    public init(
        fixtures: String = "fixtures", certs: String = "certs", deadlineSeconds: Double = 10, repeatCount: Int = 1,
        targetServer: String? = nil, targetClient: String? = nil
    ) {
        self.targetClient = targetClient
        self.fixtures = fixtures
        self.certs = certs
        self.deadlineSeconds = deadlineSeconds
        self.repeatCount = repeatCount
        self.targetServer = targetServer
    }

    public static let defaults = RunOptions()
}

extension Cell {
    /// `tls-interop run` for this cell alone with `seed` and `options`, every argument shell-quoted.
    public func reproduceCommand(seed: UInt64, options: RunOptions = .defaults) -> String {
        // A target cell's server is the user's: named by its address, and its mode is the only one such a run has.
        let endpoints = switch mode {
        case .targetServer: ["--target-server", options.targetServer ?? "HOST:PORT", "--client", client.rawValue]
        case .targetClient: ["--server", server.rawValue, "--target-client", options.targetClient ?? "COMMAND"]
        default: ["--server", server.rawValue, "--client", client.rawValue]
        }
        let modeArguments = (mode.hasTarget ? [] : ["--mode", mode.rawValue]) + (endpoint.map { ["--endpoint", $0] } ?? [])
        var arguments = ["tls-interop", "run", "--filter", scenario.id] + endpoints + ["--protocol", protocolVersion.rawValue]
            + modeArguments + [
                "--seed", String(seed), "--fixtures", options.fixtures, "--certs", options.certs, "--deadline",
                Self.seconds(options.deadlineSeconds),
            ]
        if options.repeatCount > 1 { arguments += ["--repeat", String(options.repeatCount)] }
        return arguments.map(ShellWord.quoted).joined(separator: " ")
    }

    /// `10` rather than `10.0`; fractions as given.
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// A word as a POSIX shell reads it back unchanged: plain words as they are, anything else in single quotes.
enum ShellWord {
    static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "@%+=:,./_-".unicodeScalars.contains($0)
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
