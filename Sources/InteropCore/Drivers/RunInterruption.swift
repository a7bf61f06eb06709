import Synchronization

/// The signal that asked this process to stop its run, if any. Process-wide because signals are: the signal
/// handler records it and every event loop in flight reads it, so a cell ends within a poll interval instead of
/// at its deadline.
public enum RunInterruption {
    private static let received = Atomic<Int32>(0)

    public static var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Records `signal`; false when an earlier signal was already recorded.
    @discardableResult
    public static func record(_ signal: Int32) -> Bool {
        received.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing).exchanged
    }
}
