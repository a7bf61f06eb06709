import COpenSSL
import CGnuTLS
import Foundation
import InteropCore
import OpenSSLBackend
import GnuTLSBackend

/// The same work as a benchmark cell — handshake, 4 KiB echo, clean close — done with the libraries' C APIs and
/// nothing else: contexts and credentials made once, one socketpair, both ends driven in turn. What the harness
/// adds on top of this is its own cost.
protocol BaselineEndpoint: AnyObject {
    /// Advances the handshake; true once it is complete.
    func handshakeStep() -> Bool
    func write(_ bytes: [UInt8]) -> Int
    /// Writes what the socket takes now; 0 when the call must be repeated with the same bytes.
    func writeSome(_ bytes: UnsafeRawBufferPointer) -> Int
    func read(into buffer: inout [UInt8]) -> Int
    /// Sends close_notify; true once the peer's has been seen too.
    func shutdownStep() -> Bool
}

final class BaselineContexts {
    let openSSLServer: OpaquePointer
    let openSSLClient: OpaquePointer
    var gnuTLSServer: gnutls_certificate_credentials_t?
    var gnuTLSClient: gnutls_certificate_credentials_t?
    let version: ProtocolVersion

    init(credentials: Credentials, version: ProtocolVersion) {
        self.version = version
        let protocolNumber = version == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        openSSLServer = SSL_CTX_new(TLS_server_method())
        SSL_CTX_use_certificate_chain_file(openSSLServer, credentials.chainFile)
        SSL_CTX_use_PrivateKey_file(openSSLServer, credentials.privateKeyFile, SSL_FILETYPE_PEM)
        openSSLClient = SSL_CTX_new(TLS_client_method())
        SSL_CTX_load_verify_locations(openSSLClient, credentials.trustAnchorFile, nil)
        SSL_CTX_set_verify(openSSLClient, SSL_VERIFY_PEER, nil)
        for context in [openSSLServer, openSSLClient] {
            _ = COpenSSL_SSL_CTX_set_min_proto_version(context, protocolNumber)
            _ = COpenSSL_SSL_CTX_set_max_proto_version(context, protocolNumber)
        }
        gnutls_certificate_allocate_credentials(&gnuTLSServer)
        gnutls_certificate_set_x509_key_file(gnuTLSServer, credentials.chainFile, credentials.privateKeyFile, GNUTLS_X509_FMT_PEM)
        gnutls_certificate_allocate_credentials(&gnuTLSClient)
        gnutls_certificate_set_x509_trust_file(gnuTLSClient, credentials.trustAnchorFile, GNUTLS_X509_FMT_PEM)
    }

    func endpoint(_ library: TLSLibrary, server: Bool, fd: Int32) -> any BaselineEndpoint {
        switch library {
        case .openssl: OpenSSLBaseline(context: server ? openSSLServer : openSSLClient, server: server, fd: fd)
        case .gnutls: GnuTLSBaseline(credentials: server ? gnuTLSServer : gnuTLSClient, server: server, fd: fd, version: version)
        default: preconditionFailure("no C-level baseline for \(library)")
        }
    }
}

final class OpenSSLBaseline: BaselineEndpoint {
    let ssl: OpaquePointer

    init(context: OpaquePointer, server: Bool, fd: Int32) {
        ssl = SSL_new(context)
        SSL_set_fd(ssl, fd)
        if server {
            SSL_set_accept_state(ssl)
        } else {
            _ = COpenSSL_SSL_set_tlsext_host_name(ssl, "localhost")
            SSL_set1_host(ssl, "localhost")
            SSL_set_connect_state(ssl)
        }
    }

    deinit { SSL_free(ssl) }

    func handshakeStep() -> Bool { SSL_do_handshake(ssl) == 1 }

    func write(_ bytes: [UInt8]) -> Int {
        var written = 0
        return SSL_write_ex(ssl, bytes, bytes.count, &written) == 1 ? written : 0
    }

    func writeSome(_ bytes: UnsafeRawBufferPointer) -> Int {
        var written = 0
        return SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &written) == 1 ? written : 0
    }

    func read(into buffer: inout [UInt8]) -> Int {
        var count = 0
        return SSL_read_ex(ssl, &buffer, buffer.count, &count) == 1 ? count : 0
    }

    func shutdownStep() -> Bool { SSL_shutdown(ssl) == 1 }
}

final class GnuTLSBaseline: BaselineEndpoint {
    var session: gnutls_session_t?
    let name = strdup("localhost")

