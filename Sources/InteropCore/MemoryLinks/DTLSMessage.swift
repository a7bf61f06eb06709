/// One DTLS 1.2 record header in a datagram (RFC 6347 §4.1): content type, epoch, length, and where it and its body
/// start.
struct DTLSRecordHeader {
    let offset: Int
    let type: UInt8
    let epoch: Int
    let length: Int
    var body: Int { offset + 13 }

    /// The records of a datagram, in order, as far as whole headers go.
    static func records(in datagram: UnsafeRawBufferPointer) -> [DTLSRecordHeader] {
        var records: [DTLSRecordHeader] = []
        var offset = 0
        while offset + 13 <= datagram.count {
            let record = DTLSRecordHeader(
                offset: offset, type: datagram[offset], epoch: Int(datagram[offset + 3]) << 8 | Int(datagram[offset + 4]),
                length: Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12]))
            records.append(record)
            offset = record.body + record.length
        }
        return records
    }
}

/// A DTLS 1.2 message a fault can name, found in a datagram's records: handshake messages of epoch 0 by type,
/// ChangeCipherSpec by content type, and the Finished as the first handshake record of a later epoch (encrypted).
public enum DTLSMessage: String, Sendable, Hashable, Codable, CaseIterable {
    case clientHello, serverHello, helloVerifyRequest, newSessionTicket, certificate, serverKeyExchange, serverHelloDone
    case clientKeyExchange, changeCipherSpec, finished

    static func handshake(_ type: UInt8) -> DTLSMessage? {
        switch type {
        case 1: .clientHello
        case 2: .serverHello
        case 3: .helloVerifyRequest
        case 4: .newSessionTicket
        case 11: .certificate
        case 12: .serverKeyExchange
        case 14: .serverHelloDone
        case 16: .clientKeyExchange
        default: nil
        }
    }

    /// The named messages in a datagram's DTLS records.
    public static func messages(in datagram: UnsafeRawBufferPointer) -> Set<DTLSMessage> {
        var found: Set<DTLSMessage> = []
        for record in DTLSRecordHeader.records(in: datagram) {
            if record.type == 20 { found.insert(.changeCipherSpec) }
            if record.type == 22 && record.epoch > 0 { found.insert(.finished) }
            if record.type == 22 && record.epoch == 0 && record.body < datagram.count, let message = handshake(datagram[record.body]) {
                found.insert(message)
            }
        }
        return found
    }
}
