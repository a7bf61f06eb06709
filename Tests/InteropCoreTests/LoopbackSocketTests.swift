import Glibc
import InteropCore
import Testing

@Suite struct LoopbackSocketTests {
    @Test(arguments: [LoopbackAddress.Family.ipv4, .ipv6])
    func listenerGetsAnEphemeralLoopbackPort(family: LoopbackAddress.Family) throws {
        let listener = try TCPListener(family: family)
        #expect(listener.address.port != 0)
        #expect(listener.address.family == family)
        #expect(try listener.acceptSocket() == nil)
    }

    @Test func connectThenAcceptGivesANonblockingSocket() throws {
        let (client, server) = try connectedTCPPair()
        #expect(fcntl(server.fileDescriptor, F_GETFL) & O_NONBLOCK != 0)
        var byte: UInt8 = 0
        #expect(recv(server.fileDescriptor, &byte, 1, 0) == -1 && errno == EAGAIN)
        #expect(client.pendingError() == 0)
    }

    @Test func closeReleasesTheDescriptorOnce() throws {
        let socket = try SocketDescriptor.tcp()
        #expect(socket.fileDescriptor >= 0)
        socket.close()
        #expect(!socket.isOpen)
        #expect(socket.fileDescriptor == -1)
        socket.close()
        #expect(socket.fileDescriptor == -1)
    }

    @Test func pollReportsTimeoutAsNotReady() throws {
        let listener = try TCPListener()
        #expect(Poller.wait(for: [.readable(listener.socket.fileDescriptor)], timeoutMilliseconds: 1) == [false])
    }
}
