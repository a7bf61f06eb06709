#if NGTCP2_GNUTLS
internal import CNGTCP2
import InteropCore

/// A QUIC connection on ngtcp2 + GnuTLS as the harness drives every session: each call first takes the datagrams
/// waiting on the socket (`pump`), then does what it is for and sends what the connection has ready; a retry outcome
/// waits for the socket or ngtcp2's expiry (`networkInterest`). One bidirectional stream carries the conversation.
final class NGTCP2Session: TLSSession, StreamSession, RetransmissionTimerControl {
    let connection: NGTCP2Connection
    /// Reads every datagram waiting on the socket and hands each to its connection.
    private let pump: () -> Void
    /// Keeps the socket (and, on a server, the listener) alive as long as the session.
    private let owner: AnyObject?

    init(_ connection: NGTCP2Connection, owner: AnyObject?, pump: @escaping () -> Void) {
        self.connection = connection
        self.owner = owner
        self.pump = pump
    }

    private func turn() {
        pump()
        connection.openStreamIfNeeded()
        connection.flush()
        connection.hasNews = false
    }

    func handshake() -> StepResult {
        turn()
        if connection.handshakeCompleted { return ok("ngtcp2_conn_get_handshake_completed", 0, returned: 1) }
        return ended("ngtcp2_conn_get_handshake_completed") ?? waiting("ngtcp2_conn_get_handshake_completed")
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> StepResult {
        turn()
        let count = connection.take(into: buffer)
        if count > 0 {
            connection.flush()
            return ok("recv_stream_data", count, returned: count)
        }
        if connection.finReceived { return StepResult(.eof(.clean), raw: RawResult(call: "recv_stream_data (FIN)", returnValue: 0)) }
        if connection.streamReset { return StepResult(.reset, raw: RawResult(call: "stream_close (RESET_STREAM)", returnValue: 0)) }
        return ended("recv_stream_data") ?? waiting("recv_stream_data")
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> StepResult {
        stream("ngtcp2_conn_writev_stream", bytes, concluding: false)
    }

    func writeConcluding(_ bytes: UnsafeRawBufferPointer) -> StepResult {
        stream("ngtcp2_conn_writev_stream(NGTCP2_WRITE_STREAM_FLAG_FIN)", bytes, concluding: true)
    }

    func concludeStream() -> StepResult {
        stream("ngtcp2_conn_writev_stream(NGTCP2_WRITE_STREAM_FLAG_FIN)", UnsafeRawBufferPointer(start: nil, count: 0), concluding: true)
    }

    /// Writing takes the bytes into the stream at once (ngtcp2 sends them as flow control and congestion allow,
    /// from the session's own copy); a client's stream exists only once the handshake has completed.
    private func stream(_ call: String, _ bytes: UnsafeRawBufferPointer, concluding: Bool) -> StepResult {
        turn()
        if let failure = ended(call) { return failure }
        guard connection.streamID >= 0 else { return waiting(call) }
        connection.append(bytes)
        if concluding { connection.requestFin() }
        connection.flush()
        return ok(call, bytes.count, returned: bytes.count)
    }

    /// Waits until everything written is acknowledged (the stream's flush), then sends CONNECTION_CLOSE with
    /// NO_ERROR: 0 (`closeNotifySent`) while waiting, 1 (`closeComplete`) once the close is out.
    func shutdown(_ mode: ShutdownMode) -> StepResult {
        turn()
        if connection.close == nil && !connection.allAcknowledged {
            return StepResult(.closeNotifySent, raw: RawResult(call: "acked_stream_data_offset (waiting)", returnValue: 0))
        }
        if connection.close == nil { connection.closeGracefully() }
        return StepResult(.closeComplete, raw: RawResult(call: "ngtcp2_conn_write_connection_close", returnValue: 1, reason: connection.close?.description))
    }

    func requestKeyUpdate() -> StepResult {
        StepResult(.localError, raw: RawResult(call: "ngtcp2_conn_initiate_key_update (not a step of the QUIC cells)", returnValue: -1))
    }

    var pendingBytes: Int { connection.pendingInbound }

    /// ngtcp2 never holds a packet it could not send (the harness sends each as it is written), so the wait is for
    /// the socket to be readable, or for the expiry.
    var networkInterest: NetworkInterest {
        NetworkInterest(wantsRead: true, wantsWrite: false, timer: retransmissionTimer, reading: timerReading)
    }

    /// ngtcp2's expiry; at most 10 ms on a server's shared socket, where another connection's session may have read
    /// this one's datagrams while it waited.
    var retransmissionTimer: Duration? {
        if connection.hasNews { return .zero }
        let expiry = connection.expiry.map { deadline -> Duration in
            let now = NGTCP2Connection.now()
            return deadline > now ? .nanoseconds(Int64(deadline - now)) : .zero
        }
        guard connection.role == .server else { return expiry }
        return min(expiry ?? .milliseconds(10), .milliseconds(10))
    }

    var timerReading: String {
        let expiry = connection.expiry.map { deadline -> String in
            let now = NGTCP2Connection.now()
            return deadline > now ? "\((deadline - now) / 1_000_000) ms" : "due"
        }
        return "ngtcp2_conn_get_expiry=" + (expiry ?? "none")
    }

    func handleTimeout() -> StepResult {
        pump()
        let status = connection.handleExpiry()
        return StepResult(status == 0 ? .ok(1) : .protocolError, raw: RawResult(
            call: "ngtcp2_conn_handle_expiry", returnValue: Int(status), code: status == 0 ? nil : Int(status),
            codeName: status == 0 ? nil : String(cString: ngtcp2_strerror(status))))
    }

    var negotiatedALPN: String? { connection.negotiatedALPN }

    var negotiatedVersion: ProtocolVersion? { connection.handshakeCompleted ? .quic : nil }

    /// A QUIC handshake failure is a CONNECTION_CLOSE carrying CRYPTO_ERROR 0x100 + the alert (RFC 9001 §4.8).
    var alerts: [AlertEvent] {
        guard let close = connection.close, let alert = close.tlsAlert else { return [] }
        return [AlertEvent(direction: close.isLocal ? .sent : .received, level: 2, code: alert, inferred: true)]
    }

    var notes: [String] { connection.notes + (connection.close.map { [$0.description] } ?? []) }

    // MARK: Results

    private func ok(_ call: String, _ count: Int, returned: Int) -> StepResult {
        StepResult(.ok(count), raw: RawResult(call: call, returnValue: returned))
    }

    private func waiting(_ call: String) -> StepResult {
        StepResult(.wantRead, raw: RawResult(call: call, returnValue: 0, reason: "waiting for the network or ngtcp2's timer"))
    }

    /// The outcome of a connection that has closed, as its close says; nil while it is open.
    private func ended(_ call: String) -> StepResult? {
        guard let close = connection.close else { return nil }
        let outcome: Outcome
        if let alert = close.tlsAlert {
            outcome = close.isLocal ? .alertSent(alert) : .alertReceived(alert)
        } else if close.kind == .application && !close.isLocal {
            // The peer's application closed the connection before ending the stream: data may be cut short.
            outcome = .eof(.unexpected)
        } else {
            outcome = .protocolError
        }
        let code = close.libraryError == 0 ? nil : Int(close.libraryError)
        return StepResult(outcome, raw: RawResult(
            call: call, returnValue: Int(close.libraryError), code: code,
            codeName: code.map { _ in String(cString: ngtcp2_strerror(close.libraryError)) }, reason: close.description))
    }
}
#endif
