import InteropCore
import Testing

/// The in-memory datagram link's faults and its retransmission bookkeeping, asserted at the link.
@Suite struct DatagramLinkTests {
    func link(client: DatagramFaults = .none, server: DatagramFaults = .none) throws
        -> (MemoryDatagramConnection, MemoryDatagramConnection)
    {
        let listener = InMemoryListener()
        let dialer = MemoryDatagramConnection.dialer(to: listener, clientFaults: client, serverFaults: server, seed: 3)
        let clientEnd = try dialer.open() as! MemoryDatagramConnection
        _ = try dialer.connect(clientEnd)
        let serverEnd = try #require(try listener.accept() as? MemoryDatagramConnection)
        return (clientEnd, serverEnd)
    }

    func send(_ end: MemoryDatagramConnection, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { end.send($0) }
    }

    func receiveAll(_ end: MemoryDatagramConnection) -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while case .transferred(let count) = buffer.withUnsafeMutableBytes({ end.receive(into: $0) }) {
            datagrams.append(Array(buffer[0..<count]))
        }
        return datagrams
    }

    /// A DTLS 1.2 handshake record of epoch 0 carrying one fragment of message `sequence`.
    func handshakeRecord(sequence: UInt8, body: UInt8) -> [UInt8] {
        let fragment: [UInt8] = [1, 0, 0, 1, 0, sequence, 0, 0, 0, 0, 0, 1, body]
        return [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, sequence, 0, UInt8(fragment.count)] + fragment
    }

    /// A DTLS 1.2 record of `epoch` with this content type and body.
    func record(type: UInt8, epoch: UInt8, body: [UInt8]) -> [UInt8] {
        [type, 0xFE, 0xFD, 0, epoch, 0, 0, 0, 0, 0, 1, 0, UInt8(body.count)] + body
    }

    /// A fault names a message; the link finds it in the datagram's records, drops its first transmission only, and
    /// says which named messages were never sent.
    @Test func aNamedMessageIsDroppedOnceWhereverItTravels() throws {
        let serverHello: [UInt8] = [2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 7]
        let flight = record(type: 22, epoch: 0, body: serverHello)
        let finished = record(type: 20, epoch: 0, body: [1]) + record(type: 22, epoch: 1, body: [9, 9, 9])
        #expect(flight.withUnsafeBytes { DTLSMessage.messages(in: $0) } == [.serverHello])
        #expect(finished.withUnsafeBytes { DTLSMessage.messages(in: $0) } == [.changeCipherSpec, .finished])
        var faults = DatagramFaults()
        faults.dropMessages = [.finished, .helloVerifyRequest]
        let (client, server) = try link(server: faults)
        send(server, flight)
        send(server, finished)
        send(server, finished)
        #expect(receiveAll(client) == [flight, finished])
        #expect(server.datagramLog.map(\.fate) == [.delivered, .dropped, .delivered])
        #expect(server.datagramLog[2].retransmission)
        #expect(server.unfiredMessageFaults == [.helloVerifyRequest])
    }

    @Test func droppedDuplicatedAndReorderedDatagramsArriveAsAsked() throws {
        let (client, server) = try link(client: DatagramFaults(drop: [2], duplicate: [3], reorder: [4]))
        for value in UInt8(1)...5 { send(client, [value]) }
        #expect(receiveAll(server) == [[1], [3], [3], [5], [4]])
        #expect(client.datagramLog.map(\.fate) == [.delivered, .dropped, .duplicated, .reordered, .delivered])
        #expect(client.unfiredFaults.isEmpty)
    }

    @Test func faultsThatNeverFireAreReported() throws {
        let (client, _) = try link(client: DatagramFaults(drop: [1, 7]))
        send(client, [1])
        #expect(client.unfiredFaults == [7])
    }

    @Test func flightsCountSendsBetweenReceptions() throws {
        let (client, server) = try link()
        send(client, [1])
        send(client, [2])
        send(server, [9])
        _ = receiveAll(client)
        send(client, [3])
        #expect(client.datagramLog.map(\.flight) == [1, 1, 2])
    }

    @Test func aRepeatedHandshakeFragmentIsARetransmission() throws {
        let (client, _) = try link()
        send(client, handshakeRecord(sequence: 0, body: 0xAA))
        send(client, handshakeRecord(sequence: 1, body: 0xBB))
        send(client, handshakeRecord(sequence: 0, body: 0xAA))
        #expect(client.datagramLog.map(\.retransmission) == [false, false, true])
        #expect(client.datagramLog.map(\.timerDriven) == [false, false, false])
        client.inTimeoutHandling = true
        send(client, handshakeRecord(sequence: 1, body: 0xBB))
        #expect(client.datagramLog.last?.timerDriven == true)
    }

    @Test func aVanishedPeerLeavesTheReaderWaitingForever() throws {
        let (client, server) = try link()
        client.close()
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(buffer.withUnsafeMutableBytes { server.receive(into: $0) } == .wouldBlock)
        #expect(server.wouldBlock(.read))
        #expect(throws: SocketError.self) { try server.finishWriting() }
    }
}
