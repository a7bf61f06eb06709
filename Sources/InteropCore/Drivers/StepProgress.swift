/// How a step that the driver hands to a helper (a socket step, the write-retry experiment) came out.
enum StepProgress {
    /// Done; the script moves to its next step.
    case done
    /// Waiting for the connection; the same step runs again when it is ready.
    case waiting(Readiness)
    /// The script stops here with this outcome.
    case stopped(Outcome)
}
