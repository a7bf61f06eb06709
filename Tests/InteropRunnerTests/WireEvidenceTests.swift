import Foundation
import InteropCore
import InteropRunner
import Testing

/// Wire evidence read back by Wireshark's own dissector: a failing cell's capture and key log, opened with
/// `tshark -o tls.keylog_file:…`, show the echo decrypted (the same SHA-256 as the trace's digests) and the alerts
/// the trace reports; the capture is written only for the cells the policy keeps.
@Suite struct WireEvidenceTests {
    let binary = PackagePaths.executable

    /// R1 (16 KiB echo over an in-memory link refusing every other call) with an expectation it cannot meet, so
    /// the cell fails and keeps its evidence under the default policy.
    func failingRun(in directory: TemporaryDirectory, extra: [String] = []) throws -> (reports: String, run: ProcessResult) {
        let fixtures = try copyOfFixtures(in: directory, editing: "R-retry.yaml") { text in
            let start = try #require(text.range(of: "  - id: R1\n"))
            let expectation = try #require(text.range(of: "clientEndOfStream: eof(clean)", range: start.upperBound..<text.endIndex))
            return text.replacingCharacters(in: expectation, with: "clientEndOfStream: eof(unexpected)")
        }
        let reports = directory.path + "/reports"
        let run = try runProgram(binary, [
            "run", "--fixtures", fixtures, "--filter", "R1", "--protocol", "tls1.3", "--mode", "in-process",
            "--server", "gnutls", "--client", "openssl", "--reports", reports,
        ] + extra)
        return (reports, run)
    }

    func tshark(_ arguments: [String], in directory: String) throws -> String {
        let result = try runProgram("/usr/bin/tshark", arguments, in: directory)
        try #require(result.status == 0, "tshark \(arguments): \(result.standardError)")
        return result.standardOutput
    }

    /// Each direction's decrypted application data of the capture's first TCP stream, as tshark reassembles it
    /// (`follow,tls,raw`: one side's lines indented).
    func decryptedStreams(capture: String, keyLog: String, in directory: String) throws -> [Bool: [UInt8]] {
        let follow = try tshark(["-r", capture, "-o", "tls.keylog_file:" + keyLog, "-qz", "follow,tls,raw,0"], in: directory)
        var directions: [Bool: [UInt8]] = [:]
        for line in follow.split(separator: "\n").dropFirst(5) where !line.hasPrefix("===") {
            let hex = Array(line.trimmingCharacters(in: .whitespaces).utf8)
            var bytes: [UInt8] = []
            var index = 0
            while index + 1 < hex.count {
                bytes.append(UInt8(String(decoding: hex[index...index + 1], as: UTF8.self), radix: 16)!)
                index += 2
            }
            directions[line.hasPrefix("\t"), default: []] += bytes
        }
        return directions
    }

    /// One TLS 1.3 cell run with `--evidence all`, which must pass: its reports folder and its record.
    func oneCellWithEvidence(
        _ scenario: String, mode: String, server: String, client: String, in directory: TemporaryDirectory
    ) throws -> (String, ResultsDocument.CellRecord) {
        let reports = directory.path + "/reports"
        let run = try runProgram(binary, [
            "run", "--filter", scenario, "--protocol", "tls1.3", "--mode", mode, "--server", server, "--client", client,
            "--reports", reports, "--evidence", "all",
        ])
        try #require(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        return (reports, try #require(try ResultsDocument.load(reports + "/results.json").cells.first))
    }

    static func digest(_ bytes: [UInt8]) -> String {
        var digest = PayloadDigest()
        digest.update(bytes)
        return digest.hexDigest
    }

