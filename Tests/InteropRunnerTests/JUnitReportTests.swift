import Foundation
import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

@Suite struct JUnitReportTests {
    static let catalog = try! ScenarioCatalog.load(directory: PackagePaths.fixtures + "/scenarios", libraries: .linked)

    /// Bytes no XML 1.0 document may hold, plus markup that must be escaped, as a library or peer might print them.
    static let hostile = "bell\u{07} nul\u{00} esc\u{1B}[31m cdata-end ]]> tags <failure> & \"quotes\" tab\tnewline\n"
        + "fffe\u{FFFE} invalid-utf8:" + String(decoding: [0xC3, 0x28, 0xFF], as: UTF8.self)

    func result(_ status: CellStatus, scenario: String, message: String) -> CellResult {
        let cell = Cell(
            scenario: Self.catalog.scenarios.first { $0.id == scenario }!, server: .openssl, client: .gnutls,
            protocolVersion: .tls13, mode: .inProcess)
        var record = ConnectionRecord(role: .client, library: .gnutls, ordinal: 1)
        record.notes = [Self.hostile]
        return CellResult(
            cell: cell, status: status, message: message, checks: [], divergence: nil, serverConnections: [],
            clients: [record], observation: nil, seed: 7, duration: .milliseconds(1234), deadlineExpired: false)
    }

    func writeReport(_ results: [CellResult]) throws -> (TemporaryDirectory, String) {
        let report = RunReport(
            results: results,
            libraries: [
                ReportedLibrary(library: .openssl, displayName: "OpenSSL", matrixMark: "o", version: "OpenSSL \u{01}x"),
                ReportedLibrary(library: .gnutls, displayName: "GnuTLS", matrixMark: "g", version: "GnuTLS"),
            ], seed: 7,
            startedAt: Date(timeIntervalSince1970: 0), duration: .milliseconds(5000))
        let directory = try TemporaryDirectory()
        let path = directory.path + "/nested/junit.xml"
        try JUnitReport.write(JUnitReport.render(report), to: path)
        return (directory, path)
    }

    @Test func hostileTextStaysWellFormedAndReadable() throws {
        let (directory, path) = try writeReport([
            result(.failed, scenario: "A4", message: Self.hostile), result(.passed, scenario: "H1", message: "ok"),
        ])
        _ = directory
        let check = try xmllint(["--noout", path])
        #expect(check.status == 0, "\(check.standardError)")
        let message = try xmllint(["--xpath", "string(//failure/@message)", path]).standardOutput
        #expect(message.contains("cdata-end ]]> tags <failure> & \"quotes\" tab\tnewline\n"))
        #expect(message.contains("bell\\u{7} nul\\u{0} esc\\u{1B}[31m"))
        #expect(message.contains("fffe\\u{FFFE}"))
        #expect(message.contains("invalid-utf8:\u{FFFD}("))
        let output = try xmllint(["--xpath", "string(//testcase[1]/system-out)", path]).standardOutput
        #expect(output.contains("note: bell\\u{7}"))
    }

    @Test func countsMatchTheChildren() throws {
        let (directory, path) = try writeReport([
            result(.failed, scenario: "A4", message: "x"), result(.passed, scenario: "A1", message: "ok"),
            result(.divergent, scenario: "A3a", message: "documented divergence D3"),
            result(.skipped, scenario: "A4n", message: "not applicable: gnutls only"),
            result(.error, scenario: "H1", message: "harness error"),
        ])
        _ = directory
        func count(_ expression: String) throws -> String {
            try xmllint(["--xpath", expression, path]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try count("count(//testcase)") == "5")
        #expect(try count("string(/testsuites/@tests)") == "5")
        #expect(try count("string(/testsuites/@failures)") == "1")
        #expect(try count("string(/testsuites/@errors)") == "1")
        #expect(try count("count(//testsuite)") == "2")
        #expect(try count("string(//testsuite[1]/@tests)") == "4")
        #expect(try count("string(//testsuite[1]/@skipped)") == "2")
        #expect(try count("count(//testsuite[1]/testcase/skipped)") == "2")
        #expect(try count("string(//skipped[@type='divergent']/@message)").hasPrefix("divergent: "))
        #expect(try count("string(//testsuite[1]/properties/property[@name='seed']/@value)") == "7")
        #expect(try count("string(/testsuites/@time)") == "5.000")
        #expect(try count("string(//testsuite[1]/@name)") == "A — ALPN rejection")
    }

    @Test func configurationErrorReportIsValidAndSaysWhy() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/junit.xml"
        try JUnitReport.write(JUnitReport.renderConfigurationError("fixtures/x.yaml: field 'a' ]]> \u{0}", libraries: []), to: path)
        #expect(try xmllint(["--noout", path]).status == 0)
        let message = try xmllint(["--xpath", "string(//error/@message)", path]).standardOutput
        #expect(message.hasPrefix("fixtures/x.yaml: field 'a' ]]> \\u{0}"))
    }

    @Test func secondsHaveThreeDecimalsAndNoExponent() throws {
        let (directory, path) = try writeReport([result(.passed, scenario: "H1", message: "ok")])
        _ = directory
        let time = try xmllint(["--xpath", "string(//testcase/@time)", path]).standardOutput.trimmingCharacters(in: .newlines)
        #expect(time == "1.234")
    }

    @Test func longTracesAreTruncatedWithANote() {
        let text = String(repeating: "x", count: 2000)
        let cut = XMLText.truncated(text, limit: 100)
        #expect(cut.hasPrefix(String(repeating: "x", count: 50)))
        #expect(cut.contains("[1900 bytes truncated]"))
        #expect(XMLText.truncated("short", limit: 100) == "short")
    }
}
