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
    /// Guards the watches and the one frame buffer: whoever drains the socket holds it.
    private let lock = NSLock()
    private var watches: [Int: (ports: Set<UInt16>, packets: [Packet], bytes: Int)] = [:]
    private var nextWatch = 0
    private var frame = [UInt8](repeating: 0, count: 262_144)
    private var address = [UInt8](repeating: 0, count: 32)
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
        // Only the leaving copy of each packet (loopback shows each twice): a classic BPF program on the packet type
        // (`ld [SKF_AD_OFF + SKF_AD_PKTTYPE]; jeq PACKET_OUTGOING`), so the kernel queues half as much and a drain
        // makes half the calls. linux/filter.h's structs, which Glibc's module does not export, spelt out.
        let program: [(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)] = [
            (0x30, 0, 0, 0xFFFF_F004), (0x15, 0, 1, UInt32(Self.outgoing)), (0x06, 0, 0, 0x4_0000), (0x06, 0, 0, 0),
        ]
        var instructions = [UInt8]()
        for step in program {
            withUnsafeBytes(of: step.code) { instructions += $0 }
            instructions += [step.jt, step.jf]
            withUnsafeBytes(of: step.k) { instructions += $0 }
        }
        instructions.withUnsafeBytes { code in
            var fprog = [UInt8](repeating: 0, count: 16)
            withUnsafeBytes(of: UInt16(program.count)) { fprog[0] = $0[0]; fprog[1] = $0[1] }
            withUnsafeBytes(of: UInt(bitPattern: code.baseAddress)) { for index in 0..<8 { fprog[8 + index] = $0[index] } }
            _ = fprog.withUnsafeBytes { setsockopt(descriptor, SOL_SOCKET, SO_ATTACH_FILTER, $0.baseAddress, 16) }
        }
        // The kernel's time of each packet: drains come in batches, so the time a packet is read is not its own.
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_TIMESTAMPNS, &on, socklen_t(MemoryLayout<Int32>.size))
        // A bulk cell's burst must not overflow the queue while the thread is busy.
        var size: Int32 = 16 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        packetSocket = descriptor
        let thread = Thread { [self] in read() }
        thread.name = "tls-interop loopback capture"
        thread.start()
    }

    /// Starts keeping the packets to or from these ports; more may be added as the cell learns them.
    public func watch(ports: Set<UInt16>) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextWatch += 1
        watches[nextWatch] = (ports, [], 0)
        return nextWatch
    }

    public func add(ports: Set<UInt16>, to watch: Int) {
        lock.lock()
        watches[watch]?.ports.formUnion(ports)
        lock.unlock()
    }

    /// The watch's packets, once every packet sent before this call was read, and the watch ended. The caller
    /// drains the socket itself: packets are queued on a packet socket as they are sent (the outgoing copy is taken
    /// in the sender's call), so nothing sent before is missed, and no thread has to be woken and waited for.
    public func finish(_ watch: Int) -> [Packet] {
        lock.lock()
        defer { lock.unlock() }
        drainHoldingLock()
        return watches.removeValue(forKey: watch)?.packets ?? []
    }

    /// Keeps the socket's queue short between cells' finishes (a bulk cell's burst). It drains at most every 5 ms:
    /// woken by every packet, it competed with the cells for the CPU (0.15 ms more per in-process cell, measured).
    private func read() {
        while true {
            var descriptor = pollfd(fd: packetSocket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 200) > 0 else { continue }
            lock.lock()
            drainHoldingLock()
            lock.unlock()
            usleep(5000)
        }
    }

    private func drainHoldingLock() {
        var control = [UInt8](repeating: 0, count: 64)
        while true {
            var received = 0
            var time = WallClock.microseconds
            frame.withUnsafeMutableBytes { buffer in
                address.withUnsafeMutableBytes { name in
                    control.withUnsafeMutableBytes { controlBytes in
                        var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
                        withUnsafeMutablePointer(to: &vector) { vectorPointer in
                            var message = msghdr(
                                msg_name: name.baseAddress, msg_namelen: socklen_t(name.count), msg_iov: vectorPointer, msg_iovlen: 1,
                                msg_control: controlBytes.baseAddress, msg_controllen: controlBytes.count, msg_flags: 0)
                            received = recvmsg(packetSocket, &message, Int32(MSG_DONTWAIT))
                            // struct cmsghdr (len, level, type) then struct timespec: SCM_TIMESTAMPNS, when the kernel gave it.
                            if received > 0, message.msg_controllen >= 32,
                                controlBytes.load(fromByteOffset: 8, as: Int32.self) == SOL_SOCKET,
                                controlBytes.load(fromByteOffset: 12, as: Int32.self) == SCM_TIMESTAMPNS
                            {
                                let seconds = controlBytes.load(fromByteOffset: 16, as: Int.self)
                                let nanoseconds = controlBytes.load(fromByteOffset: 24, as: Int.self)
                                time = UInt64(seconds) * 1_000_000 + UInt64(nanoseconds / 1000)
                            }
                        }
                    }
                }
            }
            guard received > 0 else { return }
            let count = received
            // Loopback shows each packet twice; the filter keeps the leaving copy, queued as it is sent.
            guard address[10] == Self.outgoing, count > 14, !watches.isEmpty else { continue }
            let packet = Array(frame[14..<count])
            guard let (source, destination) = Self.ports(packet) else { continue }
            for (id, watch) in watches where watch.ports.contains(source) || watch.ports.contains(destination) {
                guard watch.bytes + packet.count <= Self.limit else { continue }
                watches[id]!.packets.append(Packet(time: time, ipPacket: packet))
                watches[id]!.bytes += packet.count
            }
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
