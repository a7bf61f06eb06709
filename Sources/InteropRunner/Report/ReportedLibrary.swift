import InteropCore

/// A library as a report shows it: its identifier, the name people read, its letter in the console matrix, and
/// the version the run linked. A report lists them in the registry's order; renderers read nothing else about
/// libraries.
public struct ReportedLibrary: Sendable, Hashable {
    public var library: TLSLibrary
    public var displayName: String
    public var matrixMark: String
    public var version: String

    public init(library: TLSLibrary, displayName: String, matrixMark: String, version: String) {
        self.library = library
        self.displayName = displayName
        self.matrixMark = matrixMark
        self.version = version
    }
}

extension LibraryRegistry {
    /// Every registered library with the version linked now.
    public var reported: [ReportedLibrary] {
        let versions = runtimeVersions
        return plugins.map {
            ReportedLibrary(library: $0.library, displayName: $0.displayName, matrixMark: $0.matrixMark, version: versions[$0.library]!)
        }
    }

    /// The libraries of a results file (identifier → version), named and ordered by this registry; one the registry
    /// does not know keeps its identifier as its name.
    public func reported(versions: [String: String]) -> [ReportedLibrary] {
        let known = plugins.filter { versions[$0.library.rawValue] != nil }.map {
            ReportedLibrary(
                library: $0.library, displayName: $0.displayName, matrixMark: $0.matrixMark,
                version: versions[$0.library.rawValue]!)
        }
        let unknown = versions.keys.sorted().filter { name in !plugins.contains { $0.library.rawValue == name } }.map {
            ReportedLibrary(library: TLSLibrary($0), displayName: $0, matrixMark: String($0.prefix(1)), version: versions[$0]!)
        }
        return known + unknown
    }
}

extension Array where Element == ReportedLibrary {
    public var versions: [TLSLibrary: String] {
        Dictionary(uniqueKeysWithValues: map { ($0.library, $0.version) })
    }

    public func displayName(of library: TLSLibrary) -> String {
        first { $0.library == library }?.displayName ?? library.rawValue
    }
}
