import Foundation
import InteropRunner
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--junit` and `--reports` write according to what sits at the path: devices and FIFOs are streamed to and stay
/// what they are, links are followed, write errors exit 2, and bad paths are refused before the first cell.
/// Device nodes are made with mknod in a temporary folder, never the real /dev.
@Suite struct OutputPathTests {
    /// One fast cell.
    static let oneCell = [
        "run", "--filter", "H1", "--mode", "in-process", "--server", "openssl", "--client", "openssl", "--protocol", "tls1.3",
    ]

    func makeDevice(_ path: String, major: UInt32, minor: UInt32) throws {
        // makedev(1, 3) is /dev/null, makedev(1, 7) /dev/full.
        let device = dev_t((major << 8) | minor)
        try #require(mknod(path, S_IFCHR | 0o666, device) == 0, "mknod \(path): \(String(cString: strerror(errno)))")
    }

    func fileType(_ path: String) -> mode_t? {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : nil
    }

    @Test func aCharacterDeviceIsWrittenToAndStaysADevice() throws {
        let directory = try TemporaryDirectory()
        let null = directory.path + "/null"
        try makeDevice(null, major: 1, minor: 3)
        let result = try runProgram(PackagePaths.executable, Self.oneCell + ["--junit", null])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(fileType(null) == S_IFCHR)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["null"])
    }

    @Test func aFullDeviceIsAWriteErrorWithExit2() throws {
        let directory = try TemporaryDirectory()
        let full = directory.path + "/full"
        try makeDevice(full, major: 1, minor: 7)
        let result = try runProgram(PackagePaths.executable, Self.oneCell + ["--junit", full])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--junit \(full): No space left on device"), "\(result.standardError)")
        #expect(fileType(full) == S_IFCHR)
    }

    @Test func aSymbolicLinkIsFollowedAndKept() throws {
        let directory = try TemporaryDirectory()
        let target = try directory.write("target.xml", "old")
        let link = directory.path + "/link.xml"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let null = directory.path + "/null"
        try makeDevice(null, major: 1, minor: 3)
        let deviceLink = directory.path + "/stdout-like"
        try FileManager.default.createSymbolicLink(atPath: deviceLink, withDestinationPath: null)
        #expect(try runProgram(PackagePaths.executable, Self.oneCell + ["--junit", link]).status == 0)
        #expect(fileType(link) == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("<testsuites"))
        #expect(try runProgram(PackagePaths.executable, Self.oneCell + ["--junit", deviceLink]).status == 0)
        #expect(fileType(deviceLink) == S_IFLNK)
        #expect(fileType(null) == S_IFCHR)
    }

    @Test func aFIFOIsStreamedToItsReader() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.path + "/fifo"
        try #require(mkfifo(fifo, 0o600) == 0)
        // The reader holds the FIFO open from before the run until the end of what the run writes.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let output = Pipe()
        reader.standardOutput = output
        try reader.run()
        let result = try runProgram(PackagePaths.executable, Self.oneCell + ["--junit", fifo])
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.waitUntilExit()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(text.contains("<testsuites") && text.contains("H1 echo"))
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test func aBadJUnitPathIsRefusedBeforeTheFirstCellAndReportsAreStillWritten() throws {
        let directory = try TemporaryDirectory()
        let folder = directory.path + "/a-folder"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let started = ContinuousClock.now
        let result = try runProgram(
            PackagePaths.executable,
            ["run", "--filter", "H", "--mode", "out-of-process", "--junit", folder, "--reports", directory.path + "/reports"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--junit \(folder): is a directory"), "\(result.standardError)")
        // Refused up front: no cell ran (the H family out of process takes seconds).
        #expect(started.duration(to: .now) < .seconds(3))
        #expect(!result.standardOutput.contains("passed"))
        let summary = try String(contentsOfFile: directory.path + "/reports/summary.md", encoding: .utf8)
        #expect(summary.contains("Configuration error") && summary.contains("--junit"))
    }

    @Test func temporariesOfKilledRunsAreSweptAndLiveOnesKept() throws {
        let directory = try TemporaryDirectory()
        // A pid above the kernel's maximum cannot be alive; this test's own pid is.
        let stale = try directory.write(".junit.xml.2147483600.tmp", "half")
        let live = try directory.write(".junit.xml.\(getpid()).tmp", "someone else's")
        #expect(try runProgram(PackagePaths.executable, Self.oneCell + ["--reports", directory.path]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers == [URL(fileURLWithPath: live).lastPathComponent])
    }
}
