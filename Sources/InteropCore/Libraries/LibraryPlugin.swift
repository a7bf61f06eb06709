/// Everything the harness knows about one library, exported by its backend module as one value: its identifier,
/// the names people read, the backend that makes its sessions, the settings only it understands, and the
/// command-line tools it ships. `LibraryRegistry` lists the plug-ins of a run.
public struct LibraryPlugin: Sendable {
    public var library: TLSLibrary
    /// As reports show it, e.g. `OpenSSL`; also the first word of the backend's runtime version text.
    public var displayName: String
    /// One letter in the console matrix's pairing legend (`o`, `g`).
    public var matrixMark: String
    public var backend: any TLSBackend
    /// The fixture key its settings live under (`openssl: {partialWrite: true}`): the library's, shared by every
    /// build of it, so a second build registered under another identifier reads the same settings.
    public var optionsKey: String
    /// The settings fixtures may give this library under `optionsKey`.
    public var options: [LibraryOption]
    /// Its command-line tools by name (`openssl`, `gnutls-serv`), with their paths.
    public var commandLineTools: [String: String]
    /// The shared libraries a build of it must provide (`libssl.so.3` and `libcrypto.so.3`): what `--build` looks
    /// for in a directory, and checks this process really loaded.
    public var sharedObjects: [SharedObject]
    /// The Debian binary packages that ship those libraries (`libssl3`, and `libssl3t64` since trixie).
    public var debianPackages: [String]
    /// The environment variable naming the policy file the library reads when it initialises (`OPENSSL_CONF`,
    /// `GNUTLS_SYSTEM_PRIORITY_FILE`): how `--config` hands it another one.
    public var configurationVariable: String?

    public init(
        library: TLSLibrary, displayName: String, matrixMark: String, backend: any TLSBackend, optionsKey: String? = nil,
        options: [LibraryOption] = [], commandLineTools: [String: String] = [:], sharedObjects: [SharedObject] = [],
        debianPackages: [String] = [], configurationVariable: String? = nil
    ) {
        self.configurationVariable = configurationVariable
        self.sharedObjects = sharedObjects
        self.debianPackages = debianPackages
        self.library = library
        self.optionsKey = optionsKey ?? library.rawValue
        self.displayName = displayName
        self.matrixMark = matrixMark
        self.backend = backend
        self.options = options
        self.commandLineTools = commandLineTools
    }
}

/// A setting only one library understands, and the one rule for what every other library does with it.
public struct LibraryOption: Sendable {
    public enum Values: Sendable, Equatable {
        /// true or false; false is the library's default.
        case flag
        /// One of these words; the first is the library's default.
        case choice([String])
    }

    /// What an endpoint on another library does when a fixture sets this option (to anything but its default).
    public enum ElsewhereRule: Sendable, Equatable {
        /// Runs as if it were not set (the other library behaves that way anyway).
        case ignored
        /// The cell is not applicable. The reason may contain `{value}` (the option's value) and `{library}` (the
        /// other library's display name).
        case notApplicable(String)
    }

    public var name: String
    public var values: Values
    /// The roles the option means something for; elsewhere it is not checked.
    public var roles: Set<EndpointRole>
    public var elsewhere: ElsewhereRule

    public init(_ name: String, _ values: Values, roles: Set<EndpointRole> = [.server, .client], elsewhere: ElsewhereRule) {
        self.name = name
        self.values = values
        self.roles = roles
        self.elsewhere = elsewhere
    }

    public var defaultValue: String {
        switch values {
        case .flag: "false"
        case .choice(let words): words.first ?? ""
        }
    }

    /// Why `text` is not a value of this option, or nil.
    public func problem(with text: String) -> String? {
        switch values {
        case .flag: ["true", "false"].contains(text) ? nil : "must be true or false"
        case .choice(let words): words.contains(text) ? nil : "is '\(text)'; known: \(words.joined(separator: ", "))"
        }
    }
}

/// The values fixtures gave one library's options, as text (`"true"`, `"naiveMandatory"`); absent means default.
public struct LibraryOptionValues: Sendable, Hashable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(_ name: String) -> String? { values[name] }

    public func flag(_ name: String) -> Bool { values[name] == "true" }

    public var isEmpty: Bool { values.isEmpty }
}
