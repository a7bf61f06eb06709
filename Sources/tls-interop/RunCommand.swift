import Glibc
import ArgumentParser
import Dispatch
import Foundation
import InteropCore
import InteropRunner

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the selected cells, judge them, print the matrix and write the report.")

    @OptionGroup var selection: SelectionOptions

    @Option(name: .long, help: "Directory holding ca.pem, server-chain.pem and server.key.")
    var certs: String = "certs"

    @Option(name: .long, help: "Write junit.xml, results.json, summary.md and index.html into this folder.")
    var reports: String?

    @Option(name: .long, help: "Also (or only) write JUnit XML here.")
    var junit: String?

    @Option(name: .long, help: "A previous results.json: the reports list every cell whose outcome changed since.")
    var baseline: String?

    // Numeric options take the next word even when it starts with '-', so `--deadline -1` is refused as out of
    // range instead of as a missing value.
    @Option(name: .long, parsing: .unconditional, help: "Seed for payloads and fault schedules.")
    var seed: UInt64 = 1

    @Option(name: .long, parsing: .unconditional, help: "Run cells with randomized faults over this many seeds (from --seed), reporting the first that fails.")
    var seeds: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Run every cell this many times with the same seed; differing outcomes fail the cell as flaky.")
    var `repeat`: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Seconds a cell may take before its unfinished steps are reported as timeouts.")
    var deadline: Double = 10

    @Option(
        name: .customLong("build"),
        help: """
            LIBRARY=BUILD: run against another build of a library — a directory holding it (lib/, usr/lib/<triplet>/…, \
            as make install or dpkg -x lay it out), or .deb files (comma separated; unpacked, not installed), or \
            'system'. Repeatable, once per library.
            """)
    var builds: [String] = []

    @Option(
        name: .customLong("library-config"),
        help: """
            harness: endpoints use the harness's own priority settings (GnuTLS NORMAL with the cell's version); \
            system: the libraries' system-wide defaults (GnuTLS's default priority, OpenSSL's configuration file). \
            Named in every report.
            """)
    var libraryConfig: LibraryConfiguration = .harness

    @Option(
        name: .customLong("config"),
        help: "LIBRARY=FILE: the policy file a library reads at start-up (OPENSSL_CONF, GNUTLS_SYSTEM_PRIORITY_FILE); implies --library-config system. Repeatable.")
    var configs: [String] = []

    @Option(
        name: .long,
        help: """
            Wire evidence under REPORTS/evidence/ (needs --reports): a pcapng of the cell's traffic and its TLS key log,             for in-process cells on in-memory links. failed: failed, divergent and baseline-changed cells (default);             all: every such cell; none.
            """)
    var evidence: EvidencePolicy = .failed

    @Flag(name: .long, help: "Print every cell's full trace.")
    var verbose = false

    @Flag(name: .long, help: "Print only the final counts and where the reports are.")
    var quiet = false

    @Option(name: .long, parsing: .unconditional, help: "Cells to run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard seeds >= 1, seeds <= 100_000 else { throw ValidationError("--seeds must be between 1 and 100000, got \(seeds)") }
        guard `repeat` >= 1, `repeat` <= 1000 else { throw ValidationError("--repeat must be between 1 and 1000, got \(`repeat`)") }
        if evidence == .all && reports == nil { throw ValidationError("--evidence all: the evidence goes under --reports DIR; give one") }
        guard jobs >= 1, jobs <= 256 else { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
        guard deadline > 0, deadline <= 3600 else {
            throw ValidationError("--deadline must be between 0 and 3600 seconds, got \(deadline)")
        }
    }

    func run() throws {
        InterruptionWatch.holdSignals()
        // Before anything else: the run may restart itself with the chosen builds' libraries.
        do {
            let libraries = selection.libraries
            try BuildActivation.activate(
                try BuildActivation.builds(builds, libraries: libraries), systemConfiguration: libraryConfig == .system,
                configurationFiles: try BuildActivation.configurationFiles(configs, libraries: libraries), libraries: libraries)
        } catch {
            StandardStreams.error("tls-interop: error: \(error.message)\n")
            let reported = selection.libraries.reported
            if let reports {
                let reportSet = ReportSet(directory: reports)
                try? reportSet.prepare()
                reportSet.writeConfigurationError(error.message, libraries: reported)
            }
            if let junit { try? JUnitReport.write(JUnitReport.renderConfigurationError(error.message, libraries: reported), to: junit) }
            throw ExitCode(2)
        }
        // First, so that a signal from here on stops the run the documented way rather than by default action.
        let interruption = InterruptionWatch()
        signal(SIGPIPE, SIG_IGN)
        let libraries = selection.libraries
        let reported = libraries.reported
        let chosen: SelectedCells
        let runner: ModeDispatcher
        var baselineResults: ResultsDocument?
        var exceptions = CoverageExceptions.none
        let reportSet = reports.map(ReportSet.init)
        do {
            // Output paths first: a run that cannot write its reports must not run for minutes before saying so.
            try reportSet?.prepare()
            if let junit { try OutputFile.checkWritable(junit, option: "--junit") }
            if let baseline { baselineResults = try ResultsDocument.load(baseline) }
            let (catalog, divergences) = try selection.loadCatalog()
            chosen = try selection.shardedCells(from: catalog)
            exceptions = try CoverageExceptions.load(file: selection.fixtures + "/coverage.yaml", libraries: libraries)
            runner = try CellRunners.make(
                fixtures: selection.fixtures, certs: certs, deadline: .milliseconds(Int64(deadline * 1000)), divergences: divergences,
                libraries: libraries, target: try selection.targetServer.map(TargetAddress.init),
                targetClient: try selection.checkedTargetClient(),
                clientCertificates: chosen.cells.contains { $0.scenario.usesClientCertificates },
                keepsEvidence: reports != nil && evidence != .none)
        } catch {
            StandardStreams.error("tls-interop: error: \(error.message)\n")
            reportSet?.writeConfigurationError(error.message, libraries: reported)
            if let junit { try? JUnitReport.write(JUnitReport.renderConfigurationError(error.message, libraries: reported), to: junit) }
            throw ExitCode(2)
        }
        var matrix = MatrixRunner(runner: runner, libraries: libraries, seed: seed, seedCount: seeds, repeatCount: `repeat`, jobs: jobs)
        matrix.options = RunOptions(
            fixtures: selection.fixtures, certs: certs, deadlineSeconds: deadline, repeatCount: `repeat`, targetServer: selection.targetServer,
            targetClient: selection.targetClient)
        let cells = chosen.cells
        let progress = ProgressPrinter(total: cells.count, verbose: verbose, quiet: quiet)
        let evidenceFolder = reports.map { EvidenceFolder(reports: $0, policy: evidence, baseline: baselineResults) }
        // Opened before any cell starts a child, which would otherwise inherit its descriptors.
        if evidenceFolder != nil && evidence != .none { _ = LoopbackSniffer.shared }
        var evidenceFailure: String?
        let ranReport = matrix.run(cells, shouldStop: { interruption.signal != nil }) { result, done in
            do {
                try evidenceFolder?.finish(result)
            } catch {
                if evidenceFailure == nil { evidenceFailure = "--reports \(error) (wire evidence)" }
            }
            progress.cellFinished(result, done: done, versions: libraries.runtimeVersions)
        }
        progress.finish()
        var report = ranReport
        report.shard = chosen.shard
        report.plannedCells = cells.count
        report.source = RunSource.current()
        if let baselineResults {
            // Before the results document is made: it carries the coverage the losses belong to.
            report.coverageLosses = CoverageGuard.losses(
                baseline: baselineResults, current: ResultsDocument(report), selected: chosen.selectionIDs,
                inScope: chosen.couldSelect, allowed: exceptions)
        }
        let results = ResultsDocument(report)
        let changes = baselineResults.map { ResultsDiff.changes(from: $0, to: results) }
        // Every output is attempted, so that one bad path does not cost the others.
        var writeFailures: [String] = evidenceFailure.map { [$0] } ?? []
        do {
            if let junit { try JUnitReport.write(JUnitReport.render(report), to: junit) }
        } catch {
            writeFailures.append("--junit \(error)")
        }
        do {
            let kept = results.summarizingPassedTraces(except: Set((changes ?? []).map(\.id)))
            try reportSet?.write(report, results: kept, baselineChanges: changes)
        } catch {
            writeFailures.append("--reports \(error)")
        }
        if quiet {
            print(ConsoleSummary.counts(report))
        } else {
            print(TerminalText.printable(ConsoleSummary.render(report)))
            if let changes {
                print("\nchanged since the baseline \(baseline ?? ""): \(changes.isEmpty ? "none" : "\(changes.count) cells")")
                for change in changes { print(TerminalText.printable("  \(change.id): \(change.summary)")) }
            }
        }
        if let junit { print("JUnit report: \(junit)") }
        if let reportSet { print("reports: \(reportSet.junitPath), \(reportSet.resultsPath), \(reportSet.summaryPath), \(reportSet.htmlPath)") }
        if !writeFailures.isEmpty {
            StandardStreams.error("tls-interop: error: cannot write the reports: \(writeFailures.joined(separator: "; "))\n")
            throw ExitCode(2)
        }
        if let signal = interruption.signal {
            print("tls-interop: \(report.interruption ?? "interrupted") by signal \(signal); the report is partial")
            throw ExitCode(128 + signal)
        }
        let lost = report.unexcusedLosses
        if !lost.isEmpty {
            if quiet { for loss in lost { print(TerminalText.printable("coverage lost: \(loss.id): \(loss.summary)")) } }
            StandardStreams.error(
                "tls-interop: the run lost \(lost.count) cell\(lost.count == 1 ? "" : "s") of the baseline \(baseline ?? "") (listed above); "
                    + "\(selection.fixtures)/coverage.yaml can allow a loss with its reason\n")
        }
        if !report.succeeded { throw ExitCode(1) }
    }
}