    init(credentials: gnutls_certificate_credentials_t?, server: Bool, fd: Int32, version: ProtocolVersion) {
        gnutls_init(&session, UInt32((server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK))
        gnutls_priority_set_direct(session, version == .tls13 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3" : "NORMAL:-VERS-ALL:+VERS-TLS1.2", nil)
        gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(credentials))
        if !server {
            gnutls_server_name_set(session, GNUTLS_NAME_DNS, "localhost", 9)
            gnutls_session_set_verify_cert(session, name, 0)
        }
        gnutls_transport_set_int2(session, fd, fd)
    }

    deinit {
        gnutls_deinit(session)
        free(name)
    }

    func handshakeStep() -> Bool { gnutls_handshake(session) == 0 }

    func write(_ bytes: [UInt8]) -> Int { max(0, gnutls_record_send(session, bytes, bytes.count)) }

    func writeSome(_ bytes: UnsafeRawBufferPointer) -> Int { max(0, gnutls_record_send(session, bytes.baseAddress, bytes.count)) }

    func read(into buffer: inout [UInt8]) -> Int { max(0, gnutls_record_recv(session, &buffer, buffer.count)) }

    func shutdownStep() -> Bool { gnutls_bye(session, GNUTLS_SHUT_RDWR) == 0 }
}

/// One baseline conversation over a loopback TCP connection made the way the harness makes one (listen on port 0,
/// nonblocking connect, accept, TCP_NODELAY); returns false if anything did not complete.
/// Both ends of a loopback TCP connection with the handshake done; the sockets are returned to keep them open.
func handshakenPair(_ contexts: BaselineContexts, server: TLSLibrary, client: TLSLibrary)
    -> (server: any BaselineEndpoint, client: any BaselineEndpoint, sockets: [SocketDescriptor])?
{
    guard let listener = try? TCPListener(), let clientSocket = try? SocketDescriptor.tcp() else { return nil }
    guard (try? startConnect(clientSocket, to: listener.address)) != nil else { return nil }
    var accepted: SocketDescriptor?
    for _ in 0..<1000 where accepted == nil { accepted = try? listener.acceptSocket() }
    guard let serverSocket = accepted else { return nil }
    let serverEnd = contexts.endpoint(server, server: true, fd: serverSocket.fileDescriptor)
    let clientEnd = contexts.endpoint(client, server: false, fd: clientSocket.fileDescriptor)
    var done = (false, false)
    for _ in 0..<100 where !(done.0 && done.1) {
        if !done.1 { done.1 = clientEnd.handshakeStep() }
        if !done.0 { done.0 = serverEnd.handshakeStep() }
    }
    return done.0 && done.1 ? (serverEnd, clientEnd, [serverSocket, clientSocket]) : nil
}

func runBaseline(_ contexts: BaselineContexts, server: TLSLibrary, client: TLSLibrary, payload: [UInt8]) -> Bool {
    guard let (serverEnd, clientEnd, sockets) = handshakenPair(contexts, server: server, client: client) else { return false }
    defer { withExtendedLifetime(sockets) {} }
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    guard clientEnd.write(payload) == payload.count else { return false }
    var received: [UInt8] = []
    for _ in 0..<100 where received.count < payload.count {
        let count = serverEnd.read(into: &buffer)
        received += buffer[0..<count]
    }
    guard received.count == payload.count, serverEnd.write(received) == received.count else { return false }
    var echoed = 0
    for _ in 0..<100 where echoed < payload.count { echoed += clientEnd.read(into: &buffer) }
    var closed = (false, false)
    for _ in 0..<100 where !(closed.0 && closed.1) {
        if !closed.1 { closed.1 = clientEnd.shutdownStep() }
        if !closed.0 { closed.0 = serverEnd.shutdownStep() }
    }
    return echoed == payload.count && closed.0 && closed.1
}

/// The bulk transfer alone: the 1 MiB of H2 and R3 written by the client, read whole by the server, echoed and read
/// back, the two ends driven in turn on one thread over nonblocking loopback TCP (retries repeat the same bytes from
/// buffers that do not move, as both libraries require), then closed.
func runBulkBaseline(_ contexts: BaselineContexts, server: TLSLibrary, client: TLSLibrary, payload: [UInt8]) -> Bool {
    guard let (serverEnd, clientEnd, sockets) = handshakenPair(contexts, server: server, client: client) else { return false }
    defer { withExtendedLifetime(sockets) {} }
    let count = payload.count
    let received = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
    defer { received.deallocate() }
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    var (written, receivedCount, echoWritten, echoed) = (0, 0, 0, 0)
    var rounds = 0
    while receivedCount < count && rounds < 10_000_000 {
        rounds += 1
        if written < count { written += payload.withUnsafeBytes { clientEnd.writeSome(UnsafeRawBufferPointer(rebasing: $0[written...])) } }
        let got = serverEnd.read(into: &buffer)
        buffer.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: received[receivedCount..<receivedCount + got]).copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        receivedCount += got
    }
    while echoed < count && rounds < 10_000_000 {
        rounds += 1
        if echoWritten < count { echoWritten += serverEnd.writeSome(UnsafeRawBufferPointer(rebasing: received[echoWritten...])) }
        echoed += clientEnd.read(into: &buffer)
    }
    var closed = (false, false)
    for _ in 0..<1000 where !(closed.0 && closed.1) {
        if !closed.1 { closed.1 = clientEnd.shutdownStep() }
        if !closed.0 { closed.0 = serverEnd.shutdownStep() }
    }
    return echoed == count && closed.0 && closed.1
}
