#if NGTCP2_GNUTLS
internal import CNGTCP2
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// A QUIC server on ngtcp2 + GnuTLS: one nonblocking UDP socket on loopback, its datagrams routed to connections by
/// their Destination Connection ID, a new connection for each client Initial (`ngtcp2_accept`), handed out in the
/// order they arrived, each connection progressing whenever anyone reads the socket (as OpenSSL's listener engine).
final class NGTCP2Listener: BoundListener {
    let address: LoopbackAddress
    var fileDescriptor: Int32 { socket.fileDescriptor }
    private let socket: SocketDescriptor
    private let settings: EndpointSettings
    private var connections: [[UInt8]: NGTCP2Connection] = [:]
    private var waiting: [NGTCP2Connection] = []
    private var buffer = [UInt8](repeating: 0, count: 65_536)
    private(set) var notes: [String] = []
    /// Where the connections it makes log their secrets, when the cell keeps wire evidence.
    private var secretLog: SecretLog?

    init(settings: EndpointSettings) throws(SessionSetupError) {
        do {
            (socket, address) = try SocketDescriptor.udpBound()
        } catch {
            throw SessionSetupError("cannot bind a UDP socket on loopback", raw: RawResult(call: error.call, returnValue: -1, osError: error.code))
        }
        self.settings = settings
    }

    func accept() throws(SocketError) -> (any RawConnection)? {
        pump()
        guard !waiting.isEmpty else { return nil }
        let connection = waiting.removeFirst()
        let session = NGTCP2Session(connection, owner: self) { [weak self] in self?.pump() }
        return AcceptedQUICConnection(socket: socket.fileDescriptor, session: session)
    }

    var acceptReadiness: Readiness { waiting.isEmpty ? .readable(socket.fileDescriptor) : .condition { true } }

    /// Every datagram waiting on the socket, each to its connection (or a new one), then whatever they answer.
    func pump() {
        var touched: [ObjectIdentifier: NGTCP2Connection] = [:]
        while true {
            var source = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let received = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &source) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(socket.fileDescriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
            }
            guard received > 0 else { break }
            buffer.withUnsafeBytes { bytes in
                let datagram = UnsafeRawBufferPointer(rebasing: bytes[0..<received])
                guard let connection = route(datagram, from: source, length: length) else { return }
                connection.receive(datagram)
                if connection.close?.libraryError == NGTCP2_ERR_DROP_CONN {
                    // ngtcp2 gives up on it without a word (e.g. a first Initial that carries no ClientHello, a
                    // client's probe after its first flight was lost): forget it, so the client's next Initial
                    // starts a connection afresh.
                    forget(connection)
                    return
                }
                touched[ObjectIdentifier(connection)] = connection
            }
        }
        for connection in touched.values { connection.flush() }
    }

    private func forget(_ connection: NGTCP2Connection) {
        connections = connections.filter { $0.value !== connection }
        waiting.removeAll { $0 === connection }
        notes.append("dropped a connection ngtcp2 gave up on (\(connection.close?.description ?? "open"))")
    }

    /// The connection a datagram is for, made if it is a new client's Initial; nil to drop it.
    private func route(_ datagram: UnsafeRawBufferPointer, from source: sockaddr_storage, length: socklen_t) -> NGTCP2Connection? {
        let base = datagram.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var identifiers = ngtcp2_version_cid()
        guard ngtcp2_pkt_decode_version_cid(&identifiers, base, datagram.count, NGTCP2Connection.connectionIDLength) == 0 else { return nil }
        let destination = Array(UnsafeBufferPointer(start: identifiers.dcid, count: identifiers.dcidlen))
        if let known = connections[destination] { return known }
        var header = ngtcp2_pkt_hd()
        guard ngtcp2_accept(&header, base, datagram.count) == 0 else { return nil }
        var local = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.fileDescriptor, $0, &localLength) }
        }
        do {
            let connection = try NGTCP2Connection.server(
                settings, socket: socket.fileDescriptor, local: local, peer: source, length: length, initial: header,
                secretLog: secretLog
            ) { [weak self] identifier, connection in self?.connections[identifier] = connection }
            // The client's own choice of destination keeps arriving until it learns the server's.
            connections[destination] = connection
            waiting.append(connection)
            return connection
        } catch {
            notes.append("cannot accept a QUIC connection: \(error)")
            return nil
        }
    }

}

/// The client's pump: every datagram waiting on its connected socket.
func ngtcp2ClientPump(_ connection: NGTCP2Connection) -> () -> Void {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    return { [weak connection] in
        guard let connection else { return }
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(connection.socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard received > 0 else { return }
            buffer.withUnsafeBytes { connection.receive(UnsafeRawBufferPointer(rebasing: $0[0..<received])) }
        }
    }
}

extension NGTCP2Listener: SecretLogging {
    func logSecrets(to log: SecretLog) { secretLog = log }
}

extension NGTCP2Session: SecretLogging {
    func logSecrets(to log: SecretLog) { connection.logSecrets(to: log) }
}
#endif