/// SIGINT, SIGTERM and SIGHUP stop the run: every peer process is killed at once, event loops in flight end within
/// a poll interval (`RunInterruption`), the cells in flight are reported as interrupted, the cells that finished
/// are reported, and the report says it is partial. A second signal exits at once.
final class InterruptionWatch: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    static let watched = [SIGINT, SIGTERM, SIGHUP]

    /// Holds the watched signals pending from here on (call it first, before any thread starts: threads inherit
    /// the mask). A signal that arrives before the watch exists then waits for it instead of being lost — setting
    /// them to SIG_IGN until the sources were armed dropped one that came in between — and the sources read them
    /// (libdispatch uses signalfd on Linux, which takes pending signals). Children get an empty mask before exec.
    static func holdSignals() {
        var held = sigset_t()
        sigemptyset(&held)
        for number in watched { sigaddset(&held, number) }
        pthread_sigmask(SIG_BLOCK, &held, nil)
    }

    init() {
        Self.holdSignals()
        let queue = DispatchQueue(label: "tls-interop.signals")
        for number in Self.watched {
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let first = RunInterruption.record(number)
                ChildProcessRegistry.shared.killAll()
                if !first {
                    StandardStreams.error("tls-interop: second signal \(number): exiting now, no report\n")
                    _exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    var signal: Int32? { RunInterruption.signal }
}

/// Whose settings a run's endpoints use (`--library-config`).
enum LibraryConfiguration: String, ExpressibleByArgument, CaseIterable {
    case harness
    case system
}
