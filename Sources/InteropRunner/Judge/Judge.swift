import InteropCore

/// Compares a cell's observation with its scenario's expectation and the documented divergences.
public enum Judge {
    public static func judge(
        cell: Cell, observation: CellObservation, deadlineExpired: Bool, divergence: Divergence?, ending: String? = nil,
        unobservable programBlindSpots: Set<ObservedField> = []
    ) -> (status: CellStatus, message: String, checks: [Check]) {
        var observation = observation
        if let ending {
            observation.values[.loopEnding] = ending
        } else if deadlineExpired {
            observation.values[.loopEnding] = "timeout"
        }
        var checks: [Check] = []
        var fields = cell.scenario.expectation.fields
        // Every cell must end by itself unless its scenario is about a loop that cannot.
        fields[.loopEnding] = fields[.loopEnding] ?? .exactly("completed")
        // A fault that never fired proves nothing: such a cell fails rather than passes.
        if !cell.scenario.server.datagramFaults.isEmpty || !cell.scenario.client.datagramFaults.isEmpty {
            fields[.datagramFaults] = fields[.datagramFaults] ?? .exactly("fired")
        }
        // Every cell checks that each request to wait named the direction that really blocked.
        fields[.directionConsistency] = fields[.directionConsistency] ?? .exactly("consistent")
        // DTLS: a loop that trusts the libraries' timer and direction calls must neither spin nor stall. Judged in
        // process, where the harness decides when each endpoint runs; across processes whether an endpoint waits
        // after a flight at all depends on scheduling, so the hazards are recorded there but not judged.
        if cell.protocolVersion.isDatagram && cell.mode == .inProcess {
            fields[.timerHazards] = fields[.timerHazards] ?? .exactly("none")
        }
        // A fatal alert the scenario does not expect means the conversation broke, whatever else was met.
        fields[.fatalAlertsReceived] = fields[.fatalAlertsReceived] ?? cell.scenario.expectation.impliedFatalAlerts
        let unobservable = ObservedField.unobservable(in: cell.mode).union(programBlindSpots)
        for (field, expected) in fields.sorted(by: { $0.key < $1.key }) {
            if unobservable.contains(field) {
                checks.append(Check(field: field.rawValue, expected: expected.description, observed: "not observable", passed: false, notObservable: true))
                continue
            }
            let observed = observation.values[field] ?? "unobserved"
            checks.append(Check(field: field.rawValue, expected: expected.description, observed: observed, passed: expected.accepts(observed)))
        }
        let failing = checks.filter { !$0.passed && !$0.notObservable }
        let mismatchText = failing.map { "expected \($0.field)=\($0.expected), observed \($0.observed)" }.joined(separator: "; ")
        let unseen = checks.filter(\.notObservable).map(\.field)
        let side = cell.mode == .targetClient || cell.mode == .externalClient ? "server" : "client"
        let met = unseen.isEmpty ? "met every expectation" : "met every observable expectation (not observable from the \(side): \(unseen.joined(separator: ", ")))"
        // A library-wide divergence is joined wherever it shows; where the cell does not judge that field it excuses
        // nothing and the cell stands on its own checks.
        guard let divergence, !(divergence.isLibraryWide && failing.isEmpty) else {
            return failing.isEmpty ? (.passed, met, checks) : (.failed, mismatchText, checks)
        }
        let documentedAsSeen = divergence.isShown(in: observation)
        let coversEveryMismatch = failing.allSatisfy { check in
            divergence.observed.keys.contains { $0.rawValue == check.field }
        }
        if failing.isEmpty {
            return (
                .failed,
                "documented divergence \(divergence.id) did not occur: the cell met its expectation; "
                    + "update fixtures/divergences.yaml", checks
            )
        }
        if documentedAsSeen && coversEveryMismatch {
            return (.divergent, "documented divergence \(divergence.id): \(mismatchText)", checks)
        }
        let documented = divergence.observed.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }
            .joined(separator: ", ")
        return (.failed, "\(mismatchText) (divergence \(divergence.id) documents \(documented) instead)", checks)
    }
}
