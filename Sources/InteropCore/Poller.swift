#if canImport(Glibc)
import Glibc
#endif

/// What a blocked endpoint is waiting for: a socket event, or a condition of an in-memory link.
public enum Readiness {
    case readable(Int32)
    case writable(Int32)
    /// Ready when the condition holds; checked by the loop itself, no system call involved.
    case condition(() -> Bool)

    var fileDescriptor: Int32 {
        switch self {
        case .readable(let fd), .writable(let fd): fd
        case .condition: -1
        }
    }

    var pollEvents: Int16 {
        switch self {
        case .readable: Int16(POLLIN)
        case .writable: Int16(POLLOUT)
        case .condition: 0
        }
    }

    var isSocketEvent: Bool {
        if case .condition = self { return false }
        return true
    }
}

/// A thin wrapper over `poll(2)`: one call, the interests in, which of them fired out.
public enum Poller {
    /// Waits until at least one interest is ready or the timeout passes; returns one flag per interest.
    /// Errors and hang-ups count as ready, so that the library call that follows reports them.
    public static func wait(for interests: [Readiness], timeoutMilliseconds: Int32) -> [Bool] {
        var descriptors = interests.map { pollfd(fd: $0.fileDescriptor, events: $0.pollEvents, revents: 0) }
        while true {
            let count = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
            if count < 0 && errno == EINTR { continue }
            return descriptors.map { $0.revents != 0 }
        }
    }
}
