internal import COpenSSL
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// One QUIC connection on OpenSSL 3.5 in its default stream mode (one bidirectional stream, read and written
/// through the connection object), nonblocking, with OpenSSL doing the UDP I/O itself.
final class QUICSession: TLSSession, RetransmissionTimerControl, StreamSession {
    private let symbols: QUICSymbols
    private let ssl: OpaquePointer
    private(set) var notes: [String]
    private var handshakeCompleted = false
    /// The connection's close as the library reports it, once it has closed (`SSL_get_conn_close_info`).
    private var closeInfo: ConnectionClose?

    /// A client on a UDP socket connected to the server.
    init(client settings: EndpointSettings, socket: Int32, symbols: QUICSymbols) throws(SessionSetupError) {
        self.symbols = symbols
        notes = []
        ERR_clear_error()
        let context = try OpenSSLContextCache.shared.context(for: settings)
        guard let ssl = SSL_new(context) else {
            throw SessionSetupError("SSL_new failed", raw: Self.setupFailure("SSL_new", 0))
        }
        self.ssl = ssl
        let credentials = settings.credentials
        guard COpenSSL_SSL_set_tlsext_host_name(ssl, credentials.serverName) == 1,
            SSL_set1_host(ssl, credentials.serverName) == 1
        else {
            throw SessionSetupError("cannot set server name", raw: Self.setupFailure("SSL_set1_host", 0))
        }
        // QUIC requires ALPN; an empty list is still passed so that the library, not the harness, refuses it.
        let wire = ALPNWireFormat.encode(settings.alpn)
        let status = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
        guard status == 0 else {
            throw SessionSetupError("OpenSSL rejected the ALPN list \(settings.alpn)", raw: Self.setupFailure("SSL_set_alpn_protos", Int(status)))
        }
        // SSL_set_fd gives a QUIC object a datagram BIO; the initial peer address is what the client guide sets.
        guard SSL_set_fd(ssl, socket) == 1 else {
            throw SessionSetupError("SSL_set_fd failed", raw: Self.setupFailure("SSL_set_fd", 0))
        }
        guard let peer = Self.peerAddress(of: socket) else {
            throw SessionSetupError("the QUIC client's socket has no peer", raw: RawResult(call: "getpeername", returnValue: -1, osError: errno))
        }
        defer { BIO_ADDR_free(peer) }
        guard symbols.setInitialPeerAddress(ssl, peer) == 1 else {
            throw SessionSetupError("SSL_set1_initial_peer_addr failed", raw: Self.setupFailure("SSL_set1_initial_peer_addr", 0))
        }
        guard symbols.setBlockingMode(ssl, 0) == 1 else {
            throw SessionSetupError("SSL_set_blocking_mode failed", raw: Self.setupFailure("SSL_set_blocking_mode", 0))
        }
        if let idle = settings.quicIdleTimeout {
            let milliseconds = UInt64(idle.components.seconds) * 1000 + UInt64(idle.components.attoseconds / 1_000_000_000_000_000)
            guard let setValue = symbols.setValue,
                setValue(ssl, QUICSymbols.valueClassFeatureRequest, QUICSymbols.valueQUICIdleTimeout, milliseconds) == 1
            else {
                throw SessionSetupError(
                    "cannot ask for a \(milliseconds) ms idle timeout", raw: Self.setupFailure("SSL_set_feature_request_uint(SSL_VALUE_QUIC_IDLE_TIMEOUT)", 0))
            }
        }
    }

    /// A connection `SSL_accept_connection` returned; nonblocking like the listener it came from. The listener
    /// may hand it out before its handshake is done, so what the listener's ALPN callback sees keeps arriving.
    init(accepted ssl: OpaquePointer, symbols: QUICSymbols, listenerNotes: @escaping () -> [String]) {
        self.ssl = ssl
        self.symbols = symbols
        self.listenerNotes = listenerNotes
        notes = listenerNotes()
    }

