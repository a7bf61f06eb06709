import InteropCore

/// Where the libraries' command-line tools are, by name (`openssl`, `gnutls-serv`, `gnutls-cli`), as the plug-ins
/// ship them. Tests put wrappers here to make a tool crash or hang.
public struct CommandLineTools: Sendable, Hashable {
    public var paths: [String: String]

    public init(_ libraries: LibraryRegistry) {
        paths = libraries.plugins.reduce(into: [:]) { $0.merge($1.commandLineTools) { first, _ in first } }
    }

    public subscript(_ name: String) -> String {
        get { paths[name] ?? name }
        set { paths[name] = newValue }
    }
}
