import InteropCore
import Testing

/// A stand-in for a TLS library that asks to wait in a fixed direction, to show that the driver's direction check
/// can fail. It replaces the library only to test the harness's own bookkeeping; the real libraries are checked in
/// every matrix cell.
final class FixedAnswerSession: TLSSession {
    let transport: MemoryConnection
    let answer: Outcome

    init(transport: MemoryConnection, answer: Outcome) {
        self.transport = transport
        self.answer = answer
    }

    func handshake() -> StepResult {
        // Touch the transport the way a library would, then report what this stand-in was told to.
        _ = [UInt8](repeating: 0, count: 8).withUnsafeBytes { transport.send($0) }
        return StepResult(answer, raw: RawResult(call: "stand-in", returnValue: -1))
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StepResult { StepResult(.ok(0), raw: RawResult(call: "stand-in", returnValue: 0)) }
    func write(_ bytes: UnsafeRawBufferPointer) -> StepResult { StepResult(.ok(bytes.count), raw: RawResult(call: "stand-in", returnValue: 0)) }
    func shutdown(_ mode: ShutdownMode) -> StepResult { StepResult(.closeComplete, raw: RawResult(call: "stand-in", returnValue: 0)) }
    func requestKeyUpdate() -> StepResult { StepResult(.ok(0), raw: RawResult(call: "stand-in", returnValue: 0)) }
    func resumeWriteWithoutData() -> StepResult? { nil }
    func discardQueuedWrite() -> StepResult? { nil }
    var pendingBytes: Int { 0 }
    func listen() -> StepResult { StepResult(.ok(0), raw: RawResult(call: "stand-in", returnValue: 0)) }
    var retransmissionTimer: Duration? { nil }
    var timerReading: String { "none" }
    func handleTimeout() -> StepResult { StepResult(.ok(0), raw: RawResult(call: "stand-in", returnValue: 0)) }
    var negotiatedALPN: String? { nil }
    var negotiatedVersion: ProtocolVersion? { nil }
    var alerts: [AlertEvent] { [] }
    var notes: [String] { [] }
}

@Suite struct DirectionCheckTests {
    func driver(answer: Outcome, refuseWrites: Bool) throws -> EndpointDriver {
        let listener = InMemoryListener()
        let dialer = MemoryConnection.dialer(
            to: listener, clientPlan: refuseWrites ? FaultPlan(writeRefusals: .everyNth(2)) : .none, serverPlan: .none,
            seed: 1)
        let connection = try dialer.open() as! MemoryConnection
        _ = try dialer.connect(connection)
        _ = [UInt8](repeating: 0, count: 1).withUnsafeBytes { connection.send($0) }
        return EndpointDriver(
            session: FixedAnswerSession(transport: connection, answer: answer), connection: connection,
            transport: connection, actions: [.handshake], payload: [], expectedInbound: 0,
            record: ConnectionRecord(role: .client, library: TLSLibrary("openssl"), ordinal: 1))
    }

    @Test func askingToReadWhileWritesWereRefusedIsAMismatch() throws {
        let driver = try driver(answer: .wantRead, refuseWrites: true)
        _ = driver.advance()
        #expect(driver.record.directionMismatches.count == 1)
        #expect(driver.record.directionMismatches.first?.contains("asked to wait for read, transport refused write") == true)
    }

    @Test func askingToWriteWhileWritesWereRefusedIsConsistent() throws {
        let driver = try driver(answer: .wantWrite, refuseWrites: true)
        _ = driver.advance()
        #expect(driver.record.directionChecks == 1)
        #expect(driver.record.directionMismatches.isEmpty)
        #expect(driver.record.spuriousWaits.isEmpty)
    }

    @Test func askingToWaitWhenNothingWasRefusedIsSpurious() throws {
        let driver = try driver(answer: .wantRead, refuseWrites: false)
        _ = driver.advance()
        #expect(driver.record.directionMismatches.isEmpty)
        #expect(driver.record.spuriousWaits.count == 1)
    }
}
