import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins
import OpenSSLBackend
import GnuTLSBackend

// `make bench`: what a cell costs against the libraries' own cost, the whole matrix on one and two jobs, the cost
// of separate processes, and a DTLS loss cell on shortened against default timers. Prints a table and writes
// reports/bench.json. Timing lives here, never in `swift test`.

struct Measurement: Codable {
    var name: String
    var samples: Int
    var medianMilliseconds: Double
    var p10Milliseconds: Double
    var p90Milliseconds: Double
}

/// Times each body `samples` times, taking turns (one run of each per round), so that a machine getting slower or
/// faster during the measurement shifts all of them alike instead of skewing their ratio.
func measureSideBySide(_ names: [String], samples: Int, _ bodies: [() -> Void]) -> [Measurement] {
    bodies.forEach { $0() }  // warm-up: first-use costs (library initialisation, page faults) are not the cell's
    var times = Array(repeating: [Double](), count: bodies.count)
    let clock = ContinuousClock()
    for _ in 0..<samples {
        for (index, body) in bodies.enumerated() {
            let start = clock.now
            body()
            let elapsed = start.duration(to: clock.now)
            times[index].append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
    }
    return zip(names, times).map { name, unsorted in
        let sorted = unsorted.sorted()
        func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] }
        return Measurement(name: name, samples: samples, medianMilliseconds: at(0.5), p10Milliseconds: at(0.1), p90Milliseconds: at(0.9))
    }
}

func measure(_ name: String, samples: Int, _ body: @escaping () -> Void) -> Measurement {
    measureSideBySide([name], samples: samples, [body])[0]
}

extension CellStatus {
    /// Passed, or did exactly what a documented divergence records (GnuTLS's DTLS cells carry library-wide ones).
    var metItsExpectation: Bool { self == .passed || self == .divergent }
}

func format(_ value: Double) -> String { String(format: "%.3f", value) }

let root = FileManager.default.currentDirectoryPath
let binaryDirectory = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
    .deletingLastPathComponent().path
let cli = binaryDirectory + "/tls-interop"
let credentials = Credentials.standard(in: root + "/certs")
let libraries = LibraryRegistry.linked
let catalog = try ScenarioCatalog.load(directory: root + "/fixtures/scenarios", libraries: libraries)
let divergences = try DivergenceCatalog.load(file: root + "/fixtures/divergences.yaml", scenarios: catalog, libraries: libraries)
let runner = InProcessCellRunner(credentials: credentials, deadline: .seconds(10), divergences: divergences, libraries: libraries)
var table: [[String]] = []
// `tls-interop-bench [cell] [bulk] [matrix] [processes] [dtls]`: only those sections (all by default); a partial run
// prints its table but leaves reports/bench.json alone, which always holds a whole run.
let allSections: Set = ["cell", "bulk", "matrix", "processes", "dtls"]
let sections = CommandLine.arguments.count > 1 ? Set(CommandLine.arguments.dropFirst()) : allSections
if let unknown = sections.subtracting(allSections).sorted().first {
    FileHandle.standardError.write(Data("tls-interop-bench: unknown section '\(unknown)' (known: \(allSections.sorted().joined(separator: ", ")))\n".utf8))
    exit(2)
}
var baselineCellMedian: Double?
var results: [String: [Measurement]] = [:]
var summary: [String: Double] = [:]

// 1. One in-process cell (handshake, 4 KiB echo, clean close) against the libraries doing the same alone.
if sections.contains("cell") {
    var cellScenario = catalog.scenarios.first { $0.id == "H1" }!
    cellScenario.payloadSize = 4096
    let payload = SeededGenerator.payload(count: 4096, seed: 1)
    var ratios: [Double] = []
    for version in [ProtocolVersion.tls13, .tls12] {
        let contexts = BaselineContexts(credentials: credentials, version: version)
        for server in libraries.libraries {
            for client in libraries.libraries {
                let pair = "\(server.rawValue)-\(client.rawValue) \(version.rawValue)"
                let cell = Cell(scenario: cellScenario, server: server, client: client, protocolVersion: version, mode: .inProcess)
                let measured = measureSideBySide(["baseline \(pair)", "harness \(pair)"], samples: 200, [
                    { precondition(runBaseline(contexts, server: server, client: client, payload: payload), "baseline failed: \(pair)") },
                    { precondition(runner.run(cell, seed: 1).status.metItsExpectation, "harness cell failed: \(pair)") },
                ])
                let (baseline, harness) = (measured[0], measured[1])
                let ratio = harness.medianMilliseconds / baseline.medianMilliseconds
                ratios.append(ratio)
                results["cell", default: []] += [baseline, harness]
                table.append(["in-process cell \(pair)", format(baseline.medianMilliseconds), format(harness.medianMilliseconds), String(format: "%.2f×", ratio)])
            }
        }
    }
    summary["worstCellRatio"] = ratios.max()
    // The issue's name for it: the worst pairing's in-process cell against the libraries alone.
    summary["cellRatio"] = ratios.max()
    baselineCellMedian = results["cell", default: []].filter { $0.name.hasPrefix("baseline") }.map(\.medianMilliseconds).sorted()
        .dropFirst(4).first ?? 1
}

