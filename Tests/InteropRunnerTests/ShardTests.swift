import Foundation
import InteropCore
import GnuTLSBackend
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import Testing

@Suite struct ShardTests {
    static let selection = try! CellSelection(servers: LibraryRegistry.linked.libraries, clients: LibraryRegistry.linked.libraries, modes: ExecutionMode.allCases).cells(from: InProcessMatrixTests.catalog)

    @Test(arguments: [1, 2, 3, 4, 5, 7])
    func shardsAreDisjointAndCoverTheSelection(total: Int) throws {
        var seen: [String: Int] = [:]
        for index in 1...total {
            for cell in try Shard(index: index, total: total).cells(of: Self.selection, libraries: .linked) {
                #expect(seen[cell.id] == nil, "\(cell.id) in shards \(seen[cell.id] ?? 0) and \(index)")
                seen[cell.id] = index
            }
        }
        #expect(Set(seen.keys) == Set(Self.selection.map(\.id)))
        #expect(seen.count == Self.selection.count)
    }

    @Test func theSplitIsDeterministicAndBalancedByCost() throws {
        let first = try Shard(index: 2, total: 3).cells(of: Self.selection, libraries: .linked).map(\.id)
        let again = try Shard(index: 2, total: 3).cells(of: Self.selection, libraries: .linked).map(\.id)
        #expect(first == again)
        // With recorded timings one very slow cell fills a shard by itself.
        let slow = Self.selection[0].id
        let timings = Dictionary(uniqueKeysWithValues: Self.selection.map { ($0.id, $0.id == slow ? 1_000_000.0 : 1.0) })
        let shards = try (1...3).map { try Shard(index: $0, total: 3).cells(of: Self.selection, timings: timings, libraries: .linked) }
        #expect(shards.contains { $0.map(\.id) == [slow] })
    }

    @Test func environmentNamesTheShardWhenTheOptionIsAbsent() throws {
        #expect(try Shard.fromEnvironment(["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "5"]) == Shard(index: 2, total: 5))
        #expect(try Shard.fromEnvironment(["TLS_INTEROP_SHARD": "1/2"]) == Shard(index: 1, total: 2))
        #expect(try Shard.fromEnvironment([:]) == nil)
        #expect(throws: ConfigurationError.self) { try Shard(parsing: "4/3", source: "--shard") }
        #expect(throws: ConfigurationError.self) { try Shard(parsing: "two", source: "--shard") }
    }

    @Test func mergedShardsGiveTheUnshardedOutcomesAndBadSetsAreRefused() throws {
        let binary = PackagePaths.executable
        let directory = try TemporaryDirectory()
        let common = ["run", "--filter", "H1,A4,A4o,E2a", "--mode", "in-process", "--quiet"]
        for index in 1...3 {
            _ = try runProgram(binary, common + ["--shard", "\(index)/3", "--reports", directory.path + "/\(index)"])
        }
        let whole = try runProgram(binary, common + ["--reports", directory.path + "/whole"])
        #expect(whole.status == 0)
        let shards = (1...3).map { directory.path + "/\($0)/results.json" }
        // Run where there are no fixtures: the results alone make the reports.
        let elsewhere = try TemporaryDirectory()
        let merge = try runProgram(binary, ["merge"] + shards + ["--reports", directory.path + "/merged"], in: elsewhere.path)
        #expect(merge.status == 0, "\(merge.standardError)")
        // The summary a reader sees is the unsharded run's, divergence reasons included.
        let mergedSummary = try String(contentsOfFile: directory.path + "/merged/summary.md", encoding: .utf8)
        let wholeSummary = try String(contentsOfFile: directory.path + "/whole/summary.md", encoding: .utf8)
        #expect(mergedSummary.components(separatedBy: "\n## Documented divergences").last
            == wholeSummary.components(separatedBy: "\n## Documented divergences").last)
        #expect(mergedSummary.contains("## Documented divergences"))
        let merged = try ResultsDocument.load(directory.path + "/merged/results.json")
        let unsharded = try ResultsDocument.load(directory.path + "/whole/results.json")
        #expect(merged.cells.count == unsharded.cells.count)
        let before = Dictionary(uniqueKeysWithValues: unsharded.cells.map { ($0.id, ($0.status, $0.observed)) })
        for cell in merged.cells {
            #expect(before[cell.id]?.0 == cell.status)
            #expect(before[cell.id]?.1 == cell.observed)
        }
        #expect(try xmllint(["--noout", "--schema", ReportsTests.schema, directory.path + "/merged/junit.xml"]).status == 0)

        func refuse(_ files: [String], _ message: String) throws {
            let run = try runProgram(binary, ["merge"] + files + ["--reports", directory.path + "/refused"])
            #expect(run.status == 2, "\(files)")
            #expect(run.standardError.contains(message), "\(run.standardError)")
        }
        try refuse(Array(shards.prefix(2)), "missing shard 3/3")
        try refuse([shards[0], shards[0], shards[2]], "shard 1/3 given twice")
        try refuse([directory.path + "/whole/results.json"], "not the results of a shard")
        // Another library version, and a cell smuggled into a second shard.
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: shards[1]))) as! [String: Any]
        json["libraries"] = ["openssl": "OpenSSL 3.5.7", "gnutls": "GnuTLS 3.7.9"]
        let otherVersion = directory.path + "/other.json"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: otherVersion))
        try refuse([shards[0], otherVersion, shards[2]], "library versions")
        var twice = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: shards[1]))) as! [String: Any]
        let firstShard = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: shards[0]))) as! [String: Any]
        twice["cells"] = (twice["cells"] as! [Any]) + [(firstShard["cells"] as! [Any])[0]]
        let duplicated = directory.path + "/twice.json"
        try JSONSerialization.data(withJSONObject: twice).write(to: URL(fileURLWithPath: duplicated))
        try refuse([shards[0], duplicated, shards[2]], "is in both")
    }

    @Test func listShowsAShardBeforeAnyoneRunsIt() throws {
        let run = try runProgram(PackagePaths.executable, ["list", "--filter", "H1", "--mode", "in-process", "--shard", "2/2"])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("cells (shard 2/2 of 12)"))
    }
}
