import Glibc

/// Microseconds since the epoch: the time both ends of a cell share, in one process or two, and that captures carry.
public enum WallClock {
    public static var microseconds: UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec / 1000)
    }
}
