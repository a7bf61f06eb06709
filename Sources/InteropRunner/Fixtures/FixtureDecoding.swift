import Foundation
import InteropCore
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// Fixture files decoded with Codable (Yams' decoder over a bounded, composed document) into the fixture types,
/// every error turned into one message naming the file and the field path (`scenarios[3].server.alpn`).
enum FixtureDecoding {
    /// What the fixture types need to know while decoding: the libraries (whose keys and options are allowed).
    static let librariesKey = CodingUserInfoKey(rawValue: "tls-interop.libraries")!
    /// When set, the one scenario id a reader wants: a peer process needs one scenario of a file, and building every
    /// other one was a quarter of a peer's start-up.
    static let onlyScenarioKey = CodingUserInfoKey(rawValue: "tls-interop.only-scenario")!

    static func decode<T: Decodable>(
        _ type: T.Type, file: String, libraries: LibraryRegistry, onlyScenario: String? = nil
    ) throws(ConfigurationError) -> T {
        try decode(type, root: try compose(file: file), file: file, libraries: libraries, onlyScenario: onlyScenario)
    }

    /// A fixture file's document, composed within the bounds.
    static func compose(file: String, text: String? = nil) throws(ConfigurationError) -> Node {
        let content: String
        if let text { content = text } else { content = try read(file) }
        guard let root = try BoundedYAML.compose(content, file: file) else {
            throw ConfigurationError("\(file): the document must be a mapping")
        }
        return root
    }

    /// `root` decoded as `type`; `file` names it in errors.
    static func decode<T: Decodable>(
        _ type: T.Type, root: Node, file: String, libraries: LibraryRegistry, onlyScenario: String? = nil
    ) throws(ConfigurationError) -> T {
        var userInfo: [CodingUserInfoKey: any Sendable] = [librariesKey: libraries]
        if let onlyScenario { userInfo[onlyScenarioKey] = onlyScenario }
        return try decoded(file) { try YAMLDecoder().decode(type, from: root, userInfo: userInfo) }
    }

    /// A JSON document (the runner's one-scenario form) decoded as `type`, its scalars read as text like YAML's.
    static func decode<T: Decodable>(
        _ type: T.Type, json: [UInt8], file: String, libraries: LibraryRegistry, onlyScenario: String? = nil
    ) throws(ConfigurationError) -> T {
        guard json.count <= BoundedYAML.maximumBytes else {
            throw ConfigurationError("\(file): \(json.count) bytes; fixture documents are limited to \(BoundedYAML.maximumBytes) bytes")
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(json))
        } catch {
            throw ConfigurationError("\(file): not a JSON document: \(BoundedYAML.shortened(error.localizedDescription))")
        }
        var userInfo: [CodingUserInfoKey: Any] = [librariesKey: libraries]
        if let onlyScenario { userInfo[onlyScenarioKey] = onlyScenario }
        return try decoded(file) { try T(from: TextScalarDecoder(value: value, codingPath: [], userInfo: userInfo)) }
    }

    /// `body`'s value, its errors in the fixture readers' words, naming `file`.
    private static func decoded<T>(_ file: String, _ body: () throws -> T) throws(ConfigurationError) -> T {
        do {
            return try body()
        } catch let error as FixtureFieldError {
            throw ConfigurationError("\(file): \(error.description)")
        } catch let error as DecodingError {
            throw ConfigurationError("\(file): \(FixtureFieldError(error).description)")
        } catch {
            throw ConfigurationError("\(file): \(BoundedYAML.shortened(String(describing: error)))")
        }
    }

    private static func read(_ file: String) throws(ConfigurationError) -> String {
        // A path that is a device or FIFO (or a link to one) would be read for ever.
        var status = stat()
        if stat(file, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else { throw ConfigurationError("\(file): not a regular file") }
            guard status.st_size <= BoundedYAML.maximumBytes else {
                throw ConfigurationError("\(file): \(status.st_size) bytes; fixture files are limited to \(BoundedYAML.maximumBytes) bytes")
            }
        }
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError("\(file): cannot read: \(error.localizedDescription)")
        }
    }
}

/// A problem with one field of a fixture, at its coding path.
struct FixtureFieldError: Error, CustomStringConvertible {
    enum Kind {
        case invalid(String)
        case unknown(known: [String])
    }

    var path: [any CodingKey]
    var kind: Kind

    init(path: [any CodingKey], _ message: String) {
        self.path = path
        kind = .invalid(message)
    }

    init(path: [any CodingKey], unknownAmong known: [String]) {
        self.path = path
        kind = .unknown(known: known)
    }

    /// A decoder's own error, in the same words the fixture readers use.
    init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(path: context.codingPath, "must be \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(path: context.codingPath, "must be \(Self.describe(type))")
        case .keyNotFound(let key, let context):
            self.init(path: context.codingPath + [key], "is missing")
        case .dataCorrupted(let context):
            self.init(path: context.codingPath, context.debugDescription)
        @unknown default:
            self.init(path: [], "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "a mapping"
        }
    }

    static func text(of path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    var description: String {
        let field = Self.text(of: path)
        switch kind {
        case .invalid(let message):
            return field.isEmpty ? "the document \(message)" : "field '\(field)' \(message)"
        case .unknown(let known):
            return "unknown field '\(field)' (known: \(known.joined(separator: ", ")))"
        }
    }
}

/// Any key of a YAML mapping, for listing them.
struct FixtureKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ name: String) {
        stringValue = name
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
