import Foundation
import InteropCore
import InteropRunner
import Testing

/// Paths of the package this test run belongs to.
enum PackagePaths {
    static let root = String(#filePath.split(separator: "/Tests/").first!)
    static let fixtures = root + "/fixtures"
    static let certs = root + "/certs"

    /// The `tls-interop` binary built beside the test bundle (the test target depends on it).
    static var executable: String {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        // The test binary lives inside TLSInteropPackageTests.xctest on Linux or beside it; walk up to the products.
        for _ in 0..<3 where !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("tls-interop").path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("tls-interop").path
    }
}

/// A scratch directory removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tls-interop-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A copy of the package's fixtures in `directory`, with one scenario file changed by `edit` (which must change it):
/// how a test makes a cell fail, or a scenario vanish, without touching the real catalogue.
func copyOfFixtures(in directory: TemporaryDirectory, editing name: String, _ edit: (String) throws -> String) throws -> String {
    let fixtures = directory.path + "/fixtures"
    try FileManager.default.copyItem(atPath: PackagePaths.fixtures, toPath: fixtures)
    let file = fixtures + "/scenarios/" + name
    let text = try String(contentsOfFile: file, encoding: .utf8)
    let edited = try edit(text)
    try #require(edited != text, "the edit changed nothing in \(name)")
    try edited.write(toFile: file, atomically: false, encoding: .utf8)
    return fixtures
}

/// `tls-interop list` over a catalogue of one scenario, given as its YAML flow mapping (`{id: N9, …}`) in a
/// family of its own: how a fixture's bad value is refused (exit 2, the field named).
func listOneScenario(family: String, _ entry: String) throws -> ProcessResult {
    let directory = try TemporaryDirectory()
    _ = try directory.write("fixtures/divergences.yaml", "divergences: []\n")
    _ = try directory.write("fixtures/scenarios/\(family).yaml", "family: \(family)\ntitle: t\nscenarios:\n  - \(entry)\n")
    return try runProgram(PackagePaths.executable, ["list", "--fixtures", directory.path + "/fixtures"])
}

/// The result of running a program to completion.
struct ProcessResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// - Parameter environment: variables to set for the program on top of this process's.
func runProgram(
    _ executable: String, _ arguments: [String], in directory: String = PackagePaths.root, environment: [String: String] = [:]
) throws -> ProcessResult {
    // A missing binary would otherwise surface as an obscure launch error in every test that uses it.
    try #require(FileManager.default.isExecutableFile(atPath: executable), "not an executable: \(executable)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    // Read before waiting so a large output cannot fill the pipe and stall the child.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData, as: UTF8.self))
}

/// `xmllint`, the real parser the JUnit report is checked with.
func xmllint(_ arguments: [String]) throws -> ProcessResult {
    try runProgram("/usr/bin/xmllint", arguments)
}

/// The process table as `/proc` shows it: who is whose child, and who is still alive.
enum ProcessTable {
    /// Live (not zombie) processes whose parent is `parent`, with their command lines.
    static func children(of parent: pid_t) -> [(pid: pid_t, command: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { pid in
            guard let stat = status(pid), stat.parent == parent, stat.state != "Z" else { return nil }
            return (pid, commandLine(pid))
        }
    }

    /// Whether `pid` exists and is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = status(pid) else { return false }
        return stat.state != "Z"
    }

    static func commandLine(_ pid: pid_t) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
    }

    /// State letter and parent from `/proc/PID/stat` (the command name in parentheses may hold spaces).
    private static func status(_ pid: pid_t) -> (state: Character, parent: pid_t)? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = Int32(fields[1]) else { return nil }
        return (state, parent)
    }

    /// Waits up to `limit` for `condition`, checking every 20 ms.
    static func wait(upTo limit: Duration, for condition: () -> Bool) -> Bool {
        let end = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < end {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }
}

/// A `tls-interop` process the test starts and signals; its stdout is thrown away, its stderr kept in a file when
/// one is given.
final class RunnerProcess {
    let process = Process()

    init(_ arguments: [String], standardErrorFile: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: PackagePaths.executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: PackagePaths.root)
        process.standardOutput = FileHandle.nullDevice
        if let standardErrorFile {
            FileManager.default.createFile(atPath: standardErrorFile, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: standardErrorFile)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the runner to end; nil if it is still running after `limit` (it is then killed).
    func exitStatus(within limit: Duration) -> Int32? {
        guard ProcessTable.wait(upTo: limit, for: { !process.isRunning }) else {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

/// A fixtures folder with one scenario whose two ends each read until the other concludes, which neither does:
/// an in-process cell that lasts until its deadline.
func fixturesWithAWaitingScenario(in directory: TemporaryDirectory) throws -> String {
    _ = try directory.write("fixtures/divergences.yaml", "divergences: []\n")
    _ = try directory.write(
        "fixtures/scenarios/W-waits.yaml",
        """
        family: W
        title: waits
        scenarios:
          - id: W1
            name: both-wait
            protocols: [tls1.3]
            description: Both ends read until the other concludes, which neither does.
            server:
              steps: [handshake, readToEnd]
            client:
              steps: [handshake, readToEnd]
            expect:
              clientHandshake: completed

        """)
    return directory.path + "/fixtures"
}
