import Foundation
import InteropCore

/// `reports/evidence/`: each kept cell's capture (`ID.pcapng`) and key log (`ID.keys`), written as the cell
/// finishes, so that a run holds only the cells in flight in memory. Which cells are kept is the policy's choice;
/// with a baseline, a cell whose outcome changed since is kept too.
public struct EvidenceFolder: Sendable {
    public let reports: String
    public let policy: EvidencePolicy
    /// The baseline's cells by id, when the run has one.
    public let baseline: [String: ResultsDocument.CellRecord]?

    public static let folderName = "evidence"

    public init(reports: String, policy: EvidencePolicy, baseline: ResultsDocument?) {
        self.reports = reports
        self.policy = policy
        self.baseline = baseline.map { Dictionary($0.cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }) }
    }

    /// Whether a finished cell's evidence is worth its files.
    public func keeps(_ result: CellResult) -> Bool {
        switch policy {
        case .none: return false
        case .all: return true
        case .failed:
            if [.failed, .error, .divergent].contains(result.status) { return true }
            guard let baseline else { return false }
            guard let previous = baseline[result.cell.id] else { return true }
            return ResultsDiff.change(from: previous, to: ResultsDocument.CellRecord(result)) != nil
        }
    }

    /// Writes a kept cell's files and records where on its evidence; frees the captured bytes either way.
    public func finish(_ result: CellResult) throws(OutputFileError) {
        guard let evidence = result.evidence else { return }
        defer { evidence.discard() }
        guard keeps(result) else { return }
        let folder = reports + "/" + Self.folderName
        try OutputFile.createFolder(folder)
        let name = Self.fileName(result.cell.id)
        // Both ends of a cell log the same secrets; one line each is enough.
        var seen: Set<String> = []
        let secrets = evidence.secrets.lines.filter { seen.insert($0).inserted }
        let sniffed = evidence.loopbackPackets
        var notes: [String] = []
        var capture: String? = Self.folderName + "/" + name + ".pcapng"
        if !sniffed.isEmpty {
            let packets = sniffed.map { PcapngWriter.Packet(time: $0.time, ipPacket: $0.ipPacket, comment: nil) }
            try OutputFile.write(Data(PcapngWriter.render(packets: packets, secrets: secrets)), to: reports + "/" + capture!)
        } else if !evidence.capture.segments.isEmpty {
            try OutputFile.write(Data(PcapngWriter.render(evidence.capture, secrets: secrets)), to: reports + "/" + capture!)
        } else {
            capture = nil
            notes.append(evidence.captureUnavailable ?? "no capture: no packet of this cell was seen")
        }
        try OutputFile.write(Data(secrets.map { $0 + "\n" }.joined().utf8), to: folder + "/" + name + ".keys")
        if secrets.isEmpty { notes.append("no secrets: the sessions of this cell handed none to the harness") }
        let dropped = evidence.capture.droppedBytes
        if dropped > 0 { notes.append("the capture stops after \(WireCapture.limit) bytes; \(dropped) more were not kept") }
        evidence.files = EvidenceFiles(
            capture: capture, keyLog: Self.folderName + "/" + name + ".keys", note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// `A4/gnutls-openssl/tls1.3/in-process` → `A4_gnutls-openssl_tls1.3_in-process`.
    static func fileName(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
    }
}
