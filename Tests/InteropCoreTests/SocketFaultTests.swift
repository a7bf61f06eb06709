import Glibc
import InteropCore
import Testing

/// An endpoint's faults on its own socket (the peer processes' way): the same schedule as on the in-memory link,
/// applied to real `recv`/`send`.
@Suite struct SocketFaultTests {
    func connectedPair() throws -> (SocketDescriptor, SocketDescriptor) {
        try connectedTCPPair()
    }

    func waitReadable(_ socket: SocketDescriptor) {
        _ = Poller.wait(for: [.readable(socket.fileDescriptor)], timeoutMilliseconds: 1000)
    }

    @Test func everySecondReadWithBytesWaitingIsRefusedAndEachReadIsCapped() throws {
        let (client, server) = try connectedPair()
        let transport = InterposedTransport(
            socket: server, faults: FaultPlan(readRefusals: .everyNth(2), maxReadChunk: 3), seed: 7)
        let sent = Array("0123456789".utf8)
        _ = sent.withUnsafeBytes { client.send($0) }
        waitReadable(server)
        var received: [UInt8] = []
        var results: [TransportResult] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        for _ in 0..<8 {
            let result = buffer.withUnsafeMutableBytes { transport.receive(into: $0) }
            results.append(result)
            if case .transferred(let count) = result { received += buffer[0..<count] }
        }
        #expect(received == sent)
        #expect(results.prefix(8) == [.transferred(3), .wouldBlock, .transferred(3), .wouldBlock, .transferred(3), .wouldBlock, .transferred(1), .wouldBlock])
        // Three refusals met waiting bytes (injected); the last found the socket empty (real).
        #expect(transport.injectedRefusals[.read] == 3)
        #expect(transport.refusals[.read] == 4)
    }

    @Test func writesAreRefusedOnScheduleAndCapped() throws {
        let (client, server) = try connectedPair()
        let transport = InterposedTransport(
            socket: client, faults: FaultPlan(writeRefusals: .everyNth(2), maxWriteChunk: 4), seed: 7)
        let bytes = Array("abcdefghij".utf8)
        var results: [TransportResult] = []
        for _ in 0..<4 { results.append(bytes.withUnsafeBytes { transport.send($0) }) }
        #expect(results == [.transferred(4), .wouldBlock, .transferred(4), .wouldBlock])
        #expect(transport.injectedRefusals[.write] == 2)
        waitReadable(server)
        #expect(server.pendingInputCount() == 8)
    }

    @Test func theSameSeedDrawsTheSameRandomSchedule() throws {
        func schedule(seed: UInt64) -> [Bool] {
            var schedule = FaultSchedule(plan: FaultPlan(writeRefusals: .probability(0.5)), seed: seed)
            return (0..<64).map { _ in
                schedule.count(.write)
                return schedule.refuses(.write)
            }
        }
        #expect(schedule(seed: 3) == schedule(seed: 3))
        #expect(schedule(seed: 3) != schedule(seed: 4))
        #expect(FaultSchedule.seed(cellSeed: 1, link: 1, role: .client) != FaultSchedule.seed(cellSeed: 1, link: 1, role: .server))
        #expect(FaultSchedule.seed(cellSeed: 1, link: 1, role: .client) != FaultSchedule.seed(cellSeed: 1, link: 2, role: .client))
    }
}
