internal import COpenSSL
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// The QUIC server guide's listener: one nonblocking UDP socket on loopback, `SSL_new_listener` on it, and
/// `SSL_accept_connection` handing out each connection once the listener's engine has completed its handshake.
public final class QUICListener: BoundListener {
    public let address: LoopbackAddress
    public var fileDescriptor: Int32 { socket.fileDescriptor }
    private let socket: SocketDescriptor
    private let symbols: QUICSymbols
    private let context: OpaquePointer
    private let listener: OpaquePointer
    /// Bound to this listener's context; must outlive it.
    private let policy: QUICALPNPolicy

    init(settings: EndpointSettings) throws(SessionSetupError) {
        switch QUICSymbols.linked {
        case .success(let symbols): self.symbols = symbols
        case .failure(let missing):
            throw SessionSetupError("the linked OpenSSL has no \(missing.name)", raw: RawResult(call: "dlsym", returnValue: 0))
        }
        do {
            (socket, address) = try SocketDescriptor.udpBound()
        } catch {
            throw SessionSetupError("cannot bind a UDP socket on loopback", raw: RawResult(call: error.call, returnValue: -1, osError: error.code))
        }
        policy = QUICALPNPolicy(accepted: settings.alpn)
        // A context of its own: its ALPN callback answers for this listener alone, whatever else runs in the process.
        context = try OpenSSLContextCache.make(settings)
        SSL_CTX_set_alpn_select_cb(context, quicSelectALPN, Unmanaged.passUnretained(policy).toOpaque())
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        guard let listener = symbols.newListener(context, 0) else {
            SSL_CTX_free(context)
            throw SessionSetupError("SSL_new_listener failed", raw: RawResult(call: "SSL_new_listener", returnValue: 0, reason: OpenSSLErrorQueue.drain()))
        }
        self.listener = listener
        guard SSL_set_fd(listener, socket.fileDescriptor) == 1, symbols.setBlockingMode(listener, 0) == 1,
            symbols.listen(listener) == 1
        else {
            throw SessionSetupError("cannot start the QUIC listener", raw: RawResult(call: "SSL_listen", returnValue: 0, reason: OpenSSLErrorQueue.drain()))
        }
    }

    deinit {
        SecretLogRegistry.remove(context)
        SSL_free(listener)
        SSL_CTX_free(context)
    }

    public func accept() throws(SocketError) -> (any RawConnection)? {
        ERR_clear_error()
        guard let connection = symbols.acceptConnection(listener, 0) else { return nil }
        let session = QUICSession(accepted: connection, symbols: symbols) { [policy] in policy.takeNotes() }
        return AcceptedQUICConnection(socket: socket.fileDescriptor, session: session)
    }

    public var acceptReadiness: Readiness {
        symbols.interest(listener).readiness(on: socket.fileDescriptor)
    }
}

extension QUICListener: SecretLogging {
    /// Its connections derive their secrets before `SSL_accept_connection` hands them out: found by this
    /// listener's own context.
    public func logSecrets(to log: SecretLog) { SecretLogRegistry.register(context, log) }
}