    @Test func aFailingCellsCaptureDecryptsToTheEchoAndTheAlertsOfItsTrace() throws {
        let directory = try TemporaryDirectory()
        let (reports, run) = try failingRun(in: directory)
        #expect(run.status == 1, "\(run.standardOutput)\(run.standardError)")
        let results = try ResultsDocument.load(reports + "/results.json")
        let cell = try #require(results.cells.first { $0.id == "R1/gnutls-openssl/tls1.3/in-process" })
        #expect(cell.status == .failed)
        let files = try #require(cell.evidence, "a failed cell keeps its evidence")
        let capture = try #require(files.capture)
        let directions = try decryptedStreams(capture: capture, keyLog: files.keyLog, in: reports)
        let digests = Set(directions.values.map(Self.digest))
        let client = try #require(cell.clients.first)
        #expect(directions.count == 2 && directions.values.allSatisfy { $0.count == 16384 }, "\(directions.mapValues(\.count))")
        #expect(digests == [client.writtenDigest, client.readDigest], "decrypted \(digests), trace \(client.writtenDigest) / \(client.readDigest)")
        // The alerts, decrypted (TLS 1.3 encrypts them): who sent which, as the trace says.
        let fields = try tshark(
            ["-r", capture, "-o", "tls.keylog_file:" + files.keyLog, "-Y", "tls.alert_message", "-T", "fields", "-e", "tcp.srcport", "-e", "tls.alert_message.desc"],
            in: reports)
        let seen = fields.split(separator: "\n").map { line -> String in
            let parts = line.split(separator: "\t")
            return (parts[0] == "443" ? "server" : "client") + " " + parts[1]
        }.sorted()
        let traced = (client.alerts.filter { $0.direction == .sent }.map { "client \($0.code)" }
            + (cell.serverConnections.first?.alerts ?? []).filter { $0.direction == .sent }.map { "server \($0.code)" }).sorted()
        #expect(!traced.isEmpty)
        #expect(seen == traced, "capture \(seen), trace \(traced)")
        // Linked from every report that shows the cell.
        #expect(try String(contentsOfFile: reports + "/index.html", encoding: .utf8).contains("<a href=\"\(capture)\">capture (pcapng)</a>"))
        #expect(try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8).contains("capture \(capture), key log \(files.keyLog)"))
        let explain = try runProgram(binary, ["explain", cell.id, "--results", reports + "/results.json"])
        #expect(explain.standardOutput.contains("tshark -r \(capture) -o tls.keylog_file:\(files.keyLog)"))
    }

    @Test func passedCellsKeepNoEvidenceUnlessAskedAndNoneKeepsNothing() throws {
        let directory = try TemporaryDirectory()
        let (reports, _) = try failingRun(in: directory)
        let kept = try FileManager.default.contentsOfDirectory(atPath: reports + "/evidence").sorted()
        #expect(kept == ["R1_gnutls-openssl_tls1.3_in-process.keys", "R1_gnutls-openssl_tls1.3_in-process.pcapng"])
        let all = try runProgram(binary, [
            "run", "--filter", "R1", "--protocol", "tls1.3", "--mode", "in-process", "--reports", directory.path + "/all", "--evidence", "all",
        ])
        #expect(all.status == 0, "\(all.standardOutput)\(all.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/all/evidence").count == 8)
        // The next run into the same folder takes the previous run's evidence away with its reports.
        let again = try runProgram(binary, [
            "run", "--filter", "R1", "--protocol", "tls1.3", "--mode", "in-process", "--reports", directory.path + "/all", "--evidence", "none",
        ])
        #expect(again.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/all/evidence").isEmpty)
        let none = try runProgram(binary, [
            "run", "--fixtures", directory.path + "/fixtures", "--filter", "R1", "--protocol", "tls1.3", "--mode", "in-process",
            "--reports", directory.path + "/none", "--evidence", "none",
        ])
        #expect(none.status == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/none/evidence"))
        let without = try runProgram(binary, ["run", "--filter", "R1", "--evidence", "all"])
        #expect(without.status == 2)
        #expect(without.standardError.contains("--evidence all: the evidence goes under --reports DIR"))
    }

