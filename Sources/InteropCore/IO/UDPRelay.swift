#if canImport(Glibc)
import Glibc
#endif

/// A UDP hop on loopback between a client and a server in other processes, or whose library does its own socket I/O
/// (QUIC), where the harness cannot sit inside the datagram path: each datagram is delivered, dropped, duplicated
/// or held back by the sending endpoint's `DatagramFaults`, and logged. One socket serves both directions; the
/// server's port tells them apart. DTLS datagrams are read as the in-memory link reads them (named messages,
/// retransmissions, handshake-only random loss); QUIC packets are encrypted, so only their first packet type is.
public final class UDPRelay: LoopParticipant {
    /// Where the client sends.
    public let address: LoopbackAddress
    private let socket: SocketDescriptor
    private let server: LoopbackAddress
    private var client: sockaddr_in?
    private var fromClient: RelayDirection
    private var fromServer: RelayDirection
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    public init(
        server: LoopbackAddress, clientFaults: DatagramFaults, serverFaults: DatagramFaults, seed: UInt64, dtls: Bool = false
    ) throws(SocketError) {
        (socket, address) = try SocketDescriptor.udpBound()
        self.server = server
        fromClient = RelayDirection(faults: clientFaults, seed: seed, dtls: dtls)
        fromServer = RelayDirection(faults: serverFaults, seed: seed ^ 0x5E4F_E4, dtls: dtls)
    }

    /// The endpoint on one side began its shutdown: with `dropOnceClosing`, all it sends from now on is lost.
    public func startedClosing(_ role: EndpointRole) {
        if role == .client { fromClient.closing = true } else { fromServer.closing = true }
    }

    /// What the client sent, with each datagram's fate.
    public var clientLog: [DatagramLogEntry] { fromClient.log }
    public var serverLog: [DatagramLogEntry] { fromServer.log }
    public var unfiredClientFaults: [Int] { fromClient.unfired }
    public var unfiredServerFaults: [Int] { fromServer.unfired }
    public var unfiredClientMessages: [DTLSMessage] { fromClient.unfiredMessages }
    public var unfiredServerMessages: [DTLSMessage] { fromServer.unfiredMessages }

    public var isSettled: Bool { true }

    public func expire(reason: String) {}

    public func advance() -> Readiness? {
        while true {
            var source = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let received = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &source) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(socket.fileDescriptor, bytes.baseAddress, bytes.count, 0, $0, &length)
                    }
                }
            }
            // EAGAIN ends the batch; any other error (ICMP unreachable after a peer left) drops the datagram.
            if received < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return .readable(socket.fileDescriptor) }
                continue
            }
            let datagram = Array(buffer[0..<received])
            if UInt16(bigEndian: source.sin_port) == server.port {
                fromClient.noteReply()
                guard var client else { continue }
                for outgoing in fromServer.pass(datagram) { send(outgoing, to: &client) }
            } else {
                client = source
                fromServer.noteReply()
                for outgoing in fromClient.pass(datagram) {
                    _ = outgoing.withUnsafeBytes { bytes in
                        server.withSocketAddress { sendto(socket.fileDescriptor, bytes.baseAddress, bytes.count, 0, $0, $1) }
                    }
                }
            }
        }
    }

    private func send(_ datagram: [UInt8], to peer: inout sockaddr_in) {
        _ = datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket.fileDescriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}

/// One direction of the relay: ordinals, flights, fault decisions and the log. Encrypted QUIC packets cannot be
/// told apart as retransmissions, so random loss may hit any datagram (QUIC recovers every ack-eliciting one); DTLS
/// datagrams go through the same book as the in-memory link's.
struct RelayDirection {
    let faults: DatagramFaults
    var generator: SeededGenerator
    private var book: DatagramSendBook?
    private var quicLog: [DatagramLogEntry] = []
    private var fired: Set<Int> = []
    private var held: [UInt8]?
    private var flight = 0
    private var replySinceLast = true
    /// The endpoint behind this direction began its shutdown (`DatagramFaults.dropOnceClosing`).
    var closing = false

    init(faults: DatagramFaults, seed: UInt64, dtls: Bool = false) {
        self.faults = faults
        generator = SeededGenerator(seed: seed)
        book = dtls ? DatagramSendBook(faults: faults, seed: seed) : nil
    }

    var log: [DatagramLogEntry] { book?.log ?? quicLog }

    mutating func noteReply() {
        replySinceLast = true
        book?.noteReceived()
    }

    /// The datagrams to forward now for one that arrived: none, it, it twice, or it after one held back.
    mutating func pass(_ datagram: [UInt8]) -> [[UInt8]] {
        let fate: DatagramLogEntry.Fate
        if book != nil {
            fate = datagram.withUnsafeBytes { book!.nextFate($0) }
        } else {
            let ordinal = quicLog.count + 1
            if replySinceLast {
                flight += 1
                replySinceLast = false
            }
            fate = closing && faults.dropOnceClosing ? .dropped : faults.fate(of: ordinal, lossEligible: { true }, generator: &generator)
            if faults.requested.contains(ordinal) { fired.insert(ordinal) }
            quicLog.append(
                DatagramLogEntry(
                    ordinal: ordinal, size: datagram.count, flight: flight, fate: fate, retransmission: false, timerDriven: false,
                    packetType: DatagramLogEntry.quicPacketType(datagram)))
        }
        var outgoing: [[UInt8]]
        switch fate {
        case .delivered: outgoing = [datagram]
        case .dropped: outgoing = []
        case .corrupted: outgoing = [DatagramLogEntry.corrupted(datagram)]
        case .duplicated: outgoing = [datagram, datagram]
        case .reordered:
            held = datagram
            return []
        case .lateByOnePoll:
            // Never asked of a relay (the scenario is in process only): it cannot see the receiver's polls.
            outgoing = [datagram]
        }
        if let previous = held {
            outgoing.append(previous)
            held = nil
        }
        return outgoing
    }

    var unfired: [Int] { book?.unfired ?? faults.requested.subtracting(fired).sorted() }
    var unfiredMessages: [DTLSMessage] { book?.unfiredMessages ?? [] }
}
