import ArgumentParser
import Foundation
import InteropRunner
import LibraryPlugins

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the results.json of every shard of a run into one set of reports.",
        discussion: "Exit status: 0 merged and every cell met its expectation, 1 merged with failures, 2 refused.")

    @Argument(help: "The shards' results.json files.") var results: [String]
    @Option(help: "Write the merged junit.xml, results.json, summary.md and index.html here.") var reports: String = "reports"

    func run() throws {
        let report: RunReport
        let output = ReportSet(directory: reports)
        do {
            report = try ShardMerge.merge(results, libraries: .linked)
            try output.prepare()
        } catch {
            StandardStreams.error("tls-interop merge: error: \(error.message)\n")
            throw ExitCode(2)
        }
        // Each shard's evidence sits beside its results.json, under the same relative names the records give.
        for path in results {
            let shardEvidence = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(EvidenceFolder.folderName).path
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: shardEvidence) else { continue }
            let merged = reports + "/" + EvidenceFolder.folderName
            do {
                try OutputFile.createFolder(merged)
                for name in names {
                    // Regular files only: a FIFO or device left there would be read for ever.
                    let attributes = try? FileManager.default.attributesOfItem(atPath: shardEvidence + "/" + name)
                    guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
                    guard let data = FileManager.default.contents(atPath: shardEvidence + "/" + name) else { continue }
                    try OutputFile.write(data, to: merged + "/" + name)
                }
            } catch {
                StandardStreams.error("tls-interop merge: error: cannot copy the wire evidence of \(path): \(error)\n")
                throw ExitCode(2)
            }
        }
        try output.write(report, baselineChanges: nil)
        print(TerminalText.printable(ConsoleSummary.render(report)))
        print("merged \(results.count) shards: \(output.junitPath), \(output.resultsPath), \(output.summaryPath), \(output.htmlPath)")
        if !report.succeeded { throw ExitCode(1) }
    }
}
