import InteropCore
import Yams

/// YAML read with bounds, for fixture and divergence files a user may hand the tool: the text's size, the depth
/// of nesting, and the number of nodes after aliases are expanded (nested aliases — a "billion laughs" document —
/// expand exponentially, so they are counted on the composed tree before any value is built). Errors name the
/// file and stay short even when the parser quotes a very long line.
enum BoundedYAML {
    static let maximumBytes = 4 << 20
    static let maximumDepth = 64
    static let maximumNodes = 200_000

    /// The composed document, checked against the bounds; nil for an empty document.
    static func compose(_ text: String, file: String) throws(ConfigurationError) -> Node? {
        guard text.utf8.count <= maximumBytes else {
            throw ConfigurationError("\(file): \(text.utf8.count) bytes; fixture files are limited to \(maximumBytes) bytes")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("\(file): not valid YAML: \(shortened(String(describing: error)))")
        }
        guard let root else { return nil }
        var budget = maximumNodes
        try count(root, depth: 1, budget: &budget, file: file)
        return root
    }

    private static func count(_ node: Node, depth: Int, budget: inout Int, file: String) throws(ConfigurationError) {
        guard depth <= maximumDepth else {
            throw ConfigurationError("\(file): nested more than \(maximumDepth) levels deep")
        }
        budget -= 1
        guard budget >= 0 else {
            throw ConfigurationError(
                "\(file): more than \(maximumNodes) values once aliases are expanded (nested aliases?)")
        }
        switch node {
        case .scalar, .alias:
            return
        case .sequence(let sequence):
            for child in sequence { try count(child, depth: depth + 1, budget: &budget, file: file) }
        case .mapping(let mapping):
            for (key, value) in mapping {
                try count(key, depth: depth + 1, budget: &budget, file: file)
                try count(value, depth: depth + 1, budget: &budget, file: file)
            }
        }
    }

    /// The parser's first lines, each cut to a readable length: it quotes the offending line whole.
    static func shortened(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: true).prefix(3)
            .map { $0.count > 160 ? $0.prefix(160) + "…" : String($0) }.joined(separator: " / ")
    }
}
