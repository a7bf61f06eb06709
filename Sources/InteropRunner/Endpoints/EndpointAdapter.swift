import InteropCore

/// A program built on a TLS library, described as data (`fixtures/endpoints/*.yaml`) so that it can stand in for one
/// endpoint of a cell without Swift: how to start it for the cell's protocol and ALPN settings, when it is ready,
/// and which lines of its output give each observation. The libraries' own tools are adapters too.
public struct EndpointAdapter: Sendable, Hashable, Identifiable {
    /// Its name in cell ids (`A4/openssl-gnutls/tls1.3/external-server/lighttpd`) and on the command line.
    public var id: String
    /// What reports call it, e.g. `lighttpd 1.4`.
    public var name: String
    /// The file it was read from, for messages.
    public var file: String
    /// The libraries it can be built on (a library id or family), each with the variables its commands and files use
    /// (lighttpd's `module`).
    public var builds: [TLSLibrary: [String: String]]
    /// The library's own command-line tools: chosen by the tools a plug-in ships (`tools`, found through the
    /// plug-in, so a `--build`'s copies are used), and their cells keep the library's plain id.
    public var libraryTools: Bool
    /// The plug-in tool names the adapter's commands use as `{tool:NAME}`.
    public var tools: [String]
    /// What must be installed for it to run, for messages (`make endpoints` installs them).
    public var needs: String?
    public var server: EndpointCommand?
    public var client: EndpointCommand?

    public func command(for role: EndpointRole) -> EndpointCommand? {
        role == .server ? server : client
    }
}

/// How an adapter plays one role.
public struct EndpointCommand: Sendable, Hashable {
    /// As traces and messages name it; `{variable}`s of the build are filled in.
    public var display: String
    public var executable: String
    /// Variables set for it on top of the runner's environment, filled in like arguments (a program unpacked with its
    /// own libraries: `LD_LIBRARY_PATH: "{deps}/quic/usr/lib/x86_64-linux-gnu"`).
    public var environment: [String: String] = [:]
    /// Each item is filled in (`{port}`, `{certs}`, `{ca}`, `{dir}`, `{seed}`, build variables); the items `{version}`,
    /// `{alpn}`, `{alpnFatal}`, `{datagram}` and `{protocolArguments}` stand for lists.
    public var arguments: [String]
    /// The arguments for each protocol it plays (`{version}`); a protocol it lacks makes the cell not applicable.
    public var versions: [ProtocolVersion: [String]]
    public var alpn: ALPNArguments
    /// Added when ALPN is configured and the scenario wants a mismatch to be fatal (`gnutls-serv --alpn-fatal`).
    public var alpnFatal: [String]
    /// Added for DTLS (`--udp`).
    public var datagram: [String]
    /// Per protocol: extra arguments, text for stdin and the request it carries (see `ProtocolExtras`).
    public var protocolExtras: [ProtocolVersion: ProtocolExtras]
    public var port: PortAnnouncement
    /// Whether a server leaves by itself after one connection (`s_server -naccept 1`) rather than serving until
    /// stopped.
    public var leavesAfterOneConnection: Bool
    /// Protocols it cannot play, with the reason measured.
    public var unsupported: [ProtocolVersion: String]
    /// Protocols it plays only when its help text lists an option (`openssl s_client -help` and `-quic`).
    public var needsOption: [ProtocolVersion: HelpOption]
    /// Files written into the cell's own directory (`{dir}`) before it starts, e.g. a server's configuration.
    public var files: [String: String]
    /// Rules that decide the handshake from its output, in order; the first whose pattern matches a line wins.
    public var handshake: [HandshakeRule]
    /// When no rule matched.
    public var otherwise: FallbackRule
    /// A pattern whose first capture group is the negotiated ALPN protocol.
    public var negotiatedALPN: String?
    /// Rules that say how the conversation ended for it (`eof(clean)`, `eof(unexpected)`, …), first match wins; with
    /// none its end of stream is not observable.
    public var endOfStream: [EndOfStreamRule]
    /// Patterns of lines worth keeping in its record's notes (what a server logged about the connection).
    public var keepLines: [String]
    /// Observations its output cannot give, for cells judged with it (reported as not observable).
    public var blindTo: [ObservedField]
}

/// How ALPN protocols become arguments.
public enum ALPNArguments: Sendable, Hashable {
    /// The program cannot be told (a server with its own list, a client that offers a fixed list): the list it uses.
    case fixed([String])
    /// These arguments once per protocol, `{protocol}` filled in (`--alpn NAME` …).
    case each([String])
    /// These arguments once, `{protocols}` being the list joined by `separator` (`-alpn a,b`).
    case joined([String], separator: String)
    /// A few fixed offers, each behind its own arguments (`curl --http1.0` offers http/1.0, `--http2` h2 and
    /// http/1.1): the first that selects what the scenario's list would is used.
    case choices([ALPNChoice])
}

public struct ALPNChoice: Sendable, Hashable {
    public var offers: [String]
    public var arguments: [String]
}

public struct EndOfStreamRule: Sendable, Hashable {
    public var pattern: String
    public var outcome: Outcome
}

public struct ProtocolExtras: Sendable, Hashable {
    public var arguments: [String] = []
    /// Written to its stdin (`{request}` filled in); nil leaves stdin empty.
    public var input: String?
    /// The bytes it sends as its request: recorded as written, and as read back when its standard output shows
    /// them again (`openssl s_client -quic` echoing a line).
    public var request: String?
}

/// How a server's port becomes known.
public enum PortAnnouncement: Sendable, Hashable {
    /// It binds port 0 and prints a line whose first capture group is the port.
    case announced(pattern: String)
    /// The harness picks a free port (`{port}`) and waits until a line matches `ready` (retrying another port when
    /// one matches `busy`, up to `attempts`), or, with no `ready` pattern, until a TCP connection is accepted.
    case chosen(ready: String?, busy: String?, attempts: Int)
    /// A client: it is given the server's port.
    case notAServer
}

public struct HelpOption: Sendable, Hashable {
    /// The arguments that print its help, e.g. `[s_client, -help]`.
    public var arguments: [String]
    public var option: String
}

public struct HandshakeRule: Sendable, Hashable {
    /// A regular expression matched against each line of its output (stdout, then stderr).
    public var pattern: String
    /// `completed`, `protocolError`, or `alertReceived` (the pattern's first capture group is the alert number, or
    /// `alert` gives it where the program prints the alert's name).
    public var outcome: HandshakeVerdict
    public var alert: Int? = nil
}

public enum HandshakeVerdict: String, Sendable, Hashable, CaseIterable {
    case completed
    case protocolError
    case alertReceived
    /// The program says it aborted with this alert (a QUIC server's CONNECTION_CLOSE carrying CRYPTO_ERROR 0x100+alert).
    case alertSent
    /// The program says it gave up waiting (an idle or handshake time-out of its own).
    case timeout
}

/// The outcome when no rule matched, and which line explains it: the first (or last) line matching each pattern in
/// turn, else `evidence`.
public struct FallbackRule: Sendable, Hashable {
    public var outcome: HandshakeVerdict
    public var evidenceLines: [EvidenceLine]
    public var evidence: String
}

public struct EvidenceLine: Sendable, Hashable {
    public var pattern: String
    public var last: Bool
}