// 1b. Bulk: H2 (1 MiB echo over loopback) and R3 (the same through a 4 KiB in-memory link) against the libraries
// echoing the same 1 MiB alone over loopback.
if sections.contains("bulk") {
    let bulkPayload = SeededGenerator.payload(count: 1 << 20, seed: 1)
    var bulkRatios: [String: [Double]] = [:]
    let bulkContexts = BaselineContexts(credentials: credentials, version: .tls13)
    for server in libraries.libraries {
        for client in libraries.libraries {
            let pair = "\(server.rawValue)-\(client.rawValue) tls1.3"
            let cells = ["H2", "R3"].map { id in
                Cell(scenario: catalog.scenarios.first { $0.id == id }!, server: server, client: client, protocolVersion: .tls13, mode: .inProcess)
            }
            let measured = measureSideBySide(["bulk baseline \(pair)"] + cells.map { "\($0.scenario.id) \(pair)" }, samples: 20, [
                { precondition(runBulkBaseline(bulkContexts, server: server, client: client, payload: bulkPayload), "bulk baseline failed: \(pair)") },
            ] + cells.map { cell in
                { precondition(runner.run(cell, seed: 1).status.metItsExpectation, "\(cell.scenario.id) failed: \(pair)") }
            })
            let alone = measured[0]
            results["bulk", default: []] += measured
            for (cell, harness) in zip(cells, measured.dropFirst()) {
                let ratio = harness.medianMilliseconds / alone.medianMilliseconds
                bulkRatios[cell.scenario.id, default: []].append(ratio)
                table.append([
                    "bulk \(cell.scenario.id) \(pair) (1 MiB echo)", format(alone.medianMilliseconds), format(harness.medianMilliseconds),
                    String(format: "%.2f×", ratio),
                ])
            }
        }
    }
    summary["bulkH2Ratio"] = bulkRatios["H2"]?.max()
    summary["bulkR3Ratio"] = bulkRatios["R3"]?.max()
}

// 2. The whole default matrix on one and on two jobs.
if sections.contains("matrix") {
    func runMatrix(jobs: Int) -> (Double, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = ["run", "--jobs", String(jobs), "--quiet", "--reports", NSTemporaryDirectory() + "tls-interop-bench-\(jobs)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        try! process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let counts = output.split(separator: "\n").first { $0.contains(" passed, ") }.map { line in
            line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        } ?? []
        // "P passed, D divergent, F failed, S skipped": the cells that ran are the first three.
        return (seconds, counts.count >= 3 ? counts[0] + counts[1] + counts[2] : 0)
    }
    let (oneJob, ranCells) = runMatrix(jobs: 1)
    // The cells `make run` times: the median in-process TLS cell of that matrix run against the baseline cell.
    if let timed = try? ResultsDocument.load(NSTemporaryDirectory() + "tls-interop-bench-1/results.json") {
        let durations = timed.cells.filter {
            $0.mode == .inProcess && !$0.protocolVersion.isDatagram && !$0.protocolVersion.isQUIC && $0.status.metItsExpectation
        }.map(\.durationMilliseconds).sorted()
        if !durations.isEmpty, let baselineCellMedian {
            let median = durations[durations.count / 2]
            summary["matrixCellRatio"] = median / baselineCellMedian
            table.append([
                "median in-process TLS cell of the matrix run (\(durations.count) cells)", format(baselineCellMedian), format(median),
                String(format: "%.2f×", median / baselineCellMedian),
            ])
        }
    }
    let (twoJobs, _) = runMatrix(jobs: 2)
    summary["matrixSecondsOneJob"] = oneJob
    summary["matrixSecondsTwoJobs"] = twoJobs
    summary["matrixSpeedup"] = oneJob / twoJobs
    table.append(["default matrix, --jobs 1 (\(ranCells) cells run)", "", String(format: "%.1f s", oneJob), String(format: "%.1f cells/s", Double(ranCells) / oneJob)])
    table.append(["default matrix, --jobs 2", "", String(format: "%.1f s", twoJobs), String(format: "%.2f× faster, %.1f cells/s", oneJob / twoJobs, Double(ranCells) / twoJobs)])
}