    @Test func aCellOnLoopbackSocketsIsCapturedWhereItPasses() throws {
        let directory = try TemporaryDirectory()
        let (reports, cell) = try oneCellWithEvidence("A4", mode: "in-process", server: "gnutls", client: "openssl", in: directory)
        let files = try #require(cell.evidence)
        guard getuid() == 0 else {
            // Without CAP_NET_RAW there is no packet socket: the cell says so instead of showing an empty capture.
            #expect(files.capture == nil)
            #expect(files.note?.contains("a packet socket on lo needs CAP_NET_RAW") == true)
            return
        }
        let capture = try #require(files.capture)
        // The server's fatal no_application_protocol, as it crossed loopback, from the port the server listened on.
        let fields = try tshark(["-r", capture, "-Y", "tls.alert_message", "-T", "fields", "-e", "tcp.srcport", "-e", "tls.alert_message.level", "-e", "tls.alert_message.desc"], in: reports)
        let rows = fields.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count == 1, "\(fields)")
        #expect(rows.first?.dropFirst() == ["2", "120"])
        let traced = try #require(cell.serverConnections.first?.alerts.first { $0.direction == .sent })
        #expect(traced.code == 120)
        // Only this cell's connection: one TCP stream, SYN to FIN.
        let streams = try tshark(["-r", capture, "-T", "fields", "-e", "tcp.stream"], in: reports)
        #expect(Set(streams.split(separator: "\n")) == ["0"])
    }

    @Test func peerProcessesHandTheirSecretsOverAndTheirPacketsAreCaptured() throws {
        let directory = try TemporaryDirectory()
        let (reports, cell) = try oneCellWithEvidence("H1", mode: "out-of-process", server: "openssl", client: "gnutls", in: directory)
        let files = try #require(cell.evidence)
        let secrets = try String(contentsOfFile: reports + "/" + files.keyLog, encoding: .utf8).split(separator: "\n")
        // Both peers derive the same secrets: the file holds each once, the TLS 1.3 traffic secrets among them.
        #expect(Set(secrets).count == secrets.count)
        #expect(secrets.contains { $0.hasPrefix("CLIENT_TRAFFIC_SECRET_0 ") } && secrets.contains { $0.hasPrefix("SERVER_TRAFFIC_SECRET_0 ") })
        guard getuid() == 0 else { return }
        let capture = try #require(files.capture)
        let directions = try decryptedStreams(capture: capture, keyLog: files.keyLog, in: reports)
        let client = try #require(cell.clients.first)
        #expect(Set(directions.values.map(Self.digest)) == [client.writtenDigest, client.readDigest])
    }

    @Test func mergedShardsKeepTheirEvidenceAndItsLinks() throws {
        let directory = try TemporaryDirectory()
        var shards: [String] = []
        for index in 1...2 {
            let reports = directory.path + "/shard\(index)"
            let run = try runProgram(binary, [
                "run", "--filter", "R1", "--protocol", "tls1.3", "--mode", "in-process", "--shard", "\(index)/2", "--reports", reports,
                "--evidence", "all",
            ])
            #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
            shards.append(reports + "/results.json")
        }
        let merged = directory.path + "/merged"
        let merge = try runProgram(binary, ["merge"] + shards + ["--reports", merged])
        #expect(merge.status == 0, "\(merge.standardOutput)\(merge.standardError)")
        let cells = try ResultsDocument.load(merged + "/results.json").cells
        #expect(cells.count == 4)
        for cell in cells {
            let files = try #require(cell.evidence, "\(cell.id)")
            #expect(FileManager.default.fileExists(atPath: merged + "/" + (files.capture ?? "-")), "\(cell.id)")
            #expect(FileManager.default.fileExists(atPath: merged + "/" + files.keyLog), "\(cell.id)")
        }
    }

    @Test func aCellThatChangedSinceTheBaselineKeepsItsEvidenceThoughItPassed() throws {
        let directory = try TemporaryDirectory()
        let selection = ["run", "--filter", "R1", "--protocol", "tls1.3", "--mode", "in-process", "--quiet"]
        let first = try runProgram(binary, selection + ["--reports", directory.path + "/baseline", "--evidence", "none"])
        try #require(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        // As if one cell's judged observation had been different in the baseline run.
        let changed = "R1/gnutls-openssl/tls1.3/in-process"
        let baseline = directory.path + "/baseline/results.json"
        let lines = try String(contentsOfFile: baseline, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.contains("\"id\":\"\(changed)\"")
                ? line.replacingOccurrences(of: "\"clientEndOfStream\":\"eof(clean)\"", with: "\"clientEndOfStream\":\"eof(unexpected)\"") : String(line)
        }
        try lines.joined(separator: "\n").write(toFile: baseline, atomically: false, encoding: .utf8)
        let second = try runProgram(binary, selection + ["--reports", directory.path + "/now", "--baseline", baseline])
        #expect(second.status == 0, "\(second.standardOutput)\(second.standardError)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/now/evidence").sorted()
        #expect(kept == ["R1_gnutls-openssl_tls1.3_in-process.keys", "R1_gnutls-openssl_tls1.3_in-process.pcapng"])
    }
}