    private var listenerNotes: () -> [String] = { [] }

    deinit {
        SecretLogRegistry.remove(ssl)
        SSL_free(ssl)
    }

    private static func peerAddress(of socket: Int32) -> OpaquePointer? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let found = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket, $0, &length) }
        }
        guard found == 0, let address = BIO_ADDR_new() else { return nil }
        let made: Int32 = withUnsafeMutablePointer(to: &storage) { pointer in
            if Int32(pointer.pointee.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet6 in
                    withUnsafePointer(to: &inet6.pointee.sin6_addr) {
                        BIO_ADDR_rawmake(address, AF_INET6, $0, MemoryLayout<in6_addr>.size, inet6.pointee.sin6_port)
                    }
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                withUnsafePointer(to: &inet.pointee.sin_addr) {
                    BIO_ADDR_rawmake(address, AF_INET, $0, MemoryLayout<in_addr>.size, inet.pointee.sin_port)
                }
            }
        }
        guard made == 1 else {
            BIO_ADDR_free(address)
            return nil
        }
        return address
    }

    // MARK: Operations

    func handshake() -> StepResult {
        let result = perform("SSL_do_handshake", { SSL_do_handshake(ssl) }) { $0 == 1 ? .ok(0) : nil }
        if result.outcome == .ok(0) { handshakeCompleted = true }
        return result
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> StepResult {
        var count = 0
        return perform("SSL_read_ex", { SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count) }) { $0 == 1 ? .ok(count) : nil }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> StepResult {
        var count = 0
        return perform("SSL_write_ex", { SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &count) }) { $0 == 1 ? .ok(count) : nil }
    }

    func writeConcluding(_ bytes: UnsafeRawBufferPointer) -> StepResult {
        var count = 0
        return perform("SSL_write_ex2(SSL_WRITE_FLAG_CONCLUDE)", {
            symbols.writeEx2(ssl, bytes.baseAddress, bytes.count, QUICSymbols.writeFlagConclude, &count)
        }) { $0 == 1 ? .ok(count) : nil }
    }

    func concludeStream() -> StepResult {
        perform("SSL_stream_conclude", { symbols.streamConclude(ssl, 0) }) { $0 == 1 ? .ok(0) : nil }
    }

    /// `SSL_shutdown` on a QUIC connection: 0 while the stream flush and CONNECTION_CLOSE are in progress, 1 once
    /// the connection is terminated. Both modes call it until 1; `closeNotify` stops at the first call.
    func shutdown(_ mode: ShutdownMode) -> StepResult {
        var result = perform("SSL_shutdown", { SSL_shutdown(ssl) }, success: OpenSSLSession.shutdownOutcome)
        // SSL_shutdown returns 1 alike for the peer's CONNECTION_CLOSE and for an idle timeout (Q8): how the
        // connection ended is in SSL_get_conn_close_info.
        if result.outcome == .closeComplete, let close = ConnectionClose(ssl, symbols) {
            result.raw.reason = "SSL_get_conn_close_info: \(close)"
        }
        return result
    }

    func requestKeyUpdate() -> StepResult {
        StepResult(.localError, raw: RawResult(call: "SSL_key_update (QUIC key updates are the library's own)", returnValue: -1))
    }

    var pendingBytes: Int { Int(SSL_pending(ssl)) }

    var networkInterest: NetworkInterest { symbols.interest(ssl) }

    var retransmissionTimer: Duration? { symbols.interest(ssl).timer }

    var timerReading: String { symbols.interest(ssl).description }

    func handleTimeout() -> StepResult {
        perform("SSL_handle_events", { symbols.handleEvents(ssl) }) { $0 == 1 ? .ok(1) : nil }
    }

    var negotiatedALPN: String? { OpenSSLSession.selectedALPN(ssl) }

    var negotiatedVersion: ProtocolVersion? { handshakeCompleted ? .quic : nil }

    /// A QUIC handshake failure is no TLS alert record but a CONNECTION_CLOSE carrying CRYPTO_ERROR 0x100 + the alert
    /// (RFC 9001 §4.8); that is the alert this end sent or received, inferred from the close the library reports.
    var alerts: [AlertEvent] {
        guard let close = currentClose(), let alert = close.tlsAlert else { return [] }
        return [AlertEvent(direction: close.isLocal ? .sent : .received, level: 2, code: alert, inferred: true)]
    }

    // MARK: Results

    private func currentClose() -> ConnectionClose? {
        if closeInfo == nil { closeInfo = ConnectionClose(ssl, symbols) }
        return closeInfo
    }

    /// `invoke` returns exactly what the library returned: the trace records it and `SSL_get_error` is given it.
    private func perform(_ call: String, _ invoke: () -> Int32, success: (Int32) -> Outcome?) -> StepResult {
        defer { notes += listenerNotes() }
        ERR_clear_error()
        errno = 0
        let returned = invoke()
        if let outcome = success(returned) {
            return StepResult(outcome, raw: RawResult(call: call, returnValue: Int(returned), code: 0, codeName: "SSL_ERROR_NONE"))
        }
        let savedErrno = errno
        return mapFailure(call: call, returnValue: returned, savedErrno: savedErrno)
    }

    /// The one place where `SSL_get_error`, the stream's read state and the connection's close become an outcome.
    private func mapFailure(call: String, returnValue: Int32, savedErrno: Int32) -> StepResult {
        let error = SSL_get_error(ssl, returnValue)
        let packed = ERR_peek_error()
        let queue = packed == 0 ? nil : OpenSSLErrorQueue.drain()
        let streamState = symbols.streamReadState(ssl)
        let close = error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? nil : currentClose()
        var details = ["stream read state \(QUICSymbols.streamStateNames[Int(streamState)] ?? "\(streamState)")"]
        if let close { details.append(close.description) }
        if let queue { details.append(queue) }
        let raw = RawResult(
            call: call, returnValue: Int(returnValue), code: Int(error), codeName: OpenSSLSession.errorName(error),
            reasonCode: packed == 0 ? nil : Int(ERR_GET_REASON(packed)), reason: details.joined(separator: "; "),
            osError: savedErrno == 0 ? nil : savedErrno)
        let outcome: Outcome
        switch error {
        case SSL_ERROR_WANT_READ: outcome = .wantRead
        case SSL_ERROR_WANT_WRITE: outcome = .wantWrite
        // The peer ended the stream (FIN): QUIC's clean end of data.
        case SSL_ERROR_ZERO_RETURN: outcome = .eof(.clean)
        default:
            if streamState == QUICSymbols.streamStateResetRemote {
                outcome = .reset
            } else if error == SSL_ERROR_SYSCALL {
                // The network failed under the connection (e.g. ICMP port unreachable once the peer's process is
                // gone: "network BIO I/O error"), and the library closed it locally: QUIC's reset.
                outcome = .reset
            } else if let close, let alert = close.tlsAlert {
                outcome = close.isLocal ? .alertSent(alert) : .alertReceived(alert)
            } else if let close, !close.isLocal, !close.isTransport {
                // The peer's application closed the connection before ending the stream (or before opening one):
                // the stream's data may be cut short, as with a TLS close without close_notify.
                outcome = .eof(.unexpected)
            } else {
                outcome = .protocolError
            }
        }
        return StepResult(outcome, raw: raw)
    }

    private static func setupFailure(_ call: String, _ returnValue: Int) -> RawResult {
        let packed = ERR_peek_error()
        return RawResult(
            call: call, returnValue: returnValue, reasonCode: packed == 0 ? nil : Int(ERR_GET_REASON(packed)),
            reason: packed == 0 ? nil : OpenSSLErrorQueue.drain())
    }
}

extension QUICSession: SecretLogging {
    func logSecrets(to log: SecretLog) { SecretLogRegistry.register(ssl, log) }
}
