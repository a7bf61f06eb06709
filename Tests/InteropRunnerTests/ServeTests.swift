import Foundation
import InteropCore
import InteropRunner
import Testing

/// `tls-interop serve`: one process serves Python's `ssl`, `openssl s_client` and `gnutls-cli` one after another,
/// echoing what each sends, refusing a client that offers only `h2` with alert 120, logging one record per
/// connection, and leaving cleanly on SIGTERM.
@Suite struct ServeTests {
    let binary = PackagePaths.executable

    func startServe(_ arguments: [String] = []) throws -> (ChildProcess, UInt16) {
        let serve = try ChildProcess(executable: binary, arguments: ["serve", "--certs", PackagePaths.certs] + arguments)
        let line = serve.waitForLine(deadline: .now.advanced(by: .seconds(10))) { PeerEvent.parse($0)?.event == .listening }
        let port = try #require(line.flatMap { PeerEvent.parse($0)?.port }, "no listening line: \(serve.standardErrorText)")
        return (serve, port)
    }

    /// A command-line client that prints what it receives: given a line, it is stopped once the echo is back.
    func echoThrough(_ executable: String, _ arguments: [String], line: String) throws -> Bool {
        let client = try ChildProcess(executable: executable, arguments: arguments, input: Array((line + "\n").utf8))
        let echoed = client.waitForLine(deadline: .now.advanced(by: .seconds(10))) { $0.contains(line) } != nil
        client.stop(grace: .milliseconds(500))
        return echoed
    }

    func records(_ serve: ChildProcess) -> [ConnectionRecord] {
        serve.lines.compactMap { PeerEvent.parse($0)?.record }
    }

    /// Waits (reading the server's output) until it has logged connection number `ordinal`.
    func waitForRecord(_ ordinal: Int, of serve: ChildProcess) -> Bool {
        serve.waitForLine(deadline: .now.advanced(by: .seconds(10))) { PeerEvent.parse($0)?.record?.ordinal == ordinal } != nil
    }

    @Test func servesPythonOpenSSLAndGnuTLSClientsOneAfterAnother() throws {
        let (serve, port) = try startServe()
        defer { serve.stop(grace: .seconds(1)) }
        let python = """
            import socket, ssl, sys
            def client(alpn):
                context = ssl.create_default_context(cafile=sys.argv[2]); context.set_alpn_protocols([alpn])
                with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
                    with context.wrap_socket(raw, server_hostname="localhost") as tls:
                        tls.sendall(b"hello from python\\n"); print(tls.recv(100), tls.selected_alpn_protocol(), tls.version())
                        tls.unwrap()
            client("http/1.0")
            try:
                client("h2")
            except ssl.SSLError as error:
                print("h2 refused", error.__class__.__name__)
            """
        let pythonRun = try runProgram("/usr/bin/env", ["python3", "-c", python, String(port), PackagePaths.certs + "/ca.pem"])
        #expect(pythonRun.standardOutput.contains("b'hello from python\\n' http/1.0 TLSv1.3"), "\(pythonRun.standardOutput)\(pythonRun.standardError)")
        #expect(pythonRun.standardOutput.contains("h2 refused"))
        #expect(try echoThrough("/usr/bin/openssl", [
            "s_client", "-connect", "127.0.0.1:\(port)", "-alpn", "http/1.0", "-CAfile", PackagePaths.certs + "/ca.pem",
            "-servername", "localhost", "-quiet",
        ], line: "hello from s_client"))
        #expect(try echoThrough("/usr/bin/gnutls-cli", [
            "--port", String(port), "--alpn", "http/1.0", "--x509cafile", PackagePaths.certs + "/ca.pem", "localhost",
        ], line: "hello from gnutls-cli"))
        #expect(waitForRecord(4, of: serve))
        #expect(serve.stop(grace: .seconds(5)) == .exited(0))
        let served = records(serve)
        try #require(served.count == 4, "\(serve.standardOutputText)")
        #expect(served.map(\.ordinal) == [1, 2, 3, 4])
        #expect(served[0].negotiatedALPN == "http/1.0" && served[0].bytesRead == 18 && served[0].bytesWritten == 18)
        #expect(served[0].readDigest == served[0].writtenDigest)
        #expect(served[1].fatalAlertsSent == [120])
        #expect(served[2].bytesWritten == "hello from s_client\n".utf8.count)
        #expect(served[3].bytesWritten == "hello from gnutls-cli\n".utf8.count)
        #expect(serve.lines.last.flatMap { PeerEvent.parse($0)?.ending } == .interrupted)
    }

    /// DTLS: one UDP port serves client after client (each new client's first datagram reaches a fresh socket bound to
    /// the same port); both tools send a line, read its echo and close with close_notify.
    @Test func servesDTLSClientsOneAfterAnother() throws {
        let (serve, port) = try startServe(["--protocol", "dtls1.2", "--connection-deadline", "10"])
        defer { serve.stop(grace: .seconds(1)) }
        let ca = PackagePaths.certs + "/ca.pem"
        let clients = [
            ("hello from dtls s_client", "openssl s_client -dtls1_2 -connect 127.0.0.1:\(port) -alpn http/1.0 -CAfile \(ca) -servername localhost"),
            ("hello from dtls gnutls-cli", "gnutls-cli --udp --port \(port) --alpn http/1.0 --x509cafile \(ca) localhost"),
        ]
        for (index, (line, command)) in clients.enumerated() {
            // The line goes out after the handshake; end of input (after the echo is back) makes the tool close.
            let run = try runProgram("/bin/sh", ["-c", "(sleep 1; echo '\(line)'; sleep 2) | timeout 15 \(command) 2>/dev/null"])
            #expect(run.standardOutput.contains(line), "\(command): \(run.standardOutput.suffix(300))")
            #expect(waitForRecord(index + 1, of: serve))
        }
        let served = records(serve)
        #expect(served.map(\.bytesRead) == clients.map { $0.0.utf8.count + 1 })
        #expect(served.allSatisfy { $0.endOfStream == .eof(.clean) && $0.negotiatedVersion == .dtls12 })
    }

    @Test func aGnuTLSServerRefusesAMismatchWithAlert120() throws {
        let (serve, port) = try startServe(["--library", "gnutls", "--protocol", "tls1.2"])
        defer { serve.stop(grace: .seconds(1)) }
        let refused = try runProgram("/usr/bin/gnutls-cli", [
            "--port", String(port), "--alpn", "h2", "--x509cafile", PackagePaths.certs + "/ca.pem", "localhost",
        ])
        #expect(refused.status != 0)
        #expect(waitForRecord(1, of: serve))
        #expect(records(serve).first?.fatalAlertsSent == [120])
        #expect(records(serve).first?.library == TLSLibrary("gnutls"))
    }

    @Test func badOptionsAreRefusedByName() throws {
        let cases: [([String], String)] = [
            (["--library", "nss"], "--library: unknown library 'nss'"),
            (["--protocol", "dtls1.2", "--protocol", "tls1.2"], "cannot share one port"),
            (["--protocol", "tls1.3", "--protocol", "quic"], "cannot share one port"),
            (["--alpn-rejection", "naiveMandatory"], "--alpn-rejection is a GnuTLS server setting"),
            (["--library", "gnutls", "--alpn-rejection", "sloppy"], "--alpn-rejection: 'sloppy'"),
            (["--certs", "/nonexistent"], "/nonexistent/ca.pem: no such file"),
        ]
        for (arguments, message) in cases {
            let result = try runProgram(binary, ["serve"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
    }
}
