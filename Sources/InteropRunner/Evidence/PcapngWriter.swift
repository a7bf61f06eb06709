import InteropCore

/// A capture file Wireshark and tshark open (pcapng, RFC draft "PCAP Now Generic"): the cell's traffic as IPv4
/// packets on loopback with synthesized TCP or UDP headers (the in-memory link has none of its own; the harness
/// saw every byte, so no capture privileges are needed), the client on port 40000 + its connection's number, the
/// server on 443 (TLS) or 4433 (DTLS). The key log travels inside as a Decryption Secrets Block too, so the file
/// alone decrypts in Wireshark 3.0 and later; `tshark -o tls.keylog_file:` with the separate key log works as well.
public enum PcapngWriter {
    public static let tlsServerPort: UInt16 = 443
    public static let dtlsServerPort: UInt16 = 4433

    /// One packet of a capture: microseconds since the epoch, the IP packet, and a comment Wireshark shows with it.
    public typealias Packet = (time: UInt64, ipPacket: [UInt8], comment: String?)

    /// A capture of IP packets (read off loopback, or synthesized from an in-memory link).
    public static func render(packets: [Packet], secrets: [String]) -> [UInt8] {
        var file = sectionHeader() + interfaceDescription()
        if !secrets.isEmpty { file += decryptionSecrets(secrets.joined(separator: "\n") + "\n") }
        for packet in packets { file += enhancedPacket(time: packet.time, ipPacket: packet.ipPacket, comment: packet.comment) }
        return file
    }

    public static func render(_ capture: WireCapture, secrets: [String]) -> [UInt8] {
        render(packets: packets(capture), secrets: secrets)
    }

    /// An in-memory link's traffic as the IP packets loopback would have carried.
    static func packets(_ capture: WireCapture) -> [Packet] {
        var packets: [Packet] = []
        var streams: [Int: TCPStream] = [:]
        var identification: UInt16 = 0
        func packet(_ time: UInt64, _ datagram: [UInt8], comment: String? = nil) {
            packets.append((time, datagram, comment))
        }
        for segment in capture.segments {
            let clientPort = UInt16(truncatingIfNeeded: 40000 + segment.link)
            let fromClient = segment.sender == .client
            if capture.isDatagram {
                guard case .datagram(let payload) = segment.content else { continue }
                let (source, destination) = fromClient ? (clientPort, dtlsServerPort) : (dtlsServerPort, clientPort)
                identification &+= 1
                packet(segment.time, ipv4(protocolNumber: 17, identification: identification, payload: udp(source, destination, payload)), comment: segment.note)
                continue
            }
            var stream = streams[segment.link] ?? TCPStream()
            if !stream.opened {
                // The handshake the in-memory link never made, so that Wireshark follows the stream from its start.
                stream.opened = true
                for (flags, sender) in [(TCPFlags.syn, true), (TCPFlags.syn | TCPFlags.ack, false), (TCPFlags.ack, true)] {
                    identification &+= 1
                    let header = stream.segment(fromClient: sender, flags: flags, clientPort: clientPort, serverPort: tlsServerPort, payload: [])
                    packet(segment.time, ipv4(protocolNumber: 6, identification: identification, payload: header))
                }
            }
            switch segment.content {
            case .bytes(let payload):
                var offset = 0
                while offset < payload.count {
                    let chunk = Array(payload[offset..<min(payload.count, offset + 65_000)])
                    offset += chunk.count
                    identification &+= 1
                    let tcp = stream.segment(fromClient: fromClient, flags: TCPFlags.psh | TCPFlags.ack, clientPort: clientPort, serverPort: tlsServerPort, payload: chunk)
                    packet(segment.time, ipv4(protocolNumber: 6, identification: identification, payload: tcp))
                }
            case .finish, .reset:
                identification &+= 1
                let flags = segment.content.isReset ? TCPFlags.rst | TCPFlags.ack : TCPFlags.fin | TCPFlags.ack
                let tcp = stream.segment(fromClient: fromClient, flags: flags, clientPort: clientPort, serverPort: tlsServerPort, payload: [])
                packet(segment.time, ipv4(protocolNumber: 6, identification: identification, payload: tcp))
            case .datagram:
                break
            }
            streams[segment.link] = stream
        }
        return packets
    }

    enum TCPFlags {
        static let fin: UInt8 = 0x01
        static let syn: UInt8 = 0x02
        static let rst: UInt8 = 0x04
        static let psh: UInt8 = 0x08
        static let ack: UInt8 = 0x10
    }

