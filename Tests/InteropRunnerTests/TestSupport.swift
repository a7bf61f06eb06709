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
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The result of running a program to completion.
struct ProcessResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

func runProgram(_ executable: String, _ arguments: [String], in directory: String = PackagePaths.root) throws -> ProcessResult {
    // A missing binary would otherwise surface as an obscure launch error in every test that uses it.
    try #require(FileManager.default.isExecutableFile(atPath: executable), "not an executable: \(executable)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
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
