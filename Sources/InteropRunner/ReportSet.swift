import Foundation
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// The four reports of a run, written together into one folder: `junit.xml`, `results.json`, `summary.md` and
/// `index.html`. Each file is written to a temporary name and renamed, so a reader never sees half of one.
public struct ReportSet: Sendable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var junitPath: String { directory + "/junit.xml" }
    public var resultsPath: String { directory + "/results.json" }
    public var summaryPath: String { directory + "/summary.md" }
    public var htmlPath: String { directory + "/index.html" }

    /// Fails before any cell runs if the folder cannot be created or written.
    public func prepare() throws(ConfigurationError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let probe = directory + "/.tls-interop-write-probe-\(getpid())"
            try Data().write(to: URL(fileURLWithPath: probe))
            try FileManager.default.removeItem(atPath: probe)
        } catch {
            throw ConfigurationError("--reports: cannot write to \(directory): \(error.localizedDescription)")
        }
    }

    /// `results` is the report's results document when the caller already made one.
    public func write(_ report: RunReport, results: ResultsDocument? = nil, baselineChanges: [ResultsDiff.Change]?) throws {
        try AtomicFile.write(Data(JUnitReport.render(report).utf8), to: junitPath)
        try AtomicFile.write(try (results ?? ResultsDocument(report)).encoded(), to: resultsPath)
        try AtomicFile.write(Data(MarkdownSummary.render(report, baselineChanges: baselineChanges).utf8), to: summaryPath)
        try AtomicFile.write(Data(HTMLReport.render(report, baselineChanges: baselineChanges).utf8), to: htmlPath)
    }
}

/// Writes a file under a temporary name in the same folder, then renames it over the target.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "rename to \(path): \(String(cString: strerror(code)))"])
        }
    }
}
