import Yams

/// One scenario as a document of its own (its file's family and title, and that entry alone), which the runner
/// hands to its peer processes: they decode it with the same decoder and code as the runner decoded the file,
/// without parsing every other scenario of the file at each process start.
enum ScenarioDocument {
    static func single(_ id: String, of root: Node, entries: [Node]) -> String {
        guard let mapping = root.mapping,
            let entry = entries.first(where: { $0.mapping?["id"]?.string == id })
        else { return "" }
        var document = Node.Mapping([])
        for key in ["family", "title"] {
            if let value = mapping[key] { document[Node(key)] = value }
        }
        document[Node("scenarios")] = Node([entry])
        return (try? Yams.serialize(node: Node.mapping(document))) ?? ""
    }
}
