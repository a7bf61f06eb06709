import ArgumentParser
import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins

/// `tls-interop serve`: the Swift echo server, serving one connection after another until stopped — what a user
/// points an external client or test suite at. The rules of the QUIC server guide: ALPN `http/1.0` and `hq-interop`
/// only, fatal alert 120 (no_application_protocol) otherwise; each chunk a client sends is echoed at once, and the
/// server closes after the client does (`handshake, echoEach, shutdown(bidirectional), close`).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Swift echo server on loopback until stopped (SIGINT/SIGTERM), one JSON line per connection.",
        discussion: """
            The first line is {"event":"listening","port":N}; then one {"event":"record",…} line per connection, with \
            the record the reports use (trace, raw values, alerts, how it ended); SIGINT or SIGTERM ends the current \
            connection and exits 0. Defaults: OpenSSL, TLS 1.3 and 1.2 on one port, the test certificates.
            """)

    @Option(help: "The server's library (openssl, gnutls).")
    var library = "openssl"

    @Option(name: .customLong("protocol"), help: "tls1.3, tls1.2 (both on one port by default), dtls1.2 or quic; repeatable.")
    var protocols: [ProtocolVersion] = []

    @Option(help: "The port to listen on, on 127.0.0.1 (default: one the kernel chooses, printed first).")
    var port: UInt16 = 0

    @Option(help: "The directory holding server-chain.pem and server.key (and ca.pem).")
    var certs = "certs"

    @Option(help: "GnuTLS server only: conforming (alert 120), naiveMandatory (GNUTLS_ALPN_MANDATORY and no alert) or notMandatory.")
    var alpnRejection: String?

    @Option(help: "Seconds one connection may take before it is given up and the next served.")
    var connectionDeadline: Double = 30

    @Option(
        name: .customLong("build"),
        help: "LIBRARY=BUILD: serve on another build of a library (a directory, .deb files or debian:VERSION), as run --build.")
    var builds: [String] = []

    func validate() throws {
        guard connectionDeadline > 0, connectionDeadline <= 3600 else {
            throw ValidationError("--connection-deadline must be between 0 and 3600 seconds, got \(connectionDeadline)")
        }
    }

    func run() throws {
        InterruptionWatch.holdSignals()
        do throws(ConfigurationError) {
            let libraries = LibraryRegistry.linked
            try BuildActivation.activate(try BuildActivation.builds(builds, libraries: libraries), libraries: libraries)
        } catch {
            StandardStreams.error("tls-interop serve: error: \(error.message)\n")
            throw ExitCode(2)
        }
        let interruption = InterruptionWatch()
        signal(SIGPIPE, SIG_IGN)
        let server: EchoServer
        let listeningPort: UInt16
        do throws(ConfigurationError) {
            (server, listeningPort) = try makeServer()
        } catch {
            StandardStreams.error("tls-interop serve: error: \(error.message)\n")
            throw ExitCode(2)
        }
        server.requiredConnections = .max
        server.connectionDeadline = .milliseconds(Int64(connectionDeadline * 1000))
        server.onConnectionFinished = { record in
            guard StandardStreams.output(PeerEvent(event: .record, record: record).jsonLine + "\n") else { _exit(1) }
        }
        _ = StandardStreams.output(PeerEvent(event: .listening, port: listeningPort).jsonLine + "\n")
        // Until a signal: the loop's own check of RunInterruption ends it within its poll interval.
        let ending = InProcessLoop(deadline: .seconds(100 * 365 * 86_400)).run([server])
        _ = StandardStreams.output(PeerEvent(event: .finished, ending: ending).jsonLine + "\n")
        _ = interruption
    }

    private func makeServer() throws(ConfigurationError) -> (EchoServer, UInt16) {
        let libraries = LibraryRegistry.linked
        guard let chosen = libraries.library(named: library), let plugin = libraries.plugin(for: chosen) else {
            throw ConfigurationError("--library: unknown library '\(library)' (known: \(libraries.knownList))")
        }
        let versions = (protocols.isEmpty ? [.tls13, .tls12] : protocols).sorted { $0.rawValue > $1.rawValue }
        guard let newest = versions.first, versions.allSatisfy({ $0.transport == newest.transport }) else {
            throw ConfigurationError("--protocol: \(versions.map(\.rawValue).joined(separator: " and ")) cannot share one port")
        }
        guard newest.transport != .quic || port == 0 else {
            throw ConfigurationError("--port: a QUIC listener binds its own port; leave --port out and read it from the first line")
        }
        let credentials = Credentials.standard(in: certs).withoutClientCertificates
        try CellRunners.checkReadable(credentials)
        try plugin.backend.validate(credentials)
        var options: [String: LibraryOptionValues] = [:]
        if let alpnRejection {
            // The library's own option, as fixtures give it: its owner and its values come from the plug-ins.
            let name = "alpnRejection"
            guard let option = plugin.options.first(where: { $0.name == name }) else {
                let owner = libraries.plugins.first { $0.options.contains { $0.name == name } }?.displayName ?? "another library's"
                throw ConfigurationError("--alpn-rejection is a \(owner) server setting; --library is \(library)")
            }
            if case .choice(let words) = option.values, option.problem(with: alpnRejection) != nil {
                throw ConfigurationError("--alpn-rejection: '\(alpnRejection)' (known: \(words.joined(separator: ", ")))")
            }
            options[plugin.optionsKey] = LibraryOptionValues([name: alpnRejection])
        }
        var settings = EndpointSettings(
            role: .server, protocolVersion: newest, credentials: credentials, alpn: ["http/1.0", "hq-interop"], libraryOptions: options)
        settings.alsoAccepted = Array(versions.dropFirst())
        if let reason = plugin.backend.unsupportedReason(settings) { throw ConfigurationError("--protocol \(newest.rawValue): \(reason)") }
        let listener: any BoundListener
        do {
            switch newest.transport {
            case .stream: listener = try TCPListener(port: port)
            case .datagram: listener = try UDPListener(servingPort: port)
            case .quic: listener = try plugin.backend.makeQUICListener(settings)
            }
        } catch {
            throw ConfigurationError("cannot listen on 127.0.0.1:\(port): \(error)")
        }
        let server = EchoServer(backend: plugin.backend, settings: settings, actions: EndpointAction.interactiveEchoServer, listener: listener)
        return (server, listener.address.port)
    }
}
