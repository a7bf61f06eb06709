/// A `FaultPlan` in motion on one transport: it counts the library's calls per direction and decides, from the
/// transport's seed, which of them are refused. The in-memory link and a peer's socket transport share it, so an
/// endpoint's faults mean the same on either.
public struct FaultSchedule {
    public let plan: FaultPlan
    /// Library calls per direction so far.
    public private(set) var calls: [TransportDirection: Int] = [:]
    private var generator: SeededGenerator

    public init(plan: FaultPlan, seed: UInt64) {
        self.plan = plan
        self.generator = SeededGenerator(seed: seed)
    }

    /// Counts one library call in `direction`; `refuses` then decides about that call.
    public mutating func count(_ direction: TransportDirection) {
        calls[direction, default: 0] += 1
    }

    /// Whether the plan refuses the call just counted in `direction`.
    public mutating func refuses(_ direction: TransportDirection) -> Bool {
        switch direction == .read ? plan.readRefusals : plan.writeRefusals {
        case .never: false
        case .everyNth(let count): calls[direction, default: 0] % count == 0
        case .probability(let value): Double(generator.next() >> 11) / Double(1 << 53) < value
        }
    }

    /// Whether the write just counted is refused: one of the `pending` refusals a `refuseWrites(N)` step asked for
    /// (used up one by one), else as the plan says.
    public mutating func refusesWrite(pending: inout Int) -> Bool {
        if pending > 0 {
            pending -= 1
            return true
        }
        return refuses(.write)
    }

    /// The most bytes the next read may take: the plan's cap, cut shorter where the plan cuts at random.
    public mutating func readLimit() -> Int {
        let cap = plan.maxReadChunk ?? Int.max
        guard plan.randomCuts else { return cap }
        let draw = generator.next()
        let cut = draw & 1 == 0 ? 1 + Int((draw >> 1) % 32) : 256 + Int((draw >> 1) % (65_536 - 255))
        return min(cap, cut)
    }

    /// The seed of one end of link number `link` (1 for a cell's first connection) in a cell run with `cellSeed`:
    /// both ends of a link, and every link of a cell, draw different schedules, the same in every mode.
    public static func seed(cellSeed: UInt64, link: UInt64, role: EndpointRole) -> UInt64 {
        let base = cellSeed &* 0x9E37_79B9 &+ link &* 0x1000
        return base &+ (role == .client ? 1 : 2)
    }
}
