import ArgumentParser
import Foundation
import InteropCore
import InteropRunner

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the cells a run would cover.")

    @OptionGroup var selection: SelectionOptions

    func run() throws {
        do {
            let (catalog, _) = try selection.loadCatalog()
            let chosen = try selection.shardedCells(from: catalog)
            let (cells, shard) = (chosen.cells, chosen.shard)
            for cell in cells { print(TerminalText.printable("\(cell.id)\t\(cell.displayName)")) }
            if let shard {
                print("\(cells.count) cells (shard \(shard.index)/\(shard.total) of \(shard.selectionCells))")
            } else {
                print("\(cells.count) cells")
            }
        } catch {
            StandardStreams.error("tls-interop: error: \(error.message)\n")
            throw ExitCode(2)
        }
    }
}
