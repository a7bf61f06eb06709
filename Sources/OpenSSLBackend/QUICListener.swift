internal import COpenSSL
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// The QUIC server guide's listener: one nonblocking UDP socket on loopback, `SSL_new_listener` on it, and
/// `SSL_accept_connection` handing out each connection once the listener's engine has completed its handshake.
public final class QUICListener: BoundListener {
    public let address: LoopbackAddress
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

/// The guide's ALPN rule for a listener: the first of the server's protocols the client offers, or a fatal
/// no_application_protocol. Keeps what it saw, for the connection the listener hands out next.
final class QUICALPNPolicy {
    private let accepted: UnsafeMutableBufferPointer<UInt8>
    private(set) var notes: [String] = []

    init(accepted protocols: [String]) {
        let wire = ALPNWireFormat.encode(protocols)
        accepted = .allocate(capacity: max(wire.count, 1))
        _ = accepted.initialize(from: wire)
    }

    deinit {
        accepted.deallocate()
    }

    func takeNotes() -> [String] {
        defer { notes = [] }
        return notes
    }

    func select(
        _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
        _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32
    ) -> Int32 {
        notes.append("ALPN select callback called (client offered \(ALPNWireFormat.describe(offered, offeredLength)))")
        var selected: UnsafeMutablePointer<UInt8>?
        let status = SSL_select_next_proto(&selected, outLength, accepted.baseAddress, UInt32(accepted.count), offered, offeredLength)
        guard status == OPENSSL_NPN_NEGOTIATED, let selected else {
            notes.append("ALPN select callback returned SSL_TLSEXT_ERR_ALERT_FATAL")
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
        out?.pointee = UnsafePointer(selected)
        return SSL_TLSEXT_ERR_OK
    }
}

/// `SSL_CTX_set_alpn_select_cb` for a QUIC listener: the policy comes in the callback's argument, because the
/// connection object is the listener's creation and carries no application data of the harness.
private func quicSelectALPN(
    _ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
    _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32, _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let argument else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    return Unmanaged<QUICALPNPolicy>.fromOpaque(argument).takeUnretainedValue().select(out, outLength, offered, offeredLength)
}

/// A connection of a QUIC listener: the listener's socket, shared, and the session the listener made.
final class AcceptedQUICConnection: SessionCarryingConnection {
    let fileDescriptor: Int32
    let session: any TLSSession
    private(set) var isOpen = true

    init(socket: Int32, session: any TLSSession) {
        fileDescriptor = socket
        self.session = session
    }

    func readiness(_ direction: TransportDirection) -> Readiness {
        direction == .read ? .readable(fileDescriptor) : .writable(fileDescriptor)
    }

    func wouldBlock(_ direction: TransportDirection) -> Bool {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(direction == .read ? POLLIN : POLLOUT), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    // The socket carries every connection of the listener: raw socket steps have no meaning on one of them.
    func receiveRaw(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult { .failed(EOPNOTSUPP) }
    func sendRaw(_ bytes: UnsafeRawBufferPointer) -> TransportResult { .failed(EOPNOTSUPP) }

    func finishWriting() throws(SocketError) {
        throw SocketError("FIN on a QUIC listener's shared socket", errno: EOPNOTSUPP)
    }

    func closeWithReset() throws(SocketError) {
        throw SocketError("RST on a QUIC listener's shared socket", errno: EOPNOTSUPP)
    }

    /// The socket stays open for the listener's next connection.
    func close() {
        isOpen = false
    }
}
