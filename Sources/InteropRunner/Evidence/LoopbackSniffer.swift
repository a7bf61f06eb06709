import Foundation
import Glibc
import InteropCore

/// The packets on the loopback interface, read for the whole run by one thread through a packet socket
/// (`AF_PACKET`, which needs CAP_NET_RAW: root, as CI runs) and handed to the cells watching their ports. Cells
/// whose endpoints use real sockets — in-process over loopback TCP and UDP, peer processes, the libraries' tools,
/// real programs — get their capture this way; in-memory links record their own (`WireCapture`).
public final class LoopbackSniffer: @unchecked Sendable {
    /// One packet: microseconds since the epoch, and the IP packet (IPv4 or IPv6) without the link header.
    public struct Packet: Sendable {
        public var time: UInt64
        public var ipPacket: [UInt8]
    }

    /// The run's sniffer, opened on first use; the reason when the packet socket cannot be opened.
    public static let shared: Result<LoopbackSniffer, SnifferUnavailable> = {
        do throws(SnifferUnavailable) { return .success(try LoopbackSniffer()) } catch { return .failure(error) }
    }()

    public struct SnifferUnavailable: Error, Sendable {
        public var reason: String
    }

    private let packetSocket: Int32
    /// A pipe whose write wakes the reading thread: (read end, write end).
    private let wake: (Int32, Int32)
    private let condition = NSCondition()
    private var watches: [Int: (ports: Set<UInt16>, packets: [Packet], bytes: Int)] = [:]
    private var nextWatch = 0
    /// Drains begun and the last one completed: a drain numbered after a request saw every packet sent before it.
    private var drainsBegun = 0
    private var drainCompleted = 0
    /// Per watch, as `WireCapture` keeps.
    static let limit = WireCapture.limit

    // linux/if_packet.h and if_ether.h, which Glibc's module does not export: ETH_P_ALL, PACKET_OUTGOING, and
    // struct sockaddr_ll's layout (family, protocol, ifindex, hatype, pkttype, halen, addr[8]).
    private static let everyProtocol: UInt16 = 0x0003
    private static let outgoing: UInt8 = 4

    private init() throws(SnifferUnavailable) {
        let descriptor = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(Self.everyProtocol.bigEndian))
        guard descriptor >= 0 else {
            throw SnifferUnavailable(reason: "no capture: a packet socket on lo needs CAP_NET_RAW (\(String(cString: strerror(errno)))); run as root")
        }
        var address = [UInt8](repeating: 0, count: 20)
        let family = UInt16(AF_PACKET)
        address[0] = UInt8(family & 0xFF)
        address[1] = UInt8(family >> 8)
        withUnsafeBytes(of: Self.everyProtocol.bigEndian) { address[2] = $0[0]; address[3] = $0[1] }
        withUnsafeBytes(of: Int32(if_nametoindex("lo"))) { for index in 0..<4 { address[4 + index] = $0[index] } }
        let bound = address.withUnsafeBytes { bind(descriptor, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), 20) }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw SnifferUnavailable(reason: "no capture: cannot bind a packet socket to lo (\(reason))")
        }
        // A bulk cell's burst must not overflow the queue while the thread is busy.
        var size: Int32 = 16 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        packetSocket = descriptor
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            close(descriptor)
            throw SnifferUnavailable(reason: "no capture: pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        wake = (ends[0], ends[1])
        let thread = Thread { [self] in read() }
        thread.name = "tls-interop loopback capture"
        thread.start()
    }

    /// Starts keeping the packets to or from these ports; more may be added as the cell learns them.
    public func watch(ports: Set<UInt16>) -> Int {
        condition.lock()
        defer { condition.unlock() }
        nextWatch += 1
        watches[nextWatch] = (ports, [], 0)
        return nextWatch
    }

    public func add(ports: Set<UInt16>, to watch: Int) {
        condition.lock()
        watches[watch]?.ports.formUnion(ports)
        condition.unlock()
    }

    /// The watch's packets, once every packet sent before this call was read, and the watch ended.
    public func finish(_ watch: Int) -> [Packet] {
        condition.lock()
        let target = drainsBegun + 1
        condition.unlock()
        var one: UInt8 = 1
        _ = Glibc.write(wake.1, &one, 1)
        condition.lock()
        defer { condition.unlock() }
        // A drain begun after this request read every packet sent before it: packets are queued on a packet socket
        // as they are sent (the outgoing copy is taken in the sender's call).
        while drainCompleted < target { condition.wait(until: Date().addingTimeInterval(0.5)) }
        return watches.removeValue(forKey: watch)?.packets ?? []
    }

    private func read() {
        var frame = [UInt8](repeating: 0, count: 262_144)
        var address = [UInt8](repeating: 0, count: 32)
        while true {
            var descriptors = [pollfd(fd: packetSocket, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.0, events: Int16(POLLIN), revents: 0)]
            _ = poll(&descriptors, 2, 200)
            condition.lock()
            drainsBegun += 1
            let drain = drainsBegun
            condition.unlock()
            if descriptors[1].revents != 0 {
                var pending = [UInt8](repeating: 0, count: 64)
                _ = Glibc.read(wake.0, &pending, pending.count)
            }
            while true {
                var length = socklen_t(address.count)
                let count = frame.withUnsafeMutableBytes { buffer in
                    address.withUnsafeMutableBytes { raw in
                        recvfrom(packetSocket, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
                    }
                }
                guard count > 0 else { break }
                // Loopback shows each packet twice, leaving and arriving; the leaving copy is queued as it is sent.
                guard address[10] == Self.outgoing, count > 14 else { continue }
                dispatch(Array(frame[14..<count]))
            }
            condition.lock()
            drainCompleted = drain
            condition.broadcast()
            condition.unlock()
        }
    }

    private func dispatch(_ packet: [UInt8]) {
        guard let (source, destination) = Self.ports(packet) else { return }
        let time = WallClock.microseconds
        condition.lock()
        defer { condition.unlock() }
        for (id, watch) in watches where watch.ports.contains(source) || watch.ports.contains(destination) {
            guard watch.bytes + packet.count <= Self.limit else { continue }
            watches[id]!.packets.append(Packet(time: time, ipPacket: packet))
            watches[id]!.bytes += packet.count
        }
    }

    /// TCP or UDP ports of an IPv4 or IPv6 packet (IPv6 without extension headers, as loopback traffic has).
    static func ports(_ packet: [UInt8]) -> (UInt16, UInt16)? {
        guard let first = packet.first else { return nil }
        let offset: Int
        let transport: UInt8
        switch first >> 4 {
        case 4:
            offset = Int(first & 0x0F) * 4
            guard packet.count > 9 else { return nil }
            transport = packet[9]
        case 6:
            offset = 40
            guard packet.count > 6 else { return nil }
            transport = packet[6]
        default: return nil
        }
        guard transport == 6 || transport == 17, packet.count >= offset + 4 else { return nil }
        return (UInt16(packet[offset]) << 8 | UInt16(packet[offset + 1]), UInt16(packet[offset + 2]) << 8 | UInt16(packet[offset + 3]))
    }
}
