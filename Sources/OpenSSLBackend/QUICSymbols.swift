import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// OpenSSL's QUIC calls (client 3.2+, listener 3.5+), found at run time: the default build compiles against
/// bookworm's 3.0 headers, which declare none of them, and the same source serves the 3.5 build.
struct QUICSymbols: @unchecked Sendable {
    typealias Method = @convention(c) () -> OpaquePointer?
    typealias NewListener = @convention(c) (OpaquePointer?, UInt64) -> OpaquePointer?
    typealias AcceptConnection = @convention(c) (OpaquePointer?, UInt64) -> OpaquePointer?
    typealias SSLCall = @convention(c) (OpaquePointer?) -> Int32
    typealias SetBlockingMode = @convention(c) (OpaquePointer?, Int32) -> Int32
    typealias SetPeerAddress = @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    typealias WriteEx2 = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, UInt64, UnsafeMutablePointer<Int>?) -> Int32
    typealias EventTimeout = @convention(c) (OpaquePointer?, UnsafeMutablePointer<timeval>?, UnsafeMutablePointer<Int32>?) -> Int32
    typealias StreamConclude = @convention(c) (OpaquePointer?, UInt64) -> Int32
    typealias ConnectionCloseInfo = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int) -> Int32
    typealias SetValue = @convention(c) (OpaquePointer?, UInt32, UInt32, UInt64) -> Int32

    let clientMethod: Method
    let serverMethod: Method
    let newListener: NewListener
    let listen: SSLCall
    let acceptConnection: AcceptConnection
    let setBlockingMode: SetBlockingMode
    let setInitialPeerAddress: SetPeerAddress
    let writeEx2: WriteEx2
    let netReadDesired: SSLCall
    let netWriteDesired: SSLCall
    let eventTimeout: EventTimeout
    let handleEvents: SSLCall
    let streamConclude: StreamConclude
    let streamReadState: SSLCall
    let connectionCloseInfo: ConnectionCloseInfo
    /// `SSL_set_value_uint` (3.4+); nil in a build without it, where a cell that needs it says so.
    let setValue: SetValue?
    /// `SSL_VALUE_CLASS_FEATURE_REQUEST`, `SSL_VALUE_QUIC_IDLE_TIMEOUT`.
    static let valueClassFeatureRequest: UInt32 = 1
    static let valueQUICIdleTimeout: UInt32 = 5

    /// `SSL_WRITE_FLAG_CONCLUDE`.
    static let writeFlagConclude: UInt64 = 1
    /// `SSL_STREAM_STATE_*`, for the trace.
    static let streamStateNames = [
        0: "NONE", 1: "OK", 2: "WRONG_DIR", 3: "FINISHED", 4: "RESET_LOCAL", 5: "RESET_REMOTE", 6: "CONN_CLOSED",
    ]
    static let streamStateFinished: Int32 = 3
    static let streamStateResetRemote: Int32 = 5
    static let streamStateConnectionClosed: Int32 = 6
    /// `SSL_CONN_CLOSE_FLAG_LOCAL`, `SSL_CONN_CLOSE_FLAG_TRANSPORT`.
    static let closeFlagLocal: UInt32 = 1
    static let closeFlagTransport: UInt32 = 2

    /// The linked libssl's QUIC calls, or nil when it lacks any of them (the reason names the first missing).
    static let linked: Result<QUICSymbols, MissingSymbol> = load()

    struct MissingSymbol: Error {
        let name: String
    }

    private static func load() -> Result<QUICSymbols, MissingSymbol> {
        func find<T>(_ name: String, as type: T.Type) throws(MissingSymbol) -> T {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { throw MissingSymbol(name: name) }
            return unsafeBitCast(symbol, to: type)
        }
        do throws(MissingSymbol) {
            return .success(
                QUICSymbols(
                    clientMethod: try find("OSSL_QUIC_client_method", as: Method.self),
                    serverMethod: try find("OSSL_QUIC_server_method", as: Method.self),
                    newListener: try find("SSL_new_listener", as: NewListener.self),
                    listen: try find("SSL_listen", as: SSLCall.self),
                    acceptConnection: try find("SSL_accept_connection", as: AcceptConnection.self),
                    setBlockingMode: try find("SSL_set_blocking_mode", as: SetBlockingMode.self),
                    setInitialPeerAddress: try find("SSL_set1_initial_peer_addr", as: SetPeerAddress.self),
                    writeEx2: try find("SSL_write_ex2", as: WriteEx2.self),
                    netReadDesired: try find("SSL_net_read_desired", as: SSLCall.self),
                    netWriteDesired: try find("SSL_net_write_desired", as: SSLCall.self),
                    eventTimeout: try find("SSL_get_event_timeout", as: EventTimeout.self),
                    handleEvents: try find("SSL_handle_events", as: SSLCall.self),
                    streamConclude: try find("SSL_stream_conclude", as: StreamConclude.self),
                    streamReadState: try find("SSL_get_stream_read_state", as: SSLCall.self),
                    connectionCloseInfo: try find("SSL_get_conn_close_info", as: ConnectionCloseInfo.self),
                    setValue: try? find("SSL_set_value_uint", as: SetValue.self)))
        } catch {
            return .failure(error)
        }
    }

    /// What `SSL_net_read_desired`, `SSL_net_write_desired` and `SSL_get_event_timeout` say about `ssl` now.
    func interest(_ ssl: OpaquePointer) -> NetworkInterest {
        var remaining = timeval()
        var infinite: Int32 = 0
        let timer: Duration? =
            eventTimeout(ssl, &remaining, &infinite) == 1 && infinite == 0
            ? .seconds(Int64(remaining.tv_sec)) + .microseconds(Int64(remaining.tv_usec)) : nil
        return NetworkInterest(wantsRead: netReadDesired(ssl) == 1, wantsWrite: netWriteDesired(ssl) == 1, timer: timer)
    }
}