// 3. The same cell with server and client as separate processes.
if sections.contains("processes") {
    let h1 = catalog.scenarios.first { $0.id == "H1" }!
    let inProcessCell = Cell(scenario: h1, server: .openssl, client: .gnutls, protocolVersion: .tls13, mode: .inProcess)
    let outOfProcessCell = Cell(scenario: h1, server: .openssl, client: .gnutls, protocolVersion: .tls13, mode: .outOfProcess)
    let peers = OutOfProcessCellRunner(setup: PeerSetup(
        executable: cli, fixtures: root + "/fixtures", certs: root + "/certs", deadline: .seconds(10), divergences: divergences,
        libraries: libraries))
    let measured = measureSideBySide(["H1 in-process", "H1 out-of-process"], samples: 40, [
        { precondition(runner.run(inProcessCell, seed: 1).status.metItsExpectation) },
        { precondition(peers.run(outOfProcessCell, seed: 1).status.metItsExpectation) },
    ])
    let (local, remote) = (measured[0], measured[1])
    results["outOfProcess"] = [local, remote]
    summary["outOfProcessOverheadMilliseconds"] = remote.medianMilliseconds - local.medianMilliseconds
    table.append(["H1 openssl-gnutls tls1.3, in-process vs out-of-process", format(local.medianMilliseconds), format(remote.medianMilliseconds),
        "+\(format(remote.medianMilliseconds - local.medianMilliseconds)) ms"])
}

// 4. A DTLS loss cell: the lost ClientHello with 20 ms timers against the libraries' default timers.
if sections.contains("dtls") {
    let lossScenario = catalog.scenarios.first { $0.id == "R7a" }!
    var defaultTimers = lossScenario
    defaultTimers.server.dtlsTimeout = .libraryDefault
    defaultTimers.client.dtlsTimeout = .libraryDefault
    for server in libraries.libraries {
        for client in libraries.libraries {
            let pair = "\(server.rawValue)-\(client.rawValue)"
            let short = measure("R7a \(pair) shortened", samples: 20) {
                precondition(runner.run(Cell(scenario: lossScenario, server: server, client: client, protocolVersion: .dtls12, mode: .inProcess), seed: 1).status.metItsExpectation)
            }
            let long = measure("R7a \(pair) default timers", samples: 2) {
                _ = runner.run(Cell(scenario: defaultTimers, server: server, client: client, protocolVersion: .dtls12, mode: .inProcess), seed: 1)
            }
            results["dtlsLoss", default: []] += [short, long]
            summary["dtlsLossWorstMilliseconds"] = max(summary["dtlsLossWorstMilliseconds"] ?? 0, short.medianMilliseconds)
            table.append(["DTLS lost ClientHello \(pair): 20 ms timers vs default", format(short.medianMilliseconds), format(long.medianMilliseconds), ""])
        }
    }
}

// Print and save.
let header = ["measurement", "baseline / first (ms)", "harness / second", "ratio / note"]
let widths = (0..<4).map { column in ([header] + table).map { $0[column].count }.max()! }
func row(_ cells: [String]) -> String {
    cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
}
print(row(header))
print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
table.forEach { print(row($0)) }
print("")
/// "name ≤ target (value)" for a summary key, or "not run" when its section was left out.
@MainActor func target(_ name: String, _ key: String, _ goal: String, unit: String = "×") -> String {
    guard let value = summary[key] else { return "\(name) \(goal) (not run)" }
    return "\(name) \(goal) (\(String(format: unit == "×" ? "%.2f" : "%.1f", value))\(unit == "×" ? "×" : " " + unit))"
}
print("targets: " + [
    target("cellRatio", "cellRatio", "≤ 1.5×"), target("matrixCellRatio", "matrixCellRatio", "≤ 1.5×"),
    target("bulkH2Ratio", "bulkH2Ratio", "≤ 2×"), target("bulkR3Ratio", "bulkR3Ratio", "≤ 3×"),
    target("out-of-process overhead", "outOfProcessOverheadMilliseconds", "≤ 15 ms", unit: "ms"),
].joined(separator: "; "))
print("also: " + [
    target("--jobs 2 speed-up", "matrixSpeedup", "≥ 1.7×"), target("DTLS loss cell", "dtlsLossWorstMilliseconds", "< 10 ms", unit: "ms"),
].joined(separator: "; "))
guard sections == allSections else {
    print("a partial run: reports/bench.json keeps the last whole run")
    exit(0)
}

struct BenchDocument: Codable {
    var machine: String
    var cores: Int
    var libraries: [String: String]
    var summary: [String: Double]
    var measurements: [String: [Measurement]]
}
let document = BenchDocument(
    machine: ProcessInfo.processInfo.hostName, cores: ProcessInfo.processInfo.activeProcessorCount,
    libraries: Dictionary(uniqueKeysWithValues: libraries.runtimeVersions.map { ($0.key.rawValue, $0.value) }), summary: summary,
    measurements: results)
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
try OutputFile.write(try encoder.encode(document), to: root + "/reports/bench.json")
print("wrote reports/bench.json")
