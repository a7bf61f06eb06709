import InteropCore

/// The one step that judges: applicability, the expectation (the command-line form's in external modes), the
/// documented divergences, the loop's ending and the runner's problems, turned into a cell's result. The matrix's
/// own verdicts over several runs — the first failing seed, a flaky repeat, a run interrupted — are here too.
public enum CellVerdict {
    public static func judge(_ run: CellRun, cell: Cell, seed: UInt64, divergences: DivergenceCatalog) -> CellResult {
        var result = CellResult(
            cell: cell, status: .skipped, message: "", checks: [], divergence: nil, serverConnections: run.serverConnections,
            clients: run.clients, observation: nil, seed: seed, duration: run.duration, deadlineExpired: false)
        result.peerOutput = run.peerOutput
        result.evidence = run.evidence
        if let reason = run.notApplicable {
            result.message = "not applicable: \(reason)"
            return result
        }
        if run.harnessError == nil || run.hasRecords {
            judgeRecords(&result, ending: run.ending, divergences: divergences, unobservable: run.unobservable)
        }
        if let error = run.harnessError {
            result.status = .error
            result.message = "harness error: \(error)"
        } else if !run.problems.isEmpty {
            result.status = .failed
            result.message = run.problems.joined(separator: "; ") + "; " + result.message
        }
        return result
    }

    /// Observes both endpoints' records and judges them against the scenario and the documented divergences.
    static func judgeRecords(
        _ result: inout CellResult, ending: LoopEnding, divergences: DivergenceCatalog, unobservable: Set<ObservedField> = []
    ) {
        let cell = result.cell
        result.ending = ending
        result.deadlineExpired = ending != .completed
        let observed = CellObservation(
            serverConnections: result.serverConnections, clients: result.clients, payloadSize: cell.scenario.payloadSize,
            serverPayloadSize: cell.scenario.serverPayloadSize, loopEnding: ending.rawValue, serverObserved: cell.mode != .targetServer,
            clientObserved: cell.mode != .targetClient)
        // What the program on one side could not show is reported as such, not as the value an empty record gives.
        var observation = observed
        for field in unobservable { observation.values[field] = "not observable" }
        result.observation = observation
        let divergence = divergences.divergence(for: cell, observation: observation)
        var judged = cell
        if cell.mode.isExternal, let external = cell.scenario.external { judged.scenario.expectation = external.expectation }
        let verdict = Judge.judge(
            cell: judged, observation: observation, deadlineExpired: result.deadlineExpired, divergence: divergence,
            ending: ending.rawValue, unobservable: unobservable)
        result.status = verdict.status
        result.message = verdict.message
        result.checks = verdict.checks
        // A passed cell claims no divergence, even where a library-wide one showed in a field it does not judge.
        result.divergence = verdict.status == .passed ? nil : divergence
    }

    /// When the run was stopped while the cell was in flight: the stop killed its peers or ended its loop, so what
    /// it observed says nothing about the libraries.
    static func interrupted(_ result: CellResult) -> CellResult {
        guard result.status != .skipped else { return result }
        var interrupted = result
        interrupted.status = .interrupted
        interrupted.message = "interrupted: the run was stopped while this cell was in flight; not judged"
        interrupted.checks = []
        interrupted.divergence = nil
        return interrupted
    }

    /// Run `attempt` of `count` with one seed, which observed otherwise than run 1: the cell is flaky.
    static func flaky(first: CellResult, again: CellResult, attempt: Int, of count: Int) -> CellResult? {
        // Only judged observations: informational counts may vary between identical runs.
        let judged = Set(first.checks.map(\.field))
        let before = (first.observation?.values ?? [:]).filter { judged.contains($0.key.rawValue) }
        let after = (again.observation?.values ?? [:]).filter { judged.contains($0.key.rawValue) }
        guard again.status != first.status || before != after else { return nil }
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
            .sorted().map { "\($0.rawValue): \(before[$0] ?? "-") → \(after[$0] ?? "-")" }
        var flaky = again
        flaky.status = .failed
        flaky.message = "flaky: run \(attempt) of \(count) with seed \(first.seed) differs from run 1 "
            + "(\(first.status.rawValue) → \(again.status.rawValue)\(changed.isEmpty ? "" : "; " + changed.joined(separator: "; ")))"
        return flaky
    }
}
