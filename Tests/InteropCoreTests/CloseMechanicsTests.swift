import Glibc
import InteropCore
import Testing

/// FIN, RST and half-close as the peer's socket sees them, not as the calls claim.
@Suite struct CloseMechanicsTests {
    /// A connected loopback pair: (client side, server side).
    func connectedPair() throws -> (SocketDescriptor, SocketDescriptor) {
        let listener = try TCPListener()
        let client = try SocketDescriptor.tcp()
        try startConnect(client, to: listener.address)
        for _ in 0..<100 {
            _ = Poller.wait(for: [.readable(listener.socket.fileDescriptor)], timeoutMilliseconds: 50)
            if let server = try listener.acceptSocket() { return (client, server) }
        }
        throw SocketError("accept", errno: ETIMEDOUT)
    }

    /// Waits for the socket to become readable, then makes one raw `recv`.
    func receiveOnce(_ socket: SocketDescriptor) -> SystemCallResult<Int> {
        _ = Poller.wait(for: [.readable(socket.fileDescriptor)], timeoutMilliseconds: 2000)
        var buffer = [UInt8](repeating: 0, count: 64)
        return buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
    }

    func send(_ socket: SocketDescriptor, _ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { socket.send($0) }
    }

    @Test func shutdownWriteSendsFinAndKeepsTheOtherDirection() throws {
        let (client, server) = try connectedPair()
        try server.shutdownWrite()
        guard case .done(0) = receiveOnce(client) else { Issue.record("client did not see FIN"); return }
        send(client, "still open")
        guard case .done(10) = receiveOnce(server) else { Issue.record("half-closed server could not read"); return }
    }

    @Test func closeWithResetSendsRst() throws {
        let (client, server) = try connectedPair()
        try server.closeWithReset()
        guard case .failed(let code) = receiveOnce(client) else { Issue.record("client did not see RST"); return }
        #expect(code == ECONNRESET)
    }

    @Test func closingWithUnreadBytesSendsRst() throws {
        let (client, server) = try connectedPair()
        send(client, "unread")
        _ = Poller.wait(for: [.readable(server.fileDescriptor)], timeoutMilliseconds: 2000)
        #expect(server.pendingInputCount() == 6)
        server.close()
        guard case .failed(let code) = receiveOnce(client) else { Issue.record("client did not see RST"); return }
        #expect(code == ECONNRESET)
    }

    @Test func closingAfterReadingEverythingSendsFin() throws {
        let (client, server) = try connectedPair()
        send(client, "read")
        guard case .done(4) = receiveOnce(server) else { Issue.record("server read failed"); return }
        server.close()
        guard case .done(0) = receiveOnce(client) else { Issue.record("client did not see FIN"); return }
    }
}

@Suite struct InterposedTransportTests {
    @Test func refusedWritesAreCountedAndTouchNothing() throws {
        let pair = try CloseMechanicsTests().connectedPair()
        let transport = InterposedTransport(socket: pair.0)
        transport.writeRefusalsPending = 2
        let bytes = Array("abc".utf8)
        let first = bytes.withUnsafeBytes { transport.send($0) }
        let second = bytes.withUnsafeBytes { transport.send($0) }
        let third = bytes.withUnsafeBytes { transport.send($0) }
        #expect([first, second, third] == [.wouldBlock, .wouldBlock, .transferred(3)])
        #expect(transport.injectedRefusals[.write] == 2)
        #expect(transport.lastRefusal == .write)
        #expect(transport.bytesSent == 3)
        _ = Poller.wait(for: [.readable(pair.1.fileDescriptor)], timeoutMilliseconds: 2000)
        #expect(pair.1.pendingInputCount() == 3)
    }

    @Test func emptySocketIsARefusedReadAndFinIsEndOfStream() throws {
        let (client, server) = try CloseMechanicsTests().connectedPair()
        let transport = InterposedTransport(socket: client)
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(buffer.withUnsafeMutableBytes { transport.receive(into: $0) } == .wouldBlock)
        #expect(transport.refusals[.read] == 1)
        #expect(transport.injectedRefusals[.read] == nil)
        try server.shutdownWrite()
        _ = Poller.wait(for: [.readable(client.fileDescriptor)], timeoutMilliseconds: 2000)
        #expect(buffer.withUnsafeMutableBytes { transport.receive(into: $0) } == .endOfStream)
        #expect(transport.sawEndOfStream)
    }
}

extension SystemCallResult: Equatable where Value: Equatable {
    public static func == (lhs: SystemCallResult, rhs: SystemCallResult) -> Bool {
        switch (lhs, rhs) {
        case (.done(let a), .done(let b)): a == b
        case (.wouldBlock, .wouldBlock): true
        case (.failed(let a), .failed(let b)): a == b
        default: false
        }
    }
}
