import Foundation

/// The library builds and configuration this process was started with, as `tls-interop run --build/--config` left
/// them in the environment when it re-executed itself: a process's libraries, and the policy files they read at
/// initialisation, are chosen when it starts, so the choice travels with the process (and to its peer processes).
public struct LibrarySetup: Sendable, Codable, Equatable {
    /// The environment variable that carries it.
    public static let variable = "TLS_INTEROP_LIBRARY_SETUP"

    /// Library identifier → how reports name its build (absent: the system's library).
    public var names: [String: String] = [:]
    /// Library identifier → the directories its build's shared objects are in.
    public var directories: [String: [String]] = [:]
    /// Endpoints use the libraries' system-wide defaults (GnuTLS's default priority, OpenSSL's configuration file)
    /// instead of the harness's own priority string.
    public var systemConfiguration = false
    /// Library identifier → the policy file it was started with (`OPENSSL_CONF`, `GNUTLS_SYSTEM_PRIORITY_FILE`).
    public var configurationFiles: [String: String] = [:]

    public init() {}

    /// What this process's environment says; the harness's own setup on the system's libraries when it says nothing.
    public static let current: LibrarySetup = {
        guard let text = ProcessInfo.processInfo.environment[variable],
            let decoded = try? JSONDecoder().decode(LibrarySetup.self, from: Data(text.utf8))
        else { return LibrarySetup() }
        return decoded
    }()

    /// The default: the system's libraries with the harness's own settings.
    public var isDefault: Bool { self == LibrarySetup() }

    /// As the environment variable holds it.
    public var environmentValue: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// How reports qualify `library`'s version: its build and configuration, or nil for the default.
    public func label(for library: TLSLibrary) -> String? {
        var parts: [String] = []
        if let name = names[library.rawValue] { parts.append("build \(name)") }
        if systemConfiguration {
            parts.append(configurationFiles[library.rawValue].map { "system configuration \($0)" } ?? "system configuration")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

extension LibraryRegistry {
    /// This registry with `setup`'s builds and configuration named next to their libraries' versions.
    public func naming(_ setup: LibrarySetup) -> LibraryRegistry {
        var registry = self
        for library in libraries { registry.versionLabels[library] = setup.label(for: library) }
        return registry
    }
}
