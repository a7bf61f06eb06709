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
            let cells = try selection.selection.cells(from: catalog)
            for cell in cells { print("\(cell.id)\t\(cell.displayName)") }
            print("\(cells.count) cells")
        } catch {
            FileHandle.standardError.write(Data("tls-interop: error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}
