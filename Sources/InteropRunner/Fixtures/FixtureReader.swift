import InteropCore

/// One YAML mapping of a fixture, read through a Codable decoder: every field it reads or refuses is named by its
/// path, and fields it does not know are refused (a misspelt expectation must not pass silently). The fixture
/// types' `init(from:)` read themselves with it.
struct FixtureReader {
    let path: [any CodingKey]
    let keys: Set<String>
    /// The run's libraries, handed to the decoder in its user info.
    let libraries: LibraryRegistry
    private let container: KeyedDecodingContainer<FixtureKey>

    /// Reads `decoder`'s value as a mapping, refusing keys outside `allowed` when given.
    init(_ decoder: any Decoder, allowing allowed: Set<String>? = nil) throws {
        do {
            container = try decoder.container(keyedBy: FixtureKey.self)
        } catch {
            throw FixtureFieldError(path: decoder.codingPath, "must be a mapping")
        }
        path = decoder.codingPath
        keys = Set(container.allKeys.map(\.stringValue))
        guard let libraries = decoder.userInfo[FixtureDecoding.librariesKey] as? LibraryRegistry else {
            preconditionFailure("fixtures are decoded through FixtureDecoding, which supplies the libraries")
        }
        self.libraries = libraries
        if let allowed { try allowOnly(allowed) }
    }

    func allowOnly(_ allowed: Set<String>) throws {
        for key in keys.sorted() where !allowed.contains(key) {
            throw FixtureFieldError(path: path + [FixtureKey(key)], unknownAmong: allowed.sorted())
        }
    }

    func has(_ key: String) -> Bool { keys.contains(key) }

    func error(_ key: String, _ message: String) -> FixtureFieldError {
        FixtureFieldError(path: key.isEmpty ? path : path + [FixtureKey(key)], message)
    }

    /// A scalar as text (numbers and booleans too), trimmed: folded YAML scalars (`>`) end in a newline no reader wants.
    func string(_ key: String) throws -> String {
        guard has(key) else { throw error(key, "is missing") }
        do {
            return try container.decode(String.self, forKey: FixtureKey(key)).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw self.error(key, "must be a string")
        }
    }

    func optionalString(_ key: String) throws -> String? {
        has(key) ? try string(key) : nil
    }

    func int(_ key: String, default fallback: Int) throws -> Int {
        guard has(key) else { return fallback }
        do {
            return try container.decode(Int.self, forKey: FixtureKey(key))
        } catch {
            throw self.error(key, "must be an integer")
        }
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard has(key) else { return fallback }
        do {
            return try container.decode(Bool.self, forKey: FixtureKey(key))
        } catch {
            throw self.error(key, "must be true or false")
        }
    }

    /// A list of scalars as text; a missing list is `fallback`, or an error when there is none.
    func strings(_ key: String, default fallback: [String]? = nil) throws -> [String] {
        guard has(key) else {
            if let fallback { return fallback }
            throw error(key, "is missing")
        }
        guard isList(key) else { throw error(key, "must be a list") }
        var items = try container.nestedUnkeyedContainer(forKey: FixtureKey(key))
        var texts: [String] = []
        while !items.isAtEnd {
            let index = items.currentIndex
            do {
                texts.append(try items.decode(String.self))
            } catch {
                throw self.error("\(key)[\(index)]", "must be a string")
            }
        }
        return texts
    }

    /// Whether the value under `key` is a list (rather than a scalar or a mapping).
    func isList(_ key: String) -> Bool {
        (try? container.nestedUnkeyedContainer(forKey: FixtureKey(key))) != nil
    }

    /// The mapping under `key`, if present.
    func nested(_ key: String, allowing allowed: Set<String>? = nil) throws -> FixtureReader? {
        guard has(key) else { return nil }
        return try FixtureReader(try container.superDecoder(forKey: FixtureKey(key)), allowing: allowed)
    }

    /// The value under `key` as a fixture type.
    func decode<Value: Decodable>(_ type: Value.Type, _ key: String) throws -> Value {
        guard has(key) else { throw error(key, "is missing") }
        do {
            return try container.decode(type, forKey: FixtureKey(key))
        } catch let failure as DecodingError {
            throw FixtureFieldError(failure)
        }
    }

    /// Each mapping of the list under `key`, read by `body`.
    func each<Value>(_ key: String, _ body: (FixtureReader) throws -> Value) throws -> [Value] {
        guard has(key) else { throw error(key, "is missing") }
        guard var items = try? container.nestedUnkeyedContainer(forKey: FixtureKey(key)) else { throw error(key, "must be a list") }
        var values: [Value] = []
        while !items.isAtEnd {
            values.append(try body(try FixtureReader(try items.superDecoder())))
        }
        return values
    }
}
