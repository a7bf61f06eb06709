import InteropCore

/// The real programs of the external modes side by side: for each program (an endpoint adapter), every scenario,
/// protocol and Swift peer it met, with what each of its builds did — lighttpd on mod_openssl next to lighttpd on
/// mod_gnutls is the comparison a server author wants. A row differs when the builds' verdicts or what they showed
/// of the handshake, ALPN and the end of the conversation differ.
public enum ProgramComparison {
    /// The observations a row compares (what a program does on ALPN mismatch, close_notify and EOF).
    static let comparedFields: [ObservedField] = [
        .clientHandshake, .serverHandshake, .negotiatedALPN, .clientEndOfStream, .serverEndOfStream,
    ]

    public struct Row: Sendable {
        public var endpoint: String
        public var mode: ExecutionMode
        public var scenario: Scenario
        public var protocolVersion: ProtocolVersion
        /// The Swift peer's library on the other side.
        public var peer: TLSLibrary
        /// Each build the program ran on (its library) with the cell's result, in the report's library order.
        public var builds: [(library: TLSLibrary, result: CellResult)]

        /// `status; clientHandshake=…; …` of one build, as compared.
        public func outline(_ result: CellResult) -> String {
            let values = result.observation?.values ?? [:]
            let observed = ProgramComparison.comparedFields.compactMap { field in values[field].map { "\(field.rawValue)=\($0)" } }
            return ([result.status.rawValue] + observed).joined(separator: "; ")
        }

        /// Whether its builds did otherwise (only meaningful with two builds or more; not-applicable builds aside).
        public var differs: Bool {
            let run = builds.filter { $0.result.status != .skipped }
            guard run.count > 1 else { return false }
            return Set(run.map { outline($0.result) }).count > 1
        }

        /// The fields in which the builds differ, each with every build's value.
        public var differences: String {
            let run = builds.filter { $0.result.status != .skipped }
            var parts: [String] = []
            if Set(run.map(\.result.status)).count > 1 {
                parts.append("verdict " + run.map { "\($0.library.rawValue) \($0.result.status.rawValue)" }.joined(separator: ", "))
            }
            for field in ProgramComparison.comparedFields {
                let values = run.map { $0.result.observation?.values[field] ?? "-" }
                if Set(values).count > 1 {
                    parts.append("\(field.rawValue) " + zip(run, values).map { "\($0.library.rawValue) \($1)" }.joined(separator: ", "))
                }
            }
            return parts.joined(separator: "; ")
        }
    }

    /// Every program's rows, programs in id order, rows in the order the cells ran.
    public static func rows(in report: RunReport) -> [Row] {
        var rows: [String: Row] = [:]
        var order: [String] = []
        for result in report.results {
            let cell = result.cell
            guard let endpoint = cell.endpoint, cell.mode.isExternal else { continue }
            let (built, peer) = cell.mode == .externalServer ? (cell.server, cell.client) : (cell.client, cell.server)
            let key = "\(endpoint)/\(cell.mode.rawValue)/\(cell.scenario.id)/\(cell.protocolVersion.rawValue)/\(peer.rawValue)"
            if rows[key] == nil {
                order.append(key)
                rows[key] = Row(endpoint: endpoint, mode: cell.mode, scenario: cell.scenario, protocolVersion: cell.protocolVersion, peer: peer, builds: [])
            }
            rows[key]!.builds.append((built, result))
        }
        let libraryOrder = report.libraries.map(\.library)
        return order.map { key in
            var row = rows[key]!
            row.builds.sort { (libraryOrder.firstIndex(of: $0.library) ?? .max) < (libraryOrder.firstIndex(of: $1.library) ?? .max) }
            return row
        }.sorted { $0.endpoint < $1.endpoint }
    }

    /// The programs that ran on more than one build, and how many of their rows differ.
    public static func programsOnSeveralBuilds(_ rows: [Row]) -> [(endpoint: String, rows: Int, differing: Int)] {
        let byProgram = Dictionary(grouping: rows, by: \.endpoint)
        return byProgram.keys.sorted().compactMap { endpoint in
            let rows = byProgram[endpoint]!
            guard rows.contains(where: { $0.builds.count > 1 }) else { return nil }
            return (endpoint, rows.count, rows.filter(\.differs).count)
        }
    }
}
