import Foundation

/// When a transport answers EAGAIN although it could have moved bytes.
public enum FaultPattern: Sendable, Hashable, CustomStringConvertible {
    case never
    /// Calls N, 2N, 3N… (counted per direction) are refused.
    case everyNth(Int)
    /// Each call is refused with this probability, drawn from the connection's seeded generator.
    case probability(Double)

    /// Parses `never`, `every N` or `p=0.3`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "never" {
            self = .never
        } else if trimmed.hasPrefix("every "), let count = Int(trimmed.dropFirst(6)), count >= 2 {
            self = .everyNth(count)
        } else if trimmed.hasPrefix("p="), let value = Double(trimmed.dropFirst(2)), value >= 0, value < 1 {
            self = .probability(value)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .never: "never"
        case .everyNth(let count): "every \(count)"
        case .probability(let value): "p=\(value)"
        }
    }
}

/// The faults one endpoint's transport injects into its library's I/O, all decided from a seed.
public struct FaultPlan: Sendable, Hashable {
    public var readRefusals: FaultPattern
    public var writeRefusals: FaultPattern
    /// At most this many bytes per read (1 = one-byte delivery).
    public var maxReadChunk: Int?
    /// At most this many bytes accepted per write.
    public var maxWriteChunk: Int?
    /// Each read is cut at a length drawn from the seed: half the time 1–32 bytes (a record, a handshake message or
    /// its header split across reads), else 256 bytes–64 KiB (several records joined in one read).
    public var randomCuts = false

    public init(
        readRefusals: FaultPattern = .never, writeRefusals: FaultPattern = .never, maxReadChunk: Int? = nil,
        maxWriteChunk: Int? = nil, randomCuts: Bool = false
    ) {
        self.readRefusals = readRefusals
        self.writeRefusals = writeRefusals
        self.maxReadChunk = maxReadChunk
        self.maxWriteChunk = maxWriteChunk
        self.randomCuts = randomCuts
    }

    public static let none = FaultPlan()

    /// True when the plan draws random numbers, so different seeds give different schedules.
    public var isRandomized: Bool {
        if randomCuts { return true }
        if case .probability = readRefusals { return true }
        if case .probability = writeRefusals { return true }
        return false
    }
}
