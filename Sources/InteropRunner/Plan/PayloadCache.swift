import InteropCore
import Synchronization

/// The seeded payloads of recent cells: every pairing and protocol of a scenario sends the same bytes (same size,
/// same seed), and generating a mebibyte again for each was a visible part of a bulk cell. A few entries suffice,
/// as cells of one scenario run together.
enum PayloadCache {
    private static let recent = Mutex<[(count: Int, seed: UInt64, bytes: [UInt8])]>([])
    private static let capacity = 8

    static func payload(count: Int, seed: UInt64) -> [UInt8] {
        if let hit = recent.withLock({ entries in entries.first { $0.count == count && $0.seed == seed }?.bytes }) {
            return hit
        }
        let bytes = SeededGenerator.payload(count: count, seed: seed)
        recent.withLock { entries in
            entries.insert((count, seed, bytes), at: 0)
            if entries.count > capacity { entries.removeLast() }
        }
        return bytes
    }
}
