import Foundation
import InteropCore
import InteropRunner

/// Progress while cells run: one line rewritten in place on a terminal (cells done of total, failures so far,
/// elapsed time); on a pipe or in CI, plain lines for each failure and every tenth of the run.
final class ProgressPrinter {
    private let total: Int
    private let verbose: Bool
    private let quiet: Bool
    private let interactive: Bool
    private let started = ContinuousClock.now
    private var failures = 0
    private var lastPlainStep = 0

    init(total: Int, verbose: Bool, quiet: Bool) {
        self.total = total
        self.verbose = verbose
        self.quiet = quiet
        interactive = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] == nil
    }

    func cellFinished(_ result: CellResult, done: Int, versions: [TLSLibrary: String]) {
        if result.status == .failed || result.status == .error { failures += 1 }
        guard !quiet else { return }
        if verbose {
            clearLine()
            print(TerminalText.printable(CellReportText.render(result, versions: versions)) + "\n")
            return
        }
        if result.status == .failed || result.status == .error {
            clearLine()
            print(TerminalText.printable("[\(done)/\(total)] \(result.status.rawValue.uppercased()) \(result.cell.displayName): \(result.message)"))
        }
        if interactive {
            let line = "[\(done)/\(total)] \(failures) failed · \(elapsed) · \(result.cell.id)"
            StandardStreams.output("\r\u{1B}[K" + TerminalText.printable(String(line.prefix(150))))
        } else if total >= 10, done * 10 / total > lastPlainStep {
            lastPlainStep = done * 10 / total
            print("progress: \(done)/\(total) cells, \(failures) failed, \(elapsed)")
        }
    }

    func finish() {
        clearLine()
    }

    private var elapsed: String {
        let seconds = Int(started.duration(to: .now).components.seconds)
        return String(format: "%d:%02d", seconds / 60, seconds % 60)
    }

    private func clearLine() {
        if interactive && !quiet { StandardStreams.output("\r\u{1B}[K") }
    }
}
