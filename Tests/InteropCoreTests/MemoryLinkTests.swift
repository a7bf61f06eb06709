import InteropCore
import Testing

/// The in-memory link's faults, asserted at the transport itself.
@Suite struct MemoryLinkTests {
    func link(client: FaultPlan = .none, server: FaultPlan = .none, capacity: Int = 1024, seed: UInt64 = 1) throws
        -> (MemoryConnection, MemoryConnection)
    {
        let listener = InMemoryListener()
        let dialer = MemoryConnection.dialer(to: listener, capacity: capacity, clientPlan: client, serverPlan: server, seed: seed)
        let clientEnd = try dialer.open() as! MemoryConnection
        #expect(try dialer.connect(clientEnd) == nil)
        let serverEnd = try #require(try listener.accept() as? MemoryConnection)
        return (clientEnd, serverEnd)
    }

    func send(_ end: MemoryConnection, _ bytes: [UInt8]) -> TransportResult {
        bytes.withUnsafeBytes { end.send($0) }
    }

    func receive(_ end: MemoryConnection, max: Int = 4096) -> ([UInt8], TransportResult) {
        var buffer = [UInt8](repeating: 0, count: max)
        let result = buffer.withUnsafeMutableBytes { end.receive(into: $0) }
        if case .transferred(let count) = result { return (Array(buffer[0..<count]), result) }
        return ([], result)
    }

    @Test func everySecondCallIsRefusedAndCounted() throws {
        let (client, server) = try link(client: FaultPlan(writeRefusals: .everyNth(2)))
        let results = (0..<6).map { _ in send(client, [1, 2, 3]) }
        #expect(results == [.transferred(3), .wouldBlock, .transferred(3), .wouldBlock, .transferred(3), .wouldBlock])
        #expect(client.injectedRefusals[.write] == 3)
        #expect(client.lastRefusal == .write)
        #expect(receive(server).0.count == 9)
    }

    @Test func oneByteModeDeliversOneBytePerCall() throws {
        let (client, server) = try link(server: FaultPlan(maxReadChunk: 1))
        #expect(send(client, Array("hello".utf8)) == .transferred(5))
        var collected: [UInt8] = []
        for _ in 0..<5 {
            let (bytes, result) = receive(server)
            #expect(result == .transferred(1))
            collected += bytes
        }
        #expect(String(decoding: collected, as: UTF8.self) == "hello")
        #expect(server.largestDelivery == 1)
        #expect(receive(server).1 == .wouldBlock)
    }

    @Test func capacityHoldsWritesUntilThePeerDrains() throws {
        let (client, server) = try link(capacity: 10)
        #expect(send(client, [UInt8](repeating: 7, count: 25)) == .transferred(10))
        #expect(send(client, [1]) == .wouldBlock)
        #expect(client.refusals[.write] == 1 && client.injectedRefusals[.write] == nil)
        #expect(client.wouldBlock(.write))
        _ = receive(server, max: 4)
        #expect(!client.wouldBlock(.write))
        #expect(send(client, [UInt8](repeating: 7, count: 25)) == .transferred(4))
    }

    @Test func finIsEndOfStreamAndUnreadCloseIsReset() throws {
        let (client, server) = try link()
        try client.finishWriting()
        #expect(receive(server).1 == .endOfStream)
        #expect(server.sawEndOfStream)
        let (other, peer) = try link()
        _ = send(other, [1, 2, 3])
        peer.close()
        #expect(receive(other).1 == .failed(104))
    }

    @Test func sameSeedSameRandomSchedule() throws {
        func schedule(_ seed: UInt64) throws -> [TransportResult] {
            let (client, _) = try link(client: FaultPlan(writeRefusals: .probability(0.5)), capacity: 1 << 20, seed: seed)
            return (0..<64).map { _ in send(client, [0]) }
        }
        #expect(try schedule(9) == schedule(9))
        #expect(try schedule(9) != schedule(10))
    }

    @Test func faultPatternsParse() {
        #expect(FaultPattern(parsing: "every 3") == .everyNth(3))
        #expect(FaultPattern(parsing: "p=0.25") == .probability(0.25))
        #expect(FaultPattern(parsing: "never") == .never)
        #expect(FaultPattern(parsing: "every 1") == nil)
        #expect(FaultPattern(parsing: "p=1.5") == nil)
    }
}
