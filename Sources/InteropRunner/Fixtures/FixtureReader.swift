import Foundation
import InteropCore
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// Reads one YAML mapping of a fixture file, naming the file and the field path in every error,
/// and refusing fields it does not know (a misspelt expectation must not pass silently).
struct FixtureReader {
    let file: String
    let path: String
    let mapping: [String: Any]

    init(file: String, path: String, value: Any?) throws(ConfigurationError) {
        guard let mapping = value as? [String: Any] else {
            throw ConfigurationError("\(file): \(path.isEmpty ? "the document" : path) must be a mapping")
        }
        self.file = file
        self.path = path
        self.mapping = mapping
    }

    static func load(file: String) throws(ConfigurationError) -> FixtureReader {
        let text: String
        do {
            // A path that is a device or FIFO (or a link to one) would be read for ever.
            var status = stat()
            if stat(file, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFREG else { throw ConfigurationError("\(file): not a regular file") }
                guard status.st_size <= BoundedYAML.maximumBytes else {
                    throw ConfigurationError("\(file): \(status.st_size) bytes; fixture files are limited to \(BoundedYAML.maximumBytes) bytes")
                }
            }
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("\(file): cannot read: \(error.localizedDescription)")
        }
        return try FixtureReader(file: file, path: "", value: try BoundedYAML.load(text, file: file))
    }

    func field(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func error(_ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError("\(file): field '\(field(key))' \(message)")
    }

    func allowOnly(_ keys: Set<String>) throws(ConfigurationError) {
        for key in mapping.keys.sorted() where !keys.contains(key) {
            throw ConfigurationError(
                "\(file): unknown field '\(field(key))' (known: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    func has(_ key: String) -> Bool { mapping[key] != nil }

    func string(_ key: String) throws(ConfigurationError) -> String {
        guard let value = mapping[key] else { throw error(key, "is missing") }
        // Folded YAML scalars (`>`) end in a newline that no reader wants.
        return try Self.scalarText(value, or: error(key, "must be a string")).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func optionalString(_ key: String) throws(ConfigurationError) -> String? {
        has(key) ? try string(key) : nil
    }

    func int(_ key: String, default fallback: Int) throws(ConfigurationError) -> Int {
        guard let value = mapping[key] else { return fallback }
        guard let number = value as? Int else { throw error(key, "must be an integer") }
        return number
    }

    func bool(_ key: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        guard let value = mapping[key] else { return fallback }
        guard let flag = value as? Bool else { throw error(key, "must be true or false") }
        return flag
    }

    func strings(_ key: String, default fallback: [String]? = nil) throws(ConfigurationError) -> [String] {
        guard let value = mapping[key] else {
            if let fallback { return fallback }
            throw error(key, "is missing")
        }
        guard let list = value as? [Any] else { throw error(key, "must be a list") }
        var result: [String] = []
        for (index, item) in list.enumerated() {
            result.append(try Self.scalarText(item, or: error("\(key)[\(index)]", "must be a string")))
        }
        return result
    }

    func nested(_ key: String) throws(ConfigurationError) -> FixtureReader? {
        guard let value = mapping[key] else { return nil }
        return try FixtureReader(file: file, path: field(key), value: value)
    }

    func list(_ key: String) throws(ConfigurationError) -> [FixtureReader] {
        guard let value = mapping[key] else { throw error(key, "is missing") }
        guard let items = value as? [Any] else { throw error(key, "must be a list") }
        var readers: [FixtureReader] = []
        for (index, item) in items.enumerated() {
            readers.append(try FixtureReader(file: file, path: "\(field(key))[\(index)]", value: item))
        }
        return readers
    }

    /// YAML scalars arrive as String, Int, Bool or Double; fixtures treat them all as text where text is wanted.
    private static func scalarText(_ value: Any, or failure: ConfigurationError) throws(ConfigurationError) -> String {
        switch value {
        case let text as String: return text
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        case let flag as Bool: return flag ? "true" : "false"
        default: throw failure
        }
    }
}
