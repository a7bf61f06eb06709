import Foundation
import Yams

/// One scenario as a document of its own (its file's family and title, and that entry alone), which the runner
/// hands to its peer processes. It is JSON with every scalar as the text the YAML file spelt it with: a peer reads it
/// with `TextScalarDecoder` through the same fixture code as the runner read the file, without parsing every other
/// scenario of the file, and without a YAML parser, at each process start.
enum ScenarioDocument {
    static func single(_ id: String, of root: Node, entries: [Node]) -> String {
        guard let mapping = root.mapping,
            let entry = entries.first(where: { $0.mapping?["id"]?.string == id })
        else { return "" }
        var document: [String: Any] = ["scenarios": [plain(entry)]]
        for key in ["family", "title"] {
            if let value = mapping[key] { document[key] = plain(value) }
        }
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `node` as JSON values: mappings and lists as they are, every scalar as its text (as Yams' decoder reads a
    /// scalar asked for as a string, whatever its tag).
    private static func plain(_ node: Node) -> Any {
        switch node {
        case .scalar(let scalar):
            return scalar.string
        case .mapping(let mapping):
            var values: [String: Any] = [:]
            for (key, value) in mapping { values[key.string ?? ""] = plain(value) }
            return values
        case .sequence(let sequence):
            return sequence.map(plain)
        case .alias:
            // Composing resolves aliases to the nodes they name; none reach here.
            return ""
        }
    }
}
