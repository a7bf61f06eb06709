/// The libraries of a run, in the order reports show them: the one place that lists them. Built once by the
/// composition root (the CLI, a test) from the backend modules' plug-ins and passed to whatever needs to know
/// which libraries exist, what they are called, or what their settings mean.
public struct LibraryRegistry: Sendable {
    public let plugins: [LibraryPlugin]
    /// What a run chose instead of the system's libraries with the harness's settings (`--build`, `--config`), by
    /// library: reports show it next to the version the library reports.
    public var versionLabels: [TLSLibrary: String] = [:]

    public init(_ plugins: [LibraryPlugin]) {
        self.plugins = plugins
    }

    public var libraries: [TLSLibrary] { plugins.map(\.library) }

    public func plugin(for library: TLSLibrary) -> LibraryPlugin? {
        plugins.first { $0.library == library }
    }

    public func backend(for library: TLSLibrary) -> (any TLSBackend)? {
        plugin(for: library)?.backend
    }

    public func displayName(for library: TLSLibrary) -> String {
        plugin(for: library)?.displayName ?? library.rawValue
    }

    public func matrixMark(for library: TLSLibrary) -> String {
        plugin(for: library)?.matrixMark ?? String(library.rawValue.prefix(1))
    }

    /// `openssl, gnutls`: for "known: …" in messages.
    public var knownList: String { libraries.map(\.rawValue).joined(separator: ", ") }

    /// The library a name on the command line or in a fixture means; nil when none is registered under it.
    public func library(named name: String) -> TLSLibrary? {
        libraries.first { $0.rawValue == name }
    }

    /// `library: version` for every plug-in, read from the libraries at run time.
    public var runtimeVersions: [TLSLibrary: String] {
        Dictionary(uniqueKeysWithValues: plugins.map { plugin in
            let version = plugin.backend.runtimeVersion
            return (plugin.library, versionLabels[plugin.library].map { "\(version) (\($0))" } ?? version)
        })
    }

    /// One plug-in per options key, the first registered: the one whose options the fixtures are checked against.
    public var optionOwners: [LibraryPlugin] {
        var seen: Set<String> = []
        return plugins.filter { seen.insert($0.optionsKey).inserted }
    }

    /// Position in the registry, for sorting libraries the way reports list them.
    public func order(of library: TLSLibrary) -> Int {
        libraries.firstIndex(of: library) ?? libraries.count
    }

    /// Why an endpoint on `library` cannot run with options another library was given, following each option's
    /// rule; nil when every such option is ignored there or left at its default.
    public func foreignOptionReason(_ settings: EndpointSettings, on library: TLSLibrary) -> String? {
        let own = plugin(for: library)?.optionsKey
        for plugin in optionOwners where plugin.optionsKey != own {
            guard let given = settings.libraryOptions[plugin.optionsKey] else { continue }
            for option in plugin.options where option.roles.contains(settings.role) {
                guard let value = given[option.name], value != option.defaultValue else { continue }
                if case .notApplicable(let reason) = option.elsewhere {
                    return reason.replacingOccurrences(of: "{value}", with: value)
                        .replacingOccurrences(of: "{library}", with: displayName(for: library))
                }
            }
        }
        return nil
    }
}
