import InteropCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The UDP relay that applies QUIC cells' datagram faults, asserted on real loopback sockets: what each side
/// receives, in what order, and what the log says.
@Suite struct UDPRelayTests {
    /// Reads every datagram waiting on `socket`, with the sender's port.
    func drain(_ socket: SocketDescriptor) -> [(bytes: [UInt8], port: UInt16)] {
        var received: [(bytes: [UInt8], port: UInt16)] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while true {
            var source = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = withUnsafeMutablePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket.fileDescriptor, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count >= 0 else { return received }
            received.append((Array(buffer[0..<count]), UInt16(bigEndian: source.sin_port)))
        }
    }

    func settle(_ relay: UDPRelay) {
        // Loopback delivery is immediate but not synchronous with sendto; a few short polls let it land.
        for _ in 0..<5 {
            _ = Poller.wait(for: [.readable(relayDescriptor(relay))], timeoutMilliseconds: 20)
            _ = relay.advance()
        }
    }

    func relayDescriptor(_ relay: UDPRelay) -> Int32 {
        if case .readable(let fd) = relay.advance() { return fd }
        return -1
    }

    @Test func appliesEachDirectionsFaultsByOrdinalAndLogsPacketTypes() throws {
        let (server, serverAddress) = try SocketDescriptor.udpBound()
        let relay = try UDPRelay(
            server: serverAddress, clientFaults: DatagramFaults(drop: [2], duplicate: [3], reorder: [4]),
            serverFaults: DatagramFaults(drop: [1]), seed: 7)
        let client = try QUICDialer(address: relay.address).open() as! SocketDescriptor
        // First bytes: 0xC0 a long-header Initial, 0x40 a short-header 1-RTT packet.
        for ordinal in 1...5 {
            _ = [UInt8]([ordinal == 1 ? 0xC0 : 0x40, UInt8(ordinal)]).withUnsafeBytes { client.send($0) }
            settle(relay)
        }
        let atServer = drain(server)
        #expect(atServer.map { $0.bytes[1] } == [1, 3, 3, 5, 4])
        #expect(Set(atServer.map(\.port)).count == 1)

        let relayPort = try #require(atServer.first?.port)
        for ordinal in [UInt8(0xF0), 0x40] {
            _ = [ordinal, 9].withUnsafeBytes { bytes in
                LoopbackAddress(port: relayPort).withSocketAddressForBinding {
                    sendto(server.fileDescriptor, bytes.baseAddress, bytes.count, 0, $0, $1)
                }
            }
            settle(relay)
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        var atClient: [[UInt8]] = []
        while case .done(let count) = buffer.withUnsafeMutableBytes({ client.receive(into: $0) }) {
            atClient.append(Array(buffer[0..<count]))
        }
        #expect(atClient == [[0x40, 9]])

        #expect(relay.clientLog.map(\.fate) == [.delivered, .dropped, .duplicated, .reordered, .delivered])
        #expect(relay.clientLog.map(\.packetType) == ["Initial", "1-RTT", "1-RTT", "1-RTT", "1-RTT"])
        #expect(relay.serverLog.map(\.fate) == [.dropped, .delivered])
        #expect(relay.serverLog.first?.packetType == "Retry")
        #expect(relay.unfiredClientFaults.isEmpty && relay.unfiredServerFaults.isEmpty)
    }

    @Test func reportsFaultsWhoseDatagramNeverCame() throws {
        let (_, serverAddress) = try SocketDescriptor.udpBound()
        let relay = try UDPRelay(server: serverAddress, clientFaults: DatagramFaults(drop: [3]), serverFaults: .none, seed: 1)
        let client = try QUICDialer(address: relay.address).open() as! SocketDescriptor
        _ = [UInt8]([0xC0]).withUnsafeBytes { client.send($0) }
        settle(relay)
        #expect(relay.clientLog.count == 1)
        #expect(relay.unfiredClientFaults == [3])
    }
}
