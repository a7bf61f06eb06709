import Foundation

/// Decodes a JSON value the way Yams decodes YAML: every scalar is text, read as a string, an integer, a number or a
/// boolean when asked for one. The runner hands each peer its scenario as such a document (strings only), which a
/// peer reads with Foundation's JSON parser and this decoder instead of a YAML parser, tag resolution by regular
/// expressions and Yams' decoder: a third of a peer process's start-up. The fixture types read it with the same
/// `init(from:)` as the files.
struct TextScalarDecoder: Decoder {
    /// A value from `JSONSerialization`: a dictionary, an array, a string, a number or a boolean, or `NSNull`.
    let value: Any
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let mapping = value as? [String: Any] else { throw mismatch([String: Any].self) }
        return KeyedDecodingContainer(Mapping(mapping: mapping, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let list = value as? [Any] else { throw mismatch([Any].self) }
        return List(items: list, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Scalar(decoder: self) }

    func child(_ value: Any, at key: any CodingKey) -> TextScalarDecoder {
        TextScalarDecoder(value: value, codingPath: codingPath + [key], userInfo: userInfo)
    }

    var isNull: Bool { value is NSNull }

    /// The scalar's text; nil for a mapping, a list or null.
    var text: String? {
        switch value {
        case let text as String: text
        case is NSNull, is [Any], is [String: Any]: nil
        default: String(describing: value)
        }
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self, let text { return text as! T }
        if T.self == Int.self, let number = text.flatMap({ Int($0) }) { return number as! T }
        if T.self == Double.self, let number = text.flatMap({ Double($0) }) { return number as! T }
        if T.self == Bool.self, let text {
            switch text.lowercased() {
            case "true", "yes", "on": return true as! T
            case "false", "no", "off": return false as! T
            default: throw mismatch(type)
            }
        }
        if [String.self, Int.self, Double.self].contains(where: { $0 == T.self }) { throw mismatch(type) }
        return try T(from: self)
    }

    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, DecodingError.Context(codingPath: codingPath, debugDescription: "found \(Swift.type(of: value))"))
    }

    private struct Mapping<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let mapping: [String: Any]
        let decoder: TextScalarDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] { mapping.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { mapping[key.stringValue] != nil }

        func value(_ key: Key) throws -> TextScalarDecoder {
            guard let value = mapping[key.stringValue] else {
                throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "missing"))
            }
            return decoder.child(value, at: key)
        }

        func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(key).decode(type) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try value(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try value(key).unkeyedContainer() }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { try value(key) }
    }

    private struct List: UnkeyedDecodingContainer {
        let items: [Any]
        let decoder: TextScalarDecoder
        var currentIndex = 0
        var codingPath: [any CodingKey] { decoder.codingPath }
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        mutating func next() throws -> TextScalarDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, DecodingError.Context(codingPath: codingPath, debugDescription: "the list has ended"))
            }
            defer { currentIndex += 1 }
            return decoder.child(items[currentIndex], at: FixtureKey(intValue: currentIndex)!)
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, items[currentIndex] is NSNull else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { try next() }
    }

    private struct Scalar: SingleValueDecodingContainer {
        let decoder: TextScalarDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { decoder.isNull }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
    }
}
