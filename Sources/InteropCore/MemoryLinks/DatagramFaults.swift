/// What an endpoint's datagram link does to the datagrams it sends, by their ordinal (1 = the first datagram this
/// endpoint sends, retransmissions included), plus seeded random loss.
public struct DatagramFaults: Sendable, Hashable {
    public var drop: Set<Int>
    public var duplicate: Set<Int>
    /// Datagram N is held back and delivered right after datagram N+1.
    public var reorder: Set<Int>
    /// Each datagram that carries handshake records is lost with this probability (application data is spared:
    /// DTLS never retransmits it).
    public var dropProbability: Double
    /// DTLS messages whose first transmission is lost, by name (`DTLSMessage`): the datagram that first carries
    /// one, whatever its ordinal; its retransmissions pass.
    public var dropMessages: Set<DTLSMessage> = []
    /// DTLS messages whose first transmission arrives with its last byte flipped (in the last record's ciphertext
    /// and authentication tag once encrypted): a record that fails its MAC check.
    public var corruptMessages: Set<DTLSMessage> = []
    /// DTLS messages whose first transmission is delivered twice, or held back until after the next datagram.
    public var duplicateMessages: Set<DTLSMessage> = []
    public var reorderMessages: Set<DTLSMessage> = []
    /// DTLS messages whose first transmission lands a moment after the receiver's library looked for it: its first
    /// look at the link misses the datagram, its next finds it (in-memory link only: a relay cannot see the
    /// receiver's polls).
    public var lateMessages: Set<DTLSMessage> = []
    /// QUIC through the relay: everything this endpoint sends from its first shutdown step on is lost — its
    /// CONNECTION_CLOSE among it — so the peer can only end by its idle timeout. Only a runner that drives the
    /// endpoint and the relay in one loop knows that moment (in-process cells).
    public var dropOnceClosing = false

    public init(drop: Set<Int> = [], duplicate: Set<Int> = [], reorder: Set<Int> = [], dropProbability: Double = 0) {
        self.drop = drop
        self.duplicate = duplicate
        self.reorder = reorder
        self.dropProbability = dropProbability
    }

    public static let none = DatagramFaults()

    public var isEmpty: Bool { self == .none }

    /// Every ordinal a fault was asked for; each must be seen to fire.
    public var requested: Set<Int> { drop.union(duplicate).union(reorder) }

    /// The first named message in `messages` still to be hit, if any, with what happens to it: dropped, corrupted,
    /// duplicated or held back, in that order of precedence.
    func namedFault(among messages: Set<DTLSMessage>, alreadyHit: Set<DTLSMessage>) -> (DTLSMessage, DatagramLogEntry.Fate)? {
        let byName = { (lhs: DTLSMessage, rhs: DTLSMessage) in lhs.rawValue < rhs.rawValue }
        let faults: [(Set<DTLSMessage>, DatagramLogEntry.Fate)] = [
            (dropMessages, .dropped), (corruptMessages, .corrupted), (duplicateMessages, .duplicated), (reorderMessages, .reordered),
            (lateMessages, .lateByOnePoll),
        ]
        for (named, fate) in faults {
            if let message = named.subtracting(alreadyHit).intersection(messages).sorted(by: byName).first { return (message, fate) }
        }
        return nil
    }

    /// Every named message a fault was asked for.
    var namedMessages: Set<DTLSMessage> {
        dropMessages.union(corruptMessages).union(duplicateMessages).union(reorderMessages).union(lateMessages)
    }

    /// What happens to the endpoint's datagram number `ordinal`: the fault asked for that ordinal, otherwise a seeded
    /// random loss when the datagram may be lost at all (`lossEligible` is only evaluated when a draw is due, so the
    /// generator advances exactly as often as a draw is made).
    func fate(of ordinal: Int, lossEligible: () -> Bool, generator: inout SeededGenerator) -> DatagramLogEntry.Fate {
        if drop.contains(ordinal) { return .dropped }
        if duplicate.contains(ordinal) { return .duplicated }
        if reorder.contains(ordinal) { return .reordered }
        if dropProbability > 0, lossEligible(), Double(generator.next() >> 11) / Double(1 << 53) < dropProbability {
            return .dropped
        }
        return .delivered
    }
}

/// One datagram as the link saw it.
public struct DatagramLogEntry: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Fate: String, Sendable, Codable {
        case delivered
        case dropped
        case duplicated
        /// Held back and delivered after the next one.
        case reordered
        /// Delivered with its last byte flipped.
        case corrupted
        /// Missed by the receiver's first look and found by its next (see `lateMessages`).
        case lateByOnePoll
    }

    /// The datagram as a `corrupted` fate delivers it.
    public static func corrupted(_ datagram: [UInt8]) -> [UInt8] {
        guard !datagram.isEmpty else { return datagram }
        var copy = datagram
        copy[copy.count - 1] ^= 0x5A
        return copy
    }

    public var ordinal: Int
    public var size: Int
    /// The sender's flight: datagrams sent between two receptions count as one flight.
    public var flight: Int
    public var fate: Fate
    /// The datagram repeats DTLS records this endpoint sent before (same handshake message and fragment, or the
    /// same encrypted record shape in the same epoch).
    public var retransmission: Bool
    /// Sent while the endpoint handled an expired retransmission timer.
    public var timerDriven: Bool
    /// QUIC: the type of the datagram's first packet, read from its unprotected header (`Initial`, `Handshake`,
    /// `Retry`, `0-RTT`, `1-RTT`).
    public var packetType: String? = nil

    public var description: String {
        let kind = retransmission ? (timerDriven ? " (retransmission, timer)" : " (retransmission, no timer)") : ""
        let packet = packetType.map { " first packet \($0)" } ?? ""
        return "#\(ordinal) flight \(flight) \(size) bytes\(packet) \(fate.rawValue)\(kind)"
    }

    /// The type of a QUIC version 1 datagram's first packet (RFC 9000 §17): long headers carry it in bits 4–5 of
    /// the first byte; a short header is a 1-RTT packet.
    public static func quicPacketType(_ datagram: [UInt8]) -> String {
        guard let first = datagram.first else { return "empty" }
        guard first & 0x80 != 0 else { return "1-RTT" }
        return ["Initial", "0-RTT", "Handshake", "Retry"][Int((first & 0x30) >> 4)]
    }
}

