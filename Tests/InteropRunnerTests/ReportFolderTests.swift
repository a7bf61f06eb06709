import Foundation
import InteropRunner
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A reports folder holds one run's set: a configuration error replaces the previous set, an early signal leaves
/// nothing unmarked, and a second run into the same folder is refused while the first writes.
@Suite(.serialized) struct ReportFolderTests {
    /// A folder holding a complete previous run's set.
    func folderWithAPreviousRun(_ directory: TemporaryDirectory) throws -> String {
        let reports = directory.path + "/reports"
        let result = try runProgram(PackagePaths.executable, OutputPathTests.oneCell + ["--reports", reports])
        try #require(result.status == 0)
        try #require(try String(contentsOfFile: reports + "/summary.md", encoding: .utf8).contains("1 passed"))
        return reports
    }

    @Test func aConfigurationErrorReplacesThePreviousSet() throws {
        let directory = try TemporaryDirectory()
        let reports = try folderWithAPreviousRun(directory)
        let result = try runProgram(
            PackagePaths.executable, OutputPathTests.oneCell + ["--reports", reports, "--certs", directory.path + "/no-certs"])
        #expect(result.status == 2)
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.contains("Configuration error") && !summary.contains("passed"))
        #expect(try String(contentsOfFile: reports + "/index.html", encoding: .utf8).contains("Configuration error"))
        #expect(!FileManager.default.fileExists(atPath: reports + "/results.json"))
        let junit = try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("<error type=\"configuration\"") && junit.contains("no-certs"), "\(junit)")
    }

    @Test(arguments: [0.05, 0.1, 0.2, 0.3])
    func anEarlySignalLeavesNoUnmarkedPreviousReport(delay: Double) throws {
        let directory = try TemporaryDirectory()
        let reports = try folderWithAPreviousRun(directory)
        let runner = try RunnerProcess(["run", "--filter", "H", "--mode", "out-of-process", "--reports", reports])
        Thread.sleep(forTimeInterval: delay)
        runner.signal(SIGTERM)
        _ = runner.exitStatus(within: .seconds(10))
        // Either the run had not begun (nothing of it, and the old set is whole) or its own set says it is partial.
        if let summary = try? String(contentsOfFile: reports + "/summary.md", encoding: .utf8), !summary.contains("Partial report") {
            #expect(summary.contains("1 passed"), "an unmarked set that is not the previous run's: \(summary.prefix(300))")
            let results = try ResultsDocument.load(reports + "/results.json")
            #expect(results.cells.count == 1 && results.interrupted == nil)
        }
    }

    @Test func aSecondRunIntoTheSameFolderIsRefused() throws {
        let directory = try TemporaryDirectory()
        let reports = directory.path + "/reports"
        let first = try RunnerProcess(["run", "--filter", "H,A", "--mode", "out-of-process", "--jobs", "1", "--reports", reports])
        #expect(ProcessTable.wait(upTo: .seconds(5)) { FileManager.default.fileExists(atPath: reports + "/.tls-interop.lock") })
        Thread.sleep(forTimeInterval: 0.3)
        let second = try runProgram(PackagePaths.executable, OutputPathTests.oneCell + ["--reports", reports])
        #expect(second.status == 2)
        #expect(second.standardError.contains("another tls-interop run (pid \(first.pid)) is writing its reports there"), "\(second.standardError)")
        #expect(first.exitStatus(within: .seconds(60)) == 0)
        let results = try ResultsDocument.load(reports + "/results.json")
        #expect(results.cells.count > 1 && results.cells.allSatisfy { !$0.id.hasPrefix("H1/openssl-openssl/tls1.3/in-process") })
    }
}
