/// The R4 step: write the payload from a stable buffer; if the library asks to retry, wait as asked, then resume the
/// way the variant says (the same buffer, a shorter or longer one, a moved copy, changed contents, no data, or
/// discarding what is queued) and record what the resumed call returned. Bytes the caller believes written go into
/// the write digest, so the peer's digest shows whether the two agree.
final class WriteRetryExperiment {
    private let variant: RetryVariant
    private let payload: [UInt8]
    /// The stable buffer: its address matters to OpenSSL's retry check; the payload plus `extra` bytes for `longer`.
    private let buffer: UnsafeMutableRawBufferPointer
    private var movedBuffer: UnsafeMutableRawBufferPointer?
    private var interrupted = false
    private static let extra = 128

    init(_ variant: RetryVariant, payload: [UInt8], record: inout ConnectionRecord) {
        self.variant = variant
        self.payload = payload
        let count = payload.count
        buffer = .allocate(byteCount: count + Self.extra, alignment: 16)
        payload.withUnsafeBytes { buffer.copyMemory(from: $0) }
        let extra = SeededGenerator.payload(count: Self.extra, seed: 0x4E7A)
        extra.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[count...]).copyMemory(from: $0) }
        let digest = KnownDigests.hex(of:)
        var candidates: [String: String] = [:]
        candidates["original"] = digest(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        candidates["firstHalf"] = digest(UnsafeRawBufferPointer(rebasing: buffer[0..<count / 2]))
        candidates["longer"] = digest(UnsafeRawBufferPointer(buffer))
        let changed = payload.map { $0 ^ 0x5A }
        candidates["changed"] = changed.withUnsafeBytes { digest($0) }
        record.writeCandidates = candidates
    }

    deinit {
        buffer.deallocate()
        movedBuffer?.deallocate()
    }

    /// One call: the first write, or the resumption once the wait it asked for is over.
    func step(
        session: any TLSSession, audit: DirectionAudit, transport: (any ByteTransport)?, record: inout ConnectionRecord,
        delivered: inout WrittenBytes
    ) -> StepProgress {
        let action = EndpointAction.writeRetry(variant)
        let count = payload.count
        let refusalsBefore = transport?.refusalCount ?? 0
        let result: StepResult
        var written = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        if !interrupted {
            result = session.write(written)
        } else {
            switch variant {
            case .sameBuffer, .changedContents:
                result = session.write(written)
            case .shorter:
                written = UnsafeRawBufferPointer(rebasing: buffer[0..<count / 2])
                result = session.write(written)
            case .longer:
                written = UnsafeRawBufferPointer(buffer)
                result = session.write(written)
            case .movedCopy:
                let moved = movedBuffer ?? {
                    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                    copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    movedBuffer = copy
                    return copy
                }()
                written = UnsafeRawBufferPointer(moved)
                result = session.write(written)
            case .withoutData:
                result = (session as? any ResumableWrite)?.resumeWriteWithoutData()
                    ?? StepResult(.localError, raw: RawResult(call: "resume without data (not offered by this library)", returnValue: -1))
            case .discardQueued:
                result = (session as? any ResumableWrite)?.discardQueuedWrite()
                    ?? StepResult(.localError, raw: RawResult(call: "discard queued (not offered by this library)", returnValue: -1))
            }
        }
        record.log(action, result)
        switch result.outcome {
        case .wantRead, .wantWrite:
            let direction: TransportDirection = result.outcome == .wantRead ? .read : .write
            if direction == .read { record.wantReadCount += 1 } else { record.wantWriteCount += 1 }
            audit.check(direction, action: action, refusalsBefore: refusalsBefore, record: &record)
            if !interrupted && variant == .changedContents {
                // The caller reuses its buffer before retrying: exactly what the guides forbid.
                for index in 0..<count { buffer[index] ^= 0x5A }
            }
            interrupted = true
            return .waiting(audit.connection.readiness(direction))
        case .ok(let moved):
            record.retryOutcome = interrupted ? result.outcome.description : "notInterrupted"
            if variant == .discardQueued && interrupted {
                // Nothing the caller wrote is meant to arrive.
            } else if variant == .withoutData && interrupted {
                delivered.append(copying: UnsafeRawBufferPointer(rebasing: buffer[0..<min(moved, count)]))
            } else {
                delivered.append(copying: UnsafeRawBufferPointer(rebasing: written[0..<min(moved, written.count)]))
            }
            return .done
        default:
            record.retryOutcome = result.outcome.description
            return .stopped(result.outcome)
        }
    }
}
