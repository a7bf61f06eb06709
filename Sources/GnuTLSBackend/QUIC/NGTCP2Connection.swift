#if NGTCP2_GNUTLS
internal import CGnuTLS
internal import CNGTCP2
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// One QUIC connection on ngtcp2 with GnuTLS doing its TLS 1.3 (the crypto helper's hooks), driven without
/// blocking: datagrams in through `receive`, packets out through `flush`, the library's one timer through
/// `handleExpiry`, and one bidirectional stream carrying the conversation. The harness owns the UDP socket.
final class NGTCP2Connection {
    let role: EndpointRole
    private(set) var conn: OpaquePointer?
    private(set) var tls: gnutls_session_t?
    private let connectionReference = UnsafeMutablePointer<ngtcp2_crypto_conn_ref>.allocate(capacity: 1)
    /// Where packets go: the peer's address on the shared socket (server) or the connected socket (client).
    let socket: Int32
    private let localAddress = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: 1)
    private let peerAddress = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: 1)
    private let addressLength: socklen_t
    private var verifiedName: UnsafeMutablePointer<CChar>?

    /// The conversation's stream: -1 until the client opens it (or the server sees it).
    private(set) var streamID: Int64 = -1
    private var inbound: [UInt8] = []
    private(set) var finReceived = false
    private(set) var streamReset = false
    /// Everything written to the stream, in chunks that stay where they are until the connection ends: ngtcp2
    /// keeps pointers into them until their bytes are acknowledged.
    private var outbound: [UnsafeMutableRawBufferPointer] = []
    private(set) var written = 0
    private var sent = 0
    private(set) var finRequested = false
    private var finSent = false
    private(set) var acknowledged = 0
    private(set) var handshakeCompleted = false
    /// How the connection ended, once it has.
    private(set) var close: NGTCP2Close?
    /// Something the application can see happened since it last looked (data, the end of the stream, the handshake's
    /// end, the close): a session waiting on the shared socket must not sleep through another's reading for it.
    var hasNews = false
    private(set) var notes: [String] = []
    /// Connection IDs this end issued, for the listener's routing.
    var onNewConnectionID: (([UInt8], NGTCP2Connection) -> Void)?

    static let connectionIDLength = 18

    private init(role: EndpointRole, socket: Int32, local: sockaddr_storage, peer: sockaddr_storage, length: socklen_t) {
        self.role = role
        self.socket = socket
        localAddress.initialize(to: local)
        peerAddress.initialize(to: peer)
        addressLength = length
    }

    deinit {
        if let conn { ngtcp2_conn_del(conn) }
        if let tls {
            SecretLogRegistry.remove(tls)
            gnutls_deinit(tls)
        }
        free(verifiedName)
        for chunk in outbound { chunk.deallocate() }
        connectionReference.deallocate()
        localAddress.deallocate()
        peerAddress.deallocate()
    }

    /// A client on a UDP socket connected to the server.
    static func client(_ settings: EndpointSettings, socket: Int32) throws(SessionSetupError) -> NGTCP2Connection {
        let (local, peer, length) = try addresses(of: socket)
        let connection = NGTCP2Connection(role: .client, socket: socket, local: local, peer: peer, length: length)
        try connection.startTLS(settings)
        var callbacks = commonCallbacks()
        callbacks.client_initial = ngtcp2_crypto_client_initial_cb
        callbacks.recv_retry = ngtcp2_crypto_recv_retry_cb
        var destination = ngtcp2_cid()
        var source = ngtcp2_cid()
        randomConnectionID(&destination)
        randomConnectionID(&source)
        var parameters = transportParameters(idleTimeout: settings.quicIdleTimeout)
        var path = connection.path
        var ngtcp2Settings = connectionSettings()
        var conn: OpaquePointer?
        let status = CNGTCP2_conn_client_new(
            &conn, &destination, &source, &path, &callbacks, &ngtcp2Settings, &parameters, connection.userData)
        guard status == 0, let conn else { throw setupError("ngtcp2_conn_client_new", status) }
        connection.attach(conn)
        return connection
    }

    /// A server for the client whose first Initial packet `hd` describes, on the listener's socket.
    static func server(
        _ settings: EndpointSettings, socket: Int32, local: sockaddr_storage, peer: sockaddr_storage, length: socklen_t,
        initial hd: ngtcp2_pkt_hd, secretLog: SecretLog? = nil, onNewConnectionID: @escaping ([UInt8], NGTCP2Connection) -> Void
    ) throws(SessionSetupError) -> NGTCP2Connection {
        let connection = NGTCP2Connection(role: .server, socket: socket, local: local, peer: peer, length: length)
        connection.onNewConnectionID = onNewConnectionID
        try connection.startTLS(settings)
        if let secretLog { connection.logSecrets(to: secretLog) }
        var callbacks = commonCallbacks()
        callbacks.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb
        var header = hd
        var source = ngtcp2_cid()
        randomConnectionID(&source)
        var parameters = transportParameters()
        parameters.original_dcid = header.dcid
        parameters.original_dcid_present = 1
        var path = connection.path
        var ngtcp2Settings = connectionSettings()
        var conn: OpaquePointer?
        let status = CNGTCP2_conn_server_new(
            &conn, &header.scid, &source, &path, header.version, &callbacks, &ngtcp2Settings, &parameters, connection.userData)
        guard status == 0, let conn else { throw setupError("ngtcp2_conn_server_new", status) }
        connection.attach(conn)
        onNewConnectionID(withUnsafeBytes(of: source.data) { Array($0.prefix(Int(source.datalen))) }, connection)
        return connection
    }

    private func attach(_ conn: OpaquePointer) {
        self.conn = conn
        connectionReference.initialize(to: ngtcp2_crypto_conn_ref(get_conn: { reference in
            guard let owner = reference?.pointee.user_data else { return nil }
            return Unmanaged<NGTCP2Connection>.fromOpaque(owner).takeUnretainedValue().conn
        }, user_data: userData))
        gnutls_session_set_ptr(tls, connectionReference)
        ngtcp2_conn_set_tls_native_handle(conn, UnsafeMutableRawPointer(tls))
    }

    /// The GnuTLS session's secrets into `log`, from here on (the registry finds it: ngtcp2 holds the user pointer).
    func logSecrets(to log: SecretLog) {
        guard let tls else { return }
        SecretLogRegistry.register(tls, log)
        gnutls_session_set_keylog_function(tls, gnuTLSKeyLog)
    }

    private var userData: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// GnuTLS's side: TLS 1.3 only, without the middlebox compatibility mode QUIC forbids, the harness's credentials
    /// and ALPN rule (the server's list mandatory, as the QUIC guide's server does), then the crypto helper's hooks.
    private func startTLS(_ settings: EndpointSettings) throws(SessionSetupError) {
        let flags = (role == .server ? GNUTLS_SERVER : GNUTLS_CLIENT) | Int32(GNUTLS_ENABLE_EARLY_DATA.rawValue)
            | Int32(GNUTLS_NO_END_OF_EARLY_DATA.rawValue)
        try Self.check("gnutls_init", gnutls_init(&tls, UInt32(flags)))
        try Self.check(
            "gnutls_priority_set_direct",
            gnutls_priority_set_direct(tls, "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3", nil))
        let certificates = try GnuTLSCredentialCache.shared.credentials(role: settings.role, files: settings.credentials)
        try Self.check("gnutls_credentials_set", gnutls_credentials_set(tls, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(certificates)))
        if role == .client {
            let name = settings.credentials.serverName
            try Self.check("gnutls_server_name_set", gnutls_server_name_set(tls, GNUTLS_NAME_DNS, name, name.utf8.count))
            verifiedName = strdup(name)
            gnutls_session_set_verify_cert(tls, verifiedName, 0)
            try Self.check("ngtcp2_crypto_gnutls_configure_client_session", ngtcp2_crypto_gnutls_configure_client_session(tls))
        } else {
            try Self.check("ngtcp2_crypto_gnutls_configure_server_session", ngtcp2_crypto_gnutls_configure_server_session(tls))
        }
        let names = settings.alpn.map { Array($0.utf8) }
        guard !names.isEmpty else { return }
        let mandatory = role == .server ? GNUTLS_ALPN_MANDATORY.rawValue : 0
        let status = withGnuTLSDatums(names) { gnutls_alpn_set_protocols(tls, $0.baseAddress, UInt32($0.count), mandatory) }
        try Self.check("gnutls_alpn_set_protocols", status)
    }

    // MARK: Network

    /// The path a packet of this connection travels (the addresses stay where they are for the connection's life).
    private var path: ngtcp2_path {
        ngtcp2_path(
            local: ngtcp2_addr(addr: UnsafeMutableRawPointer(localAddress).assumingMemoryBound(to: sockaddr.self), addrlen: addressLength),
            remote: ngtcp2_addr(addr: UnsafeMutableRawPointer(peerAddress).assumingMemoryBound(to: sockaddr.self), addrlen: addressLength),
            user_data: nil)
    }

    /// One datagram from the peer; a failure closes the connection, as the library's result says.
    func receive(_ datagram: UnsafeRawBufferPointer) {
        guard let conn, close == nil else { return }
        var path = self.path
        let status = CNGTCP2_conn_read_pkt(conn, &path, datagram.baseAddress?.assumingMemoryBound(to: UInt8.self), datagram.count, Self.now())
        guard status != 0 else { return }
        switch status {
        case NGTCP2_ERR_DRAINING:
            // The peer's CONNECTION_CLOSE.
            close = NGTCP2Close(ngtcp2_conn_get_ccerr(conn).pointee, isLocal: false, libraryError: status)
            hasNews = true
        case NGTCP2_ERR_CRYPTO:
            var error = ngtcp2_ccerr()
            ngtcp2_ccerr_default(&error)
            ngtcp2_ccerr_set_tls_alert(&error, ngtcp2_conn_get_tls_alert(conn), nil, 0)
            closeLocally(error, libraryError: status)
        case NGTCP2_ERR_DROP_CONN:
            close = NGTCP2Close(libraryError: status)
            hasNews = true
        default:
            var error = ngtcp2_ccerr()
            ngtcp2_ccerr_default(&error)
            ngtcp2_ccerr_set_liberr(&error, status, nil, 0)
            closeLocally(error, libraryError: status)
        }
    }

    /// Writes every packet the connection has ready, stream data and the end of the stream included, and sends them.
    func flush() {
        guard let conn, close == nil else { return }
        var packet = [UInt8](repeating: 0, count: 1452)
        while true {
            var accepted: ngtcp2_ssize = -1
            let wantsStream = streamID >= 0 && (sent < written || (finRequested && !finSent))
            let flags: UInt32 = wantsStream && finRequested ? UInt32(NGTCP2_WRITE_STREAM_FLAG_FIN) : 0
            var vectors = wantsStream ? unsentVectors() : []
            let count = packet.withUnsafeMutableBufferPointer { buffer in
                CNGTCP2_conn_writev_stream(
                    conn, nil, buffer.baseAddress, buffer.count, &accepted, flags, wantsStream ? streamID : -1, &vectors,
                    vectors.count, Self.now())
            }
            if count < 0 {
                if count == NGTCP2_ERR_STREAM_DATA_BLOCKED || count == NGTCP2_ERR_STREAM_SHUT_WR {
                    // Flow control (or a stream the peer closed): what is not on the stream waits; send the rest.
                    let other = packet.withUnsafeMutableBufferPointer { buffer in
                        CNGTCP2_conn_writev_stream(conn, nil, buffer.baseAddress, buffer.count, nil, 0, -1, nil, 0, Self.now())
                    }
                    if other > 0 { send(packet, count: Int(other)); continue }
                    return
                }
                var error = ngtcp2_ccerr()
                ngtcp2_ccerr_default(&error)
                ngtcp2_ccerr_set_liberr(&error, Int32(count), nil, 0)
                closeLocally(error, libraryError: Int32(count))
                return
            }
            if accepted >= 0 {
                sent += Int(accepted)
                if finRequested && sent == written { finSent = true }
            }
            guard count > 0 else { return }
            send(packet, count: Int(count))
        }
    }

    private func unsentVectors() -> [ngtcp2_vec] {
        var vectors: [ngtcp2_vec] = []
        var start = 0
        for chunk in outbound {
            let end = start + chunk.count
            if end > sent {
                let skip = max(0, sent - start)
                vectors.append(ngtcp2_vec(base: chunk.baseAddress!.assumingMemoryBound(to: UInt8.self) + skip, len: chunk.count - skip))
            }
            start = end
        }
        return vectors
    }

    private func send(_ packet: [UInt8], count: Int) {
        let peer = UnsafeRawPointer(peerAddress).assumingMemoryBound(to: sockaddr.self)
        let result = packet.withUnsafeBytes { sendto(socket, $0.baseAddress, count, Int32(MSG_DONTWAIT), peer, addressLength) }
        if result < 0 && notes.count < 20 { notes.append("sendto: errno \(errno)") }
    }

    /// Absolute time of the library's next timer, nil for none.
    var expiry: UInt64? {
        guard let conn, close == nil else { return nil }
        let expiry = ngtcp2_conn_get_expiry(conn)
        return expiry == UInt64.max ? nil : expiry
    }

    /// `ngtcp2_conn_handle_expiry` once the timer is due, then whatever it made ready to send.
    func handleExpiry() -> Int32 {
        guard let conn, close == nil else { return 0 }
        let status = ngtcp2_conn_handle_expiry(conn, Self.now())
        if status != 0 {
            // Idle time-out or handshake time-out: the connection is gone without a packet.
            close = NGTCP2Close(libraryError: status)
            hasNews = true
            return status
        }
        flush()
        return 0
    }

    // MARK: Stream

    /// The client opens the conversation's stream once the peer allows one (after the handshake).
    func openStreamIfNeeded() {
        guard role == .client, streamID < 0, handshakeCompleted, let conn else { return }
        var id: Int64 = -1
        if ngtcp2_conn_open_bidi_stream(conn, &id, nil) == 0 { streamID = id }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        chunk.copyMemory(from: bytes)
        outbound.append(chunk)
        written += bytes.count
    }

    func requestFin() {
        finRequested = true
    }

    /// Copies what arrived into `buffer` and lets the peer send as much more.
    func take(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, inbound.count)
        guard count > 0 else { return 0 }
        inbound.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        inbound.removeFirst(count)
        if let conn, streamID >= 0 {
            _ = ngtcp2_conn_extend_max_stream_offset(conn, streamID, UInt64(count))
            ngtcp2_conn_extend_max_offset(conn, UInt64(count))
        }
        return count
    }

    var pendingInbound: Int { inbound.count }

    /// Everything written, the end included, has been acknowledged by the peer.
    var allAcknowledged: Bool { acknowledged >= written && (!finRequested || finSent) }

    /// Sends CONNECTION_CLOSE with this error and enters the closing period.
    func closeLocally(_ error: ngtcp2_ccerr, libraryError: Int32 = 0) {
        guard let conn, close == nil else { return }
        var error = error
        var packet = [UInt8](repeating: 0, count: 1452)
        let count = packet.withUnsafeMutableBufferPointer { buffer in
            CNGTCP2_conn_write_connection_close(conn, nil, buffer.baseAddress, buffer.count, &error, Self.now())
        }
        if count > 0 { send(packet, count: Int(count)) }
        close = NGTCP2Close(error, isLocal: true, libraryError: libraryError)
        hasNews = true
    }

    /// The application's orderly close (NO_ERROR).
    func closeGracefully() {
        var error = ngtcp2_ccerr()
        ngtcp2_ccerr_default(&error)
        ngtcp2_ccerr_set_application_error(&error, 0, nil, 0)
        closeLocally(error)
    }

    var negotiatedALPN: String? {
        var selected = gnutls_datum_t()
        guard let tls, gnutls_alpn_get_selected_protocol(tls, &selected) == 0, let data = selected.data else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(selected.size)), as: UTF8.self)
    }

    // MARK: Callbacks

    fileprivate func streamData(_ stream: Int64, _ flags: UInt32, _ data: UnsafeRawBufferPointer) {
        if streamID < 0 { streamID = stream }
        guard stream == streamID else { return }
        inbound.append(contentsOf: data)
        if flags & UInt32(NGTCP2_STREAM_DATA_FLAG_FIN) != 0 { finReceived = true }
        hasNews = true
    }

    fileprivate func acknowledged(upTo offset: Int) {
        acknowledged = max(acknowledged, offset)
    }

    fileprivate func streamClosed(_ stream: Int64, resetBy code: UInt64?) {
        guard stream == streamID else { return }
        if code != nil && !finReceived { streamReset = true }
        hasNews = true
    }

    fileprivate func completedHandshake() {
        handshakeCompleted = true
        hasNews = true
        openStreamIfNeeded()
    }

    // MARK: Setup helpers

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    private static func randomConnectionID(_ cid: inout ngtcp2_cid) {
        var bytes = [UInt8](repeating: 0, count: connectionIDLength)
        _ = gnutls_rnd(GNUTLS_RND_RANDOM, &bytes, bytes.count)
        ngtcp2_cid_init(&cid, bytes, bytes.count)
    }

    private static func connectionSettings() -> ngtcp2_settings {
        var settings = ngtcp2_settings()
        CNGTCP2_settings_default(&settings)
        settings.initial_ts = now()
        // ngtcp2's own log of every packet and frame, on stderr (which reports keep), for a maintainer's next step.
        if getenv("TLS_INTEROP_NGTCP2_LOG") != nil { CNGTCP2_settings_log_to_stderr(&settings) }
        return settings
    }

    /// One bidirectional stream each way, room for the largest payload the catalogue sends, and a 30 s idle time-out.
    /// - Parameter idleTimeout: the client's request (`EndpointSettings.quicIdleTimeout`); 30 s otherwise, as OpenSSL.
    private static func transportParameters(idleTimeout: Duration? = nil) -> ngtcp2_transport_params {
        var parameters = ngtcp2_transport_params()
        CNGTCP2_transport_params_default(&parameters)
        parameters.initial_max_stream_data_bidi_local = 1 << 20
        parameters.initial_max_stream_data_bidi_remote = 1 << 20
        parameters.initial_max_stream_data_uni = 1 << 20
        parameters.initial_max_data = 4 << 20
        parameters.initial_max_streams_bidi = 1
        parameters.initial_max_streams_uni = 3
        let idle = idleTimeout ?? .seconds(30)
        parameters.max_idle_timeout = UInt64(idle.components.seconds) * 1_000_000_000 + UInt64(idle.components.attoseconds / 1_000_000_000)
        return parameters
    }

    private static func commonCallbacks() -> ngtcp2_callbacks {
        var callbacks = ngtcp2_callbacks()
        callbacks.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb
        callbacks.encrypt = ngtcp2_crypto_encrypt_cb
        callbacks.decrypt = ngtcp2_crypto_decrypt_cb
        callbacks.hp_mask = ngtcp2_crypto_hp_mask_cb
        callbacks.update_key = ngtcp2_crypto_update_key_cb
        callbacks.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb
        callbacks.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb
        callbacks.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb
        callbacks.version_negotiation = ngtcp2_crypto_version_negotiation_cb
        callbacks.rand = { destination, length, _ in
            _ = gnutls_rnd(GNUTLS_RND_RANDOM, destination, length)
        }
        callbacks.get_new_connection_id = { _, cid, token, length, userData in
            var bytes = [UInt8](repeating: 0, count: length)
            guard gnutls_rnd(GNUTLS_RND_RANDOM, &bytes, length) == 0,
                gnutls_rnd(GNUTLS_RND_RANDOM, token, Int(NGTCP2_STATELESS_RESET_TOKENLEN)) == 0
            else { return NGTCP2_ERR_CALLBACK_FAILURE }
            ngtcp2_cid_init(cid, bytes, length)
            if let connection = owner(userData) { connection.onNewConnectionID?(bytes, connection) }
            return 0
        }
        callbacks.recv_stream_data = { _, flags, stream, _, data, length, userData, _ in
            owner(userData)?.streamData(stream, flags, UnsafeRawBufferPointer(start: data, count: length))
            return 0
        }
        callbacks.acked_stream_data_offset = { _, _, offset, length, userData, _ in
            owner(userData)?.acknowledged(upTo: Int(offset + length))
            return 0
        }
        callbacks.stream_close = { _, flags, stream, code, userData, _ in
            let hasCode = flags & UInt32(NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET) != 0
            owner(userData)?.streamClosed(stream, resetBy: hasCode ? code : nil)
            return 0
        }
        callbacks.handshake_completed = { _, userData in
            owner(userData)?.completedHandshake()
            return 0
        }
        return callbacks
    }

    private static func addresses(of socket: Int32) throws(SessionSetupError) -> (sockaddr_storage, sockaddr_storage, socklen_t) {
        var local = sockaddr_storage()
        var peer = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var peerLength = localLength
        let gotLocal = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &localLength) }
        }
        let gotPeer = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket, $0, &peerLength) }
        }
        guard gotLocal == 0, gotPeer == 0 else {
            throw SessionSetupError("the QUIC client's socket has no peer", raw: RawResult(call: "getpeername", returnValue: -1, osError: errno))
        }
        return (local, peer, peerLength)
    }

    private static func check(_ call: String, _ status: Int32) throws(SessionSetupError) {
        guard status >= 0 else {
            throw SessionSetupError("\(call) failed: \(GnuTLSError.describe(status))", raw: GnuTLSSession.raw(call, status))
        }
    }

    static func setupError(_ call: String, _ status: Int32) -> SessionSetupError {
        SessionSetupError(
            "\(call) failed: \(String(cString: ngtcp2_strerror(status)))",
            raw: RawResult(call: call, returnValue: Int(status), code: Int(status), codeName: String(cString: ngtcp2_strerror(status))))
    }
}

/// The connection a callback's user data points at.
private func owner(_ userData: UnsafeMutableRawPointer?) -> NGTCP2Connection? {
    userData.map { Unmanaged<NGTCP2Connection>.fromOpaque($0).takeUnretainedValue() }
}
#endif
