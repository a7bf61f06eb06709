import InteropCore
import Testing

/// A client socket connected to a loopback listener, and the server's accepted end, both nonblocking.
func connectedTCPPair() throws -> (client: SocketDescriptor, server: SocketDescriptor) {
    let listener = try TCPListener()
    let client = try SocketDescriptor.tcp()
    try startConnect(client, to: listener.address)
    var accepted: SocketDescriptor?
    for _ in 0..<100 where accepted == nil {
        _ = Poller.wait(for: [.readable(listener.socket.fileDescriptor)], timeoutMilliseconds: 100)
        accepted = try listener.acceptSocket()
    }
    return (client, try #require(accepted))
}
