import Foundation
import InteropRunner
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A peer whose stdout reader has gone (its runner died) exits on its own, without a Swift fatal error.
@Suite struct PeerOutputTests {
    @Test func aPeerWithAClosedStdoutExitsQuietly() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PackagePaths.executable)
        process.arguments = [
            "peer", "--role", "server", "--scenario", "H1", "--server", "openssl", "--client", "openssl", "--protocol", "tls1.3",
            "--deadline", "5", "--fixtures", PackagePaths.fixtures, "--certs", PackagePaths.certs,
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        // The reader is gone before the peer announces its port.
        try output.fileHandleForReading.close()
        let started = ContinuousClock.now
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)
        #expect(stderr.contains("stdout is closed"), "\(stderr)")
        #expect(!stderr.contains("Fatal error") && !stderr.contains("Backtrace"), "\(stderr)")
        #expect(started.duration(to: .now) < .seconds(3))
    }
}
