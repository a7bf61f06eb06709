import Foundation
import InteropRunner
import Testing

/// Certificates the libraries cannot use are a configuration error named up front (exit 2), not a prompt that
/// hangs or a matrix of failed cells.
@Suite struct UnusableCredentialsTests {
    /// A certificate folder with the test CA and chain and the given key.
    func certs(in directory: TemporaryDirectory) throws -> String {
        let folder = directory.path + "/certs"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["ca.pem", "server-chain.pem"] {
            try FileManager.default.copyItem(atPath: PackagePaths.certs + "/" + name, toPath: folder + "/" + name)
        }
        return folder
    }

    func shell(_ script: String, in directory: String) throws -> ProcessResult {
        try runProgram("/bin/sh", ["-c", script], in: directory)
    }

    @Test func anEncryptedKeyIsRefusedWithoutPromptingEvenOnATerminal() throws {
        let directory = try TemporaryDirectory()
        let folder = try certs(in: directory)
        let encrypt = try shell(
            "openssl pkey -in '\(PackagePaths.certs)/server.key' -aes256 -passout pass:secret -out server.key", in: folder)
        try #require(encrypt.status == 0, "\(encrypt.standardError)")
        // `script` gives the run a terminal, where OpenSSL's default callback would prompt; its input is a pipe this
        // test holds open, so a prompt would wait rather than read end of file.
        let command = "\(PackagePaths.executable) run --certs \(folder) --filter H1 --mode in-process --protocol tls1.3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["15", "script", "-qec", command, "/dev/null"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let started = ContinuousClock.now
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try input.fileHandleForWriting.close()
        let result = ProcessResult(status: process.terminationStatus, standardOutput: text, standardError: "")
        #expect(result.status == 2, "\(result.standardOutput)")
        #expect(!result.standardOutput.contains("Enter PEM pass phrase"))
        #expect(result.standardOutput.contains("private key \(folder)/server.key is encrypted"), "\(result.standardOutput)")
        #expect(started.duration(to: .now) < .seconds(10))
    }

    /// A self-signed certificate for localhost valid from `start` to `end` (openssl ca's YYYYMMDDHHMMSSZ), used as
    /// both chain and trust anchor.
    func certs(validFrom start: String, to end: String, in directory: TemporaryDirectory) throws -> String {
        let folder = directory.path + "/certs"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try directory.write(
            "certs/ca.cnf",
            "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\n"
                + "policy = p\n[p]\ncommonName = supplied\n")
        let made = try shell(
            """
            set -e
            touch index.txt; echo 01 > serial
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -subj /CN=localhost -out server.csr
            openssl ca -batch -config ca.cnf -selfsign -keyfile server.key -in server.csr -startdate \(start) -enddate \(end) -notext -out server-chain.pem
            cp server-chain.pem ca.pem
            """, in: folder)
        try #require(made.status == 0, "\(made.standardError)")
        return folder
    }

    @Test(arguments: [
        ("20200101000000Z", "20210101000000Z", "certificate /CN=localhost expired on 2021-01-01 00:00:00 UTC"),
        ("20900101000000Z", "20910101000000Z", "certificate /CN=localhost is not valid before 2090-01-01 00:00:00 UTC"),
    ])
    func aCertificateOutsideItsValidityIsAConfigurationError(start: String, end: String, message: String) throws {
        let directory = try TemporaryDirectory()
        let folder = try certs(validFrom: start, to: end, in: directory)
        let result = try runProgram(PackagePaths.executable, OutputPathTests.oneCell + ["--certs", folder])
        #expect(result.status == 2)
        #expect(result.standardError.contains("certificate chain \(folder)/server-chain.pem: \(message)"), "\(result.standardError)")
    }
}
