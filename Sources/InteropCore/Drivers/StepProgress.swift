/// How one pass of a step came out: the endpoint driver's cursor acts on nothing else.
enum StepProgress {
    /// Done; the script moves to its next step.
    case done
    /// Progress within the step (bytes moved, a first close_notify sent): the same step runs again at once.
    case again
    /// Waiting for the connection; the same step runs again when it is ready.
    case waiting(Readiness)
    /// The script stops here with this outcome.
    case stopped(Outcome)
}
