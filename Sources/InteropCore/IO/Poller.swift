#if canImport(Glibc)
import Glibc
#endif

/// What a blocked endpoint is waiting for: a socket event, or a condition of an in-memory link.
public enum Readiness {
    case readable(Int32)
    case writable(Int32)
    /// Ready when the condition holds; checked by the loop itself, no system call involved.
    case condition(() -> Bool)
    /// Ready when the inner readiness is, or once the instant has passed (a DTLS retransmission timer).
    indirect case until(ContinuousClock.Instant, Readiness)

    /// The event without any timer.
    var event: Readiness {
        if case .until(_, let inner) = self { return inner.event }
        return self
    }

    /// The timer, if the wait has one.
    var timer: ContinuousClock.Instant? {
        if case .until(let instant, let inner) = self {
            return inner.timer.map { min($0, instant) } ?? instant
        }
        return nil
    }

    var fileDescriptor: Int32 {
        switch event {
        case .readable(let fd), .writable(let fd): fd
        default: -1
        }
    }

    var pollEvents: Int16 {
        switch event {
        case .readable: Int16(POLLIN)
        case .writable: Int16(POLLOUT)
        default: 0
        }
    }

    var isSocketEvent: Bool {
        switch event {
        case .readable, .writable: true
        default: false
        }
    }
}

/// A thin wrapper over `poll(2)`: one call, the interests in, which of them fired out.
public enum Poller {
    /// Waits until at least one interest is ready or the timeout passes; returns one flag per interest.
    /// Errors and hang-ups count as ready, so that the library call that follows reports them.
    public static func wait(for interests: [Readiness], timeoutMilliseconds: Int32) -> [Bool] {
        var descriptors = interests.map { pollfd(fd: $0.fileDescriptor, events: $0.pollEvents, revents: 0) }
        wait(&descriptors, timeoutMilliseconds: timeoutMilliseconds)
        return descriptors.map { $0.revents != 0 }
    }

    /// The same over descriptors the caller keeps between calls; `revents` says which fired.
    public static func wait(_ descriptors: inout [pollfd], timeoutMilliseconds: Int32) {
        while poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds) < 0 && errno == EINTR {}
    }
}
