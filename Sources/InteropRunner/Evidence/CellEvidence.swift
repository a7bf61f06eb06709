import InteropCore
import Synchronization

/// What a cell leaves for a maintainer to open in Wireshark: the bytes its links carried and the secrets its
/// sessions derived, and once written, where the files are.
public final class CellEvidence: Sendable {
    public let capture: WireCapture
    public let secrets: SecretLog
    private let written = Mutex<EvidenceFiles?>(nil)

    public init(isDatagram: Bool) {
        capture = WireCapture(isDatagram: isDatagram)
        secrets = SecretLog()
    }

    /// The files, relative to the reports folder, once `EvidenceFolder` wrote them.
    public var files: EvidenceFiles? {
        get { written.withLock { $0 } }
        set { written.withLock { $0 = newValue } }
    }
}

/// A cell's evidence files, relative to the reports folder (as results.json and the pages link them).
public struct EvidenceFiles: Codable, Sendable, Equatable {
    public var capture: String
    public var keyLog: String
    /// What the capture is missing, if anything (bytes past the size limit).
    public var note: String?

    /// The command that shows the decrypted conversation, run from the reports folder.
    public var tsharkCommand: String {
        "tshark -r \(capture) -o tls.keylog_file:\(keyLog) -Y tls -V"
    }
}

/// Which cells keep their evidence: none, those a reader investigates (failed, divergent, changed since the
/// baseline; the default), or all.
public enum EvidencePolicy: String, Sendable, CaseIterable {
    case none
    case failed
    case all
}
