import InteropCore

/// A value an expectation accepts: one exact observation, or any of several.
public enum ExpectedValue: Sendable, Hashable, CustomStringConvertible {
    case exactly(String)
    case oneOf([String])

    public func accepts(_ observed: String) -> Bool {
        switch self {
        case .exactly(let value): value == observed
        case .oneOf(let values): values.contains(observed)
        }
    }

    public var description: String {
        switch self {
        case .exactly(let value): value
        case .oneOf(let values): "one of [\(values.joined(separator: ", "))]"
        }
    }
}

/// What a scenario requires, field by field.
public struct Expectation: Sendable, Hashable {
    public private(set) var fields: [ObservedField: ExpectedValue]
    /// The fatal alerts this expectation lets arrive when it does not say so itself: any of those its outcomes name
    /// (`alertSent(120)` means the peer receives 120), none otherwise. Worked out once: every cell is judged with it.
    public private(set) var impliedFatalAlerts: ExpectedValue

    public init(_ fields: [ObservedField: ExpectedValue]) {
        self.fields = fields
        impliedFatalAlerts = Self.impliedFatalAlerts(fields)
    }

    private static func impliedFatalAlerts(_ fields: [ObservedField: ExpectedValue]) -> ExpectedValue {
        var codes: Set<UInt8> = []
        for value in fields.values {
            let texts: [String] = switch value {
            case .exactly(let text): [text]
            case .oneOf(let texts): texts
            }
            for text in texts {
                switch Outcome(parsing: text) {
                case .alertSent(let code)?, .alertReceived(let code)?: codes.insert(code)
                default: break
                }
            }
        }
        let ordered = codes.sorted()
        // Every subset: a scenario that allows one of several outcomes allows their alerts to be absent too.
        let subsets = (0..<(1 << ordered.count)).map { mask in
            ordered.indices.filter { mask & (1 << $0) != 0 }.map { ordered[$0] }
        }
        let texts = subsets.map(Self.fatalAlertsText)
        return texts.count == 1 ? .exactly(texts[0]) : .oneOf(texts)
    }

    /// The textual form of a set of alert codes, as observations and fixtures write it: `none` or
    /// `decode_error(50), no_application_protocol(120)`.
    public static func fatalAlertsText(_ codes: [UInt8]) -> String {
        let distinct = Set(codes).sorted()
        return distinct.isEmpty ? "none" : distinct.map { "\(AlertEvent.name(of: $0))(\($0))" }.joined(separator: ", ")
    }
}
