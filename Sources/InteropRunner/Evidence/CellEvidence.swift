import InteropCore
import Synchronization

/// What a cell leaves for a maintainer to open in Wireshark: the bytes its links carried (recorded by an in-memory
/// link, or read off loopback for the cell's ports) and the secrets its sessions derived, and once written, where
/// the files are.
public final class CellEvidence: Sendable {
    public let capture: WireCapture
    public let secrets: SecretLog
    private let written = Mutex<EvidenceFiles?>(nil)
    private struct Loopback {
        var watch: Int?
        var packets: [LoopbackSniffer.Packet] = []
        var unavailable: String?
    }
    private let loopback = Mutex(Loopback())

    public init(isDatagram: Bool) {
        capture = WireCapture(isDatagram: isDatagram)
        secrets = SecretLog()
    }

    /// Evidence written earlier (a shard's, being merged): the files alone.
    public convenience init(written files: EvidenceFiles) {
        self.init(isDatagram: false)
        self.files = files
    }

    /// Starts keeping what passes on loopback to or from these ports (a cell on real sockets).
    public func watchLoopback(ports: Set<UInt16>) {
        switch LoopbackSniffer.shared {
        case .success(let sniffer):
            let watch = sniffer.watch(ports: ports)
            loopback.withLock { $0.watch = watch }
        case .failure(let unavailable):
            loopback.withLock { $0.unavailable = unavailable.reason }
        }
    }

    public func addLoopbackPorts(_ ports: Set<UInt16>) {
        guard let watch = loopback.withLock({ $0.watch }), case .success(let sniffer) = LoopbackSniffer.shared else { return }
        sniffer.add(ports: ports, to: watch)
    }

    /// Ends the loopback watch, keeping its packets.
    public func finishLoopback() {
        guard let watch = loopback.withLock({ $0.watch }), case .success(let sniffer) = LoopbackSniffer.shared else { return }
        let packets = sniffer.finish(watch)
        loopback.withLock {
            $0.watch = nil
            $0.packets = packets
        }
    }

    var loopbackPackets: [LoopbackSniffer.Packet] { loopback.withLock { $0.packets } }
    /// Why a cell on real sockets has no capture, when it has none.
    var captureUnavailable: String? { loopback.withLock { $0.unavailable } }

    func discard() {
        capture.discard()
        loopback.withLock { $0.packets = [] }
    }

    /// The files, relative to the reports folder, once `EvidenceFolder` wrote them.
    public var files: EvidenceFiles? {
        get { written.withLock { $0 } }
        set { written.withLock { $0 = newValue } }
    }
}

/// A cell's evidence files, relative to the reports folder (as results.json and the pages link them).
public struct EvidenceFiles: Codable, Sendable, Equatable {
    /// Nil when nothing could be captured (the note says why).
    public var capture: String?
    public var keyLog: String
    /// What the capture is missing, if anything (bytes past the size limit).
    public var note: String?

    /// The command that shows the decrypted conversation, run from the reports folder.
    public var tsharkCommand: String? {
        capture.map { "tshark -r \($0) -o tls.keylog_file:\(keyLog) -Y tls -V" }
    }
}

/// Which cells keep their evidence: none, those a reader investigates (failed, divergent, changed since the
/// baseline; the default), or all.
public enum EvidencePolicy: String, Sendable, CaseIterable {
    case none
    case failed
    case all
}
