import Foundation
import InteropRunner
import Testing

/// Every string a fixture supplies reaches `index.html` and `summary.md` escaped: an image tag with a script
/// handler in every free-text field shows as text and nowhere as markup. Families and ids, which name anchors,
/// classes and command-line arguments, are refused unless plain.
@Suite struct ReportEscapingTests {
    static let bomb = "<img src=x onerror=alert(1)>"

    func fixtures(in directory: TemporaryDirectory, family: String = "H", id: String = "H1") throws -> String {
        let quoted = "'\(Self.bomb) | `x` *y* [z](javascript:alert(1))'"
        _ = try directory.write(
            "fixtures/scenarios/H.yaml",
            """
            family: \(family)
            title: \(quoted)
            scenarios:
              - id: \(id)
                name: \(quoted)
                protocols: [tls1.3]
                description: \(quoted)
                servers: [openssl]
                notApplicableReason: \(quoted)
                inProcessOnly: \(quoted)
                client:
                  alpn: [http/1.0]
                expect:
                  negotiatedALPN: h2

            """)
        _ = try directory.write(
            "fixtures/divergences.yaml",
            """
            divergences:
              - id: \(quoted)
                scenario: \(id)
                observed:
                  negotiatedALPN: none
                raw: \(quoted)
                reason: \(quoted)
                reference: \(quoted)

            """)
        return directory.path + "/fixtures"
    }

    @Test func fixtureTextIsEscapedInEveryReport() throws {
        let directory = try TemporaryDirectory()
        let fixtures = try fixtures(in: directory)
        let reports = directory.path + "/reports"
        let run = try runProgram(PackagePaths.executable, ["run", "--fixtures", fixtures, "--reports", reports])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        let html = try String(contentsOfFile: reports + "/index.html", encoding: .utf8)
        let markdown = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        // The cells ran and were reported: two divergent (the documented "none", OpenSSL server), the rest not applicable.
        #expect(html.contains("2 divergent") && markdown.contains("2 divergent"))
        for (name, text) in [("index.html", html), ("summary.md", markdown)] {
            #expect(!text.contains("<img"), "\(name) carries the tag as markup")
            #expect(text.contains("&lt;img src=x onerror=alert(1)&gt;"), "\(name) lost the text")
        }
        #expect(!markdown.contains("[z](javascript:"))
        #expect(try xmllint(["--noout", reports + "/junit.xml"]).status == 0)
    }

    @Test(arguments: [("\"<img>\"", "H1", "field 'family'"), ("H", "\"H<img src=x>\"", "field 'scenarios[0].id'")])
    func markupInAFamilyOrIdIsRefused(family: String, id: String, field: String) throws {
        let directory = try TemporaryDirectory()
        let fixtures = try fixtures(in: directory, family: family, id: id)
        let run = try runProgram(PackagePaths.executable, ["list", "--fixtures", fixtures])
        #expect(run.status == 2)
        #expect(run.standardError.contains(field), "\(run.standardError)")
    }
}
