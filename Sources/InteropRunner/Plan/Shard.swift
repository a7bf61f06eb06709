import Foundation
import InteropCore
typealias InteropCoreDigest = PayloadDigest

/// One of N disjoint parts of a selection of cells, for CI systems that run parallel jobs. The split is
/// deterministic — the same selection and timings give every job the same answer without talking to the others —
/// and balanced by expected cost: recorded durations from an earlier results file when given, a static estimate
/// otherwise. Cells are dealt costliest first to the part with the least work so far.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var total: Int

    public init(index: Int, total: Int) throws(ConfigurationError) {
        guard total >= 1, total <= Self.maximumParts, index >= 1, index <= total else {
            throw ConfigurationError("shard \(index)/\(total): K must be between 1 and N, and N between 1 and \(Self.maximumParts)")
        }
        self.index = index
        self.total = total
    }

    /// Parses `K/N`.
    public init(parsing text: String, source: String) throws(ConfigurationError) {
        let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let index = parts[0], let total = parts[1] else {
            throw ConfigurationError("\(source): '\(text)' is not K/N (e.g. 2/3)")
        }
        try self.init(index: index, total: total)
    }

    /// The shard a CI system asks for when `--shard` is absent: GitLab's `CI_NODE_INDEX`/`CI_NODE_TOTAL` (1-based), or
    /// `TLS_INTEROP_SHARD=K/N`.
    public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> Shard? {
        if let text = environment["TLS_INTEROP_SHARD"] {
            return try Shard(parsing: text, source: "TLS_INTEROP_SHARD")
        }
        if let index = environment["CI_NODE_INDEX"], let total = environment["CI_NODE_TOTAL"] {
            return try Shard(parsing: "\(index)/\(total)", source: "CI_NODE_INDEX/CI_NODE_TOTAL")
        }
        return nil
    }

    public var description: String { "\(index)/\(total)" }

    /// More parallel jobs than any CI runs, and few enough that dealing the cells stays instant.
    public static let maximumParts = 1024

    /// This shard's cells, in the selection's order.
    public func cells(of selection: [Cell], timings: [String: Double] = [:], libraries: LibraryRegistry) -> [Cell] {
        let assignment = Self.assign(selection, parts: total, timings: timings, libraries: libraries)
        return selection.indices.filter { assignment[$0] == index - 1 }.map { selection[$0] }
    }

    /// The part (0-based) each cell of the selection goes to.
    static func assign(_ selection: [Cell], parts: Int, timings: [String: Double], libraries: LibraryRegistry) -> [Int] {
        let costs = selection.map { timings[$0.id] ?? CellCost.estimate($0, libraries: libraries) * 10 }
        let order = selection.indices.sorted {
            costs[$0] != costs[$1] ? costs[$0] > costs[$1] : selection[$0].id < selection[$1].id
        }
        var load = [Double](repeating: 0, count: parts)
        var assignment = [Int](repeating: 0, count: selection.count)
        for index in order {
            let part = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            assignment[index] = part
            load[part] += costs[index]
        }
        return assignment
    }

    /// A digest of the whole selection, recorded in each shard's results so a merge can tell shards of different
    /// selections apart.
    public static func selectionDigest(_ selection: [Cell]) -> String {
        var digest = PayloadDigestBridge()
        for cell in selection { digest.add(cell.id + "\n") }
        return digest.hex
    }
}

/// SHA-256 over text, through the core's digest.
struct PayloadDigestBridge {
    private var digest = InteropCoreDigest()
    mutating func add(_ text: String) { digest.update(Array(text.utf8)) }
    var hex: String { String(digest.hexDigest.prefix(16)) }
}
