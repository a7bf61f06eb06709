import Foundation
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// The four reports of a run, written together into one folder: `junit.xml`, `results.json`, `summary.md` and
/// `index.html`. They are one set: a run takes the folder's lock before anything else (a second run into the
/// same folder is refused), clears the previous run's set, and writes its own — complete, partial and marked as
/// such, or a configuration error — so the folder never mixes two runs. Each file is written by `OutputFile`.
public struct ReportSet: Sendable {
    public var directory: String
    private let lock = FolderLock()

    public init(directory: String) {
        self.directory = directory
    }

    public var junitPath: String { directory + "/junit.xml" }
    public var resultsPath: String { directory + "/results.json" }
    public var summaryPath: String { directory + "/summary.md" }
    public var htmlPath: String { directory + "/index.html" }
    var paths: [String] { [junitPath, resultsPath, summaryPath, htmlPath] }

    /// Before any cell runs: creates the folder, takes its lock, removes the previous set and checks that every
    /// file can be written.
    public func prepare() throws(ConfigurationError) {
        do {
            try OutputFile.createFolder(directory)
        } catch {
            throw ConfigurationError("--reports \(error)")
        }
        try lock.acquire(directory + "/.tls-interop.lock")
        // The previous run's wire evidence goes with its reports, so links never lead to another run's capture.
        let evidence = directory + "/" + EvidenceFolder.folderName
        let previousEvidence = ((try? FileManager.default.contentsOfDirectory(atPath: evidence)) ?? [])
            .filter { $0.hasSuffix(".pcapng") || $0.hasSuffix(".keys") }.map { evidence + "/" + $0 }
        for path in paths + previousEvidence {
            // Only regular files: a link or a device the user put there is theirs.
            var status = stat()
            if lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG { unlink(path) }
        }
        for path in paths { try OutputFile.checkWritable(path, option: "--reports") }
    }

    /// `results` is the report's results document when the caller already made one. Every file is attempted; the
    /// errors of those that failed are thrown together.
    public func write(_ report: RunReport, results: ResultsDocument? = nil, baselineChanges: [ResultsDiff.Change]?) throws(ReportWriteErrors) {
        var failures: [String] = []
        func attempt(_ path: String, _ contents: () throws -> Data) {
            do {
                try OutputFile.write(try contents(), to: path)
            } catch {
                failures.append("\(error)")
            }
        }
        attempt(junitPath) { Data(JUnitReport.render(report).utf8) }
        attempt(resultsPath) {
            try (results ?? ResultsDocument(report).summarizingPassedTraces(except: Set((baselineChanges ?? []).map(\.id)))).encoded()
        }
        attempt(summaryPath) { Data(MarkdownSummary.render(report, baselineChanges: baselineChanges).utf8) }
        attempt(htmlPath) { Data(HTMLReport.render(report, baselineChanges: baselineChanges).utf8) }
        if !failures.isEmpty { throw ReportWriteErrors(failures: failures) }
    }

    /// After a configuration error, once the folder's lock is held: the set says what went wrong instead of
    /// showing the previous run's results (which `prepare` removed, or removes here if it did not get that far).
    public func writeConfigurationError(_ message: String, libraries: [ReportedLibrary]) {
        guard lock.isHeld else { return }
        unlink(resultsPath)
        try? OutputFile.write(Data(JUnitReport.renderConfigurationError(message, libraries: libraries).utf8), to: junitPath)
        try? OutputFile.write(Data(MarkdownSummary.renderConfigurationError(message).utf8), to: summaryPath)
        try? OutputFile.write(Data(HTMLReport.renderConfigurationError(message).utf8), to: htmlPath)
    }
}

/// Report files that could not be written, each with its path and reason.
public struct ReportWriteErrors: Error, CustomStringConvertible {
    public var failures: [String]

    public var description: String { failures.joined(separator: "; ") }
}

/// An exclusive `flock` on a file in the reports folder, held until the process ends; the file holds the holder's
/// pid for the message the next run prints.
final class FolderLock: @unchecked Sendable {
    // Written once by `acquire` on the run's main thread, before any other thread exists.
    private var descriptor: Int32 = -1

    var isHeld: Bool { descriptor >= 0 }

    func acquire(_ path: String) throws(ConfigurationError) {
        guard descriptor < 0 else { return }
        let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            throw ConfigurationError("--reports: cannot create the lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(opened, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            Glibc.close(opened)
            throw ConfigurationError(
                "--reports \((path as NSString).deletingLastPathComponent): another tls-interop run"
                    + (holder.map { $0.isEmpty ? "" : " (pid \($0))" } ?? "") + " is writing its reports there; "
                    + "wait for it or choose another folder")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(opened, 0)
        _ = pid.withUnsafeBytes { pwrite(opened, $0.baseAddress, $0.count, 0) }
        descriptor = opened
    }
}
