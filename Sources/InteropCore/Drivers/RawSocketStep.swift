/// The steps that act on the socket or the transport rather than on the TLS session: half-close, reset, a
/// truncated record, refused writes, reading raw bytes, closing.
enum RawSocketStep {
    static func perform(
        _ action: EndpointAction, connection: any RawConnection, transport: (any ByteTransport)?, scratch: inout [UInt8],
        record: inout ConnectionRecord
    ) -> StepProgress {
        switch action {
        case .finish:
            do {
                try connection.finishWriting()
                record.log(action, StepResult(.ok(0), raw: RawResult(call: "shutdown(SHUT_WR)", returnValue: 0)))
            } catch {
                record.log(action, StepResult(.reset, raw: RawResult(call: "shutdown(SHUT_WR)", returnValue: -1, osError: error.code)))
            }
        case .reset:
            do {
                try connection.closeWithReset()
                record.log(action, StepResult(.ok(0), raw: RawResult(call: "close with SO_LINGER 0", returnValue: 0)))
            } catch {
                record.log(action, StepResult(.localError, raw: RawResult(call: "setsockopt(SO_LINGER)", returnValue: -1, osError: error.code)))
            }
        case .sendTruncatedRecord:
            // An application-data record header announcing 64 bytes, followed by only 32 of them.
            var bytes = [UInt8]([0x17, 0x03, 0x03, 0x00, 0x40])
            bytes += SeededGenerator.payload(count: 32, seed: 0x7255)
            let sent = bytes.withUnsafeBytes { connection.sendRaw($0) }
            switch sent {
            case .transferred(let count):
                record.log(action, StepResult(.ok(count), raw: RawResult(call: "send", returnValue: count)))
            case .wouldBlock:
                return .waiting(connection.readiness(.write))
            case .endOfStream, .failed:
                let code: Int32 = if case .failed(let code) = sent { code } else { 0 }
                record.log(action, StepResult(.reset, raw: RawResult(call: "send", returnValue: -1, osError: code)))
            }
        case .refuseWrites(let count):
            guard let transport else {
                record.log(action, StepResult(.localError, raw: RawResult(call: "refuseWrites", returnValue: -1)))
                return .stopped(.localError)
            }
            transport.writeRefusalsPending += count
        case .drainRaw:
            while true {
                let result = scratch.withUnsafeMutableBytes { connection.receiveRaw(into: $0) }
                switch result {
                case .endOfStream:
                    record.log(action, StepResult(.eof(.unexpected), raw: RawResult(call: "recv", returnValue: 0)))
                case .transferred(let count):
                    record.log(action, StepResult(.ok(count), raw: RawResult(call: "recv", returnValue: count)))
                    continue
                case .wouldBlock:
                    return .waiting(connection.readiness(.read))
                case .failed(let code):
                    record.log(action, StepResult(.reset, raw: RawResult(call: "recv", returnValue: -1, osError: code)))
                }
                break
            }
        case .close:
            connection.close()
        default:
            preconditionFailure("\(action) is not a socket step")
        }
        return .done
    }
}
