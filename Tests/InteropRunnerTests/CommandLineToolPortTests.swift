import Foundation
import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `gnutls-serv` binds its port on 0.0.0.0 and [::] and keeps running on whichever worked: a failed IPv4 bind
/// must send the cell to another port, not to a server the client cannot reach.
@Suite struct CommandLineToolPortTests {
    /// A TCP socket listening on 0.0.0.0 (every IPv4 address) at a kernel-chosen port.
    func occupyIPv4Wildcard() throws -> (Int32, UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 4) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(ready)
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    @Test func aTakenPortIsNoticedAndAnotherIsUsed() throws {
        let (taken, port) = try occupyIPv4Wildcard()
        defer { close(taken) }
        let offered = PortList([port])
        var runner = ExternalPeerCellRunner(
            setup: PeerSetup(
                executable: PackagePaths.executable, fixtures: PackagePaths.fixtures, certs: PackagePaths.certs,
                deadline: .seconds(5), divergences: InProcessMatrixTests.divergences, libraries: .linked))
        runner.toolPortSource = { datagram in try offered.next(datagram: datagram) }
        let cell = Cell(
            scenario: InProcessMatrixTests.catalog.scenarios.first { $0.id == "H1" }!, server: .gnutls, client: .openssl,
            protocolVersion: .tls13, mode: .externalServer)
        let result = runner.run(cell, seed: 1)
        #expect(result.status == .passed, "\(result.message)\n\(result.peerOutput.joined(separator: "\n"))")
        #expect(offered.handedOut.first == port && offered.handedOut.count == 2)
        #expect(result.peerOutput.contains { $0.hasPrefix("gnutls-serv") && !$0.contains("-p \(port) ") })
    }
}

/// Hands out the given ports first, then free ones, remembering each.
final class PortList: @unchecked Sendable {
    // Guarded by `lock`: the runner asks from its own thread.
    private let lock = NSLock()
    private var queued: [UInt16]
    private(set) var handedOut: [UInt16] = []

    init(_ ports: [UInt16]) {
        queued = ports
    }

    func next(datagram: Bool) throws -> UInt16 {
        try lock.withLock {
            let port = queued.isEmpty ? try TCPListener().address.port : queued.removeFirst()
            handedOut.append(port)
            return port
        }
    }
}
