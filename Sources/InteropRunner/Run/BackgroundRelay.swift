import Foundation
import InteropCore

/// A UDP relay driven on a thread of its own, for a runner that otherwise only waits for its peer processes: between
/// two peer processes it applies a QUIC cell's datagram faults exactly as it does between two in-process endpoints.
final class BackgroundRelay: @unchecked Sendable {
    // `relay` belongs to the thread until `stop()` has seen the thread finish; only then does the caller read it.
    private let relay: UDPRelay
    private let lock = NSLock()
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)

    init(_ relay: UDPRelay) {
        self.relay = relay
        let thread = Thread { [self] in
            while !isStopRequested {
                guard let readiness = self.relay.advance() else { break }
                // A short poll, so a stop request is seen within 20 ms.
                _ = Poller.wait(for: [readiness], timeoutMilliseconds: 20)
            }
            finished.signal()
        }
        thread.start()
    }

    var address: LoopbackAddress { relay.address }

    private var isStopRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    /// Stops the thread and hands back the relay with everything it logged.
    func stop() -> UDPRelay {
        lock.lock()
        stopRequested = true
        lock.unlock()
        finished.wait()
        return relay
    }
}