    /// One connection's sequence numbers, as each side's next byte.
    struct TCPStream {
        var opened = false
        var clientNext: UInt32 = 0x1000_0000
        var serverNext: UInt32 = 0x2000_0000

        mutating func segment(fromClient: Bool, flags: UInt8, clientPort: UInt16, serverPort: UInt16, payload: [UInt8]) -> [UInt8] {
            let sequence = fromClient ? clientNext : serverNext
            let acknowledged = fromClient ? serverNext : clientNext
            // SYN and FIN take a sequence number each.
            let length = UInt32(payload.count) + (flags & (TCPFlags.syn | TCPFlags.fin) != 0 ? 1 : 0)
            if fromClient { clientNext &+= length } else { serverNext &+= length }
            var header: [UInt8] = []
            header += bigEndian(fromClient ? clientPort : serverPort) + bigEndian(fromClient ? serverPort : clientPort)
            header += bigEndian(sequence) + bigEndian(flags & TCPFlags.ack != 0 ? acknowledged : 0)
            header += [0x50, flags] + bigEndian(UInt16(65535)) + [0, 0, 0, 0]
            let checksum = PcapngWriter.checksum(pseudoHeader(protocolNumber: 6, length: header.count + payload.count) + header + payload)
            header[16] = UInt8(checksum >> 8)
            header[17] = UInt8(checksum & 0xFF)
            return header + payload
        }
    }

    static let loopback: [UInt8] = [127, 0, 0, 1]

    static func pseudoHeader(protocolNumber: UInt8, length: Int) -> [UInt8] {
        loopback + loopback + [0, protocolNumber] + bigEndian(UInt16(length))
    }

    static func udp(_ source: UInt16, _ destination: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var header = bigEndian(source) + bigEndian(destination) + bigEndian(UInt16(8 + payload.count)) + [0, 0]
        var checksum = Self.checksum(pseudoHeader(protocolNumber: 17, length: header.count + payload.count) + header + payload)
        if checksum == 0 { checksum = 0xFFFF }
        header[6] = UInt8(checksum >> 8)
        header[7] = UInt8(checksum & 0xFF)
        return header + payload
    }

    static func ipv4(protocolNumber: UInt8, identification: UInt16, payload: [UInt8]) -> [UInt8] {
        var header: [UInt8] = [0x45, 0] + bigEndian(UInt16(20 + payload.count)) + bigEndian(identification) + [0x40, 0, 64, protocolNumber, 0, 0]
        header += loopback + loopback
        let checksum = Self.checksum(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        return header + payload
    }

    /// The Internet checksum (RFC 1071).
    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum &+= UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum &+= UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) &+ (sum >> 16) }
        return ~UInt16(sum)
    }

    static func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func bigEndian(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }

    // MARK: pcapng blocks (little-endian, as the section header's byte-order magic says)

    static func little(_ value: UInt32) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)] }
    static func little(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }

    static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }

    static func block(type: UInt32, body: [UInt8]) -> [UInt8] {
        let length = UInt32(12 + body.count)
        return little(type) + little(length) + body + little(length)
    }

    static func sectionHeader() -> [UInt8] {
        block(type: 0x0A0D_0D0A, body: little(UInt32(0x1A2B_3C4D)) + little(UInt16(1)) + little(UInt16(0)) + [UInt8](repeating: 0xFF, count: 8))
    }

    /// One interface: raw IPv4 (LINKTYPE_RAW), timestamps in microseconds (the default resolution).
    static func interfaceDescription() -> [UInt8] {
        block(type: 1, body: little(UInt16(101)) + little(UInt16(0)) + little(UInt32(0)))
    }

    /// TLS key log secrets ("TLSK").
    static func decryptionSecrets(_ text: String) -> [UInt8] {
        let data = Array(text.utf8)
        return block(type: 0x0000_000A, body: little(UInt32(0x544C_534B)) + little(UInt32(data.count)) + padded(data))
    }

    static func enhancedPacket(time: UInt64, ipPacket: [UInt8], comment: String?) -> [UInt8] {
        var body = little(UInt32(0)) + little(UInt32(time >> 32)) + little(UInt32(time & 0xFFFF_FFFF))
        body += little(UInt32(ipPacket.count)) + little(UInt32(ipPacket.count)) + padded(ipPacket)
        if let comment {
            let text = Array(comment.utf8)
            body += little(UInt16(1)) + little(UInt16(text.count)) + padded(text) + [0, 0, 0, 0]
        }
        return block(type: 6, body: body)
    }
}

extension WireCapture.Content {
    var isReset: Bool {
        if case .reset = self { return true }
        return false
    }
}