/// Flight counting, fault decisions and the log, shared by the datagram links.
struct DatagramSendBook {
    var faults: DatagramFaults
    var generator: SeededGenerator
    private(set) var log: [DatagramLogEntry] = []
    private(set) var fired: Set<Int> = []
    /// Named messages whose first transmission a fault hit.
    private(set) var droppedMessages: Set<DTLSMessage> = []
    private var sent = 0
    private var flight = 0
    private var receivedSinceSend = true
    private var recordsSeen: Set<String> = []
    /// Set by the driver while it handles an expired timer, so that what is sent then counts as retransmission.
    var inTimeoutHandling = false

    init(faults: DatagramFaults, seed: UInt64) {
        self.faults = faults
        self.generator = SeededGenerator(seed: seed)
    }

    mutating func noteReceived() {
        receivedSinceSend = true
    }

    /// Decides the fate of the next datagram and logs it.
    mutating func nextFate(_ datagram: UnsafeRawBufferPointer) -> DatagramLogEntry.Fate {
        let size = datagram.count
        let keys = recordKeys(datagram)
        let repeated = !keys.isEmpty && keys.allSatisfy { recordsSeen.contains($0) }
        recordsSeen.formUnion(keys)
        sent += 1
        if receivedSinceSend {
            flight += 1
            receivedSinceSend = false
        }
        // A named message is hit the first time it is sent; its retransmissions pass.
        if !repeated, let (named, fate) = faults.namedFault(among: DTLSMessage.messages(in: datagram), alreadyHit: droppedMessages) {
            droppedMessages.insert(named)
            log.append(
                DatagramLogEntry(
                    ordinal: sent, size: size, flight: flight, fate: fate, retransmission: false, timerDriven: inTimeoutHandling))
            return fate
        }
        // Random loss hits handshake flights only: DTLS retransmits those, never application data or alerts.
        let fate = faults.fate(
            of: sent,
            lossEligible: {
                keys.contains { $0.hasPrefix("hs ") || $0.hasSuffix("type 22") || $0.contains("type 20 ") || $0.contains("type 22 ") }
            }, generator: &generator)
        if faults.requested.contains(sent) { fired.insert(sent) }
        log.append(
            DatagramLogEntry(
                ordinal: sent, size: size, flight: flight, fate: fate, retransmission: repeated || inTimeoutHandling,
                timerDriven: inTimeoutHandling))
        return fate
    }

    /// Identifies the DTLS records in a datagram: handshake fragments of epoch 0 by message type, sequence and
    /// offset; encrypted records by epoch, content type and length (their sequence numbers change on
    /// retransmission, their shape does not).
    func recordKeys(_ datagram: UnsafeRawBufferPointer) -> [String] {
        DTLSRecordHeader.records(in: datagram).map { record in
            let body = record.body
            if record.epoch == 0 && record.type == 22 && body + 12 <= datagram.count {
                let messageType = datagram[body]
                let sequence = Int(datagram[body + 4]) << 8 | Int(datagram[body + 5])
                let fragment = Int(datagram[body + 6]) << 16 | Int(datagram[body + 7]) << 8 | Int(datagram[body + 8])
                return "hs \(messageType) seq \(sequence) at \(fragment)"
            } else if record.type != 23 {
                return "epoch \(record.epoch) type \(record.type) length \(record.length)"
            }
            // Application data is never retransmitted by DTLS; make each record unique.
            return "data \(sent) \(record.offset)"
        }
    }

    var retransmissions: Int { log.filter(\.retransmission).count }

    /// Requested faults whose datagram was never sent.
    var unfired: [Int] { faults.requested.subtracting(fired).sorted() }

    /// Named messages that were never sent, so never dropped.
    var unfiredMessages: [DTLSMessage] { faults.namedMessages.subtracting(droppedMessages).sorted { $0.rawValue < $1.rawValue } }
}

/// A `ByteTransport` that carries whole datagrams and keeps a log of what it sent.
public protocol DatagramTransport: ByteTransport {
    /// Puts a datagram back at the head of the inbound queue (after a cookie check read it).
    func unreceive(_ datagram: [UInt8])
    var datagramLog: [DatagramLogEntry] { get }
    /// Requested datagram faults that never fired because the datagram was never sent.
    var unfiredFaults: [Int] { get }
    /// Named messages a fault was to drop that were never sent.
    var unfiredMessageFaults: [DTLSMessage] { get }
    /// Marks sends as retransmissions while the endpoint handles an expired timer.
    var inTimeoutHandling: Bool { get set }
    /// An identifier of the peer, for cookie binding (the address for UDP).
    var peerIdentity: [UInt8] { get }
    /// Whether a datagram is waiting (what GnuTLS's pull-timeout function reports).
    var hasInboundDatagram: Bool { get }
}
