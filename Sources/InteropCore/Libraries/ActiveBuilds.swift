import Foundation

/// The library builds this process was started with, as `tls-interop run --build` left them in the environment when
/// it re-executed itself with their directories first on the run-time search path: a process's libraries are chosen
/// when it starts, so the choice travels with the process (and to its peer processes), not in a value.
public struct ActiveBuilds: Sendable, Codable, Equatable {
    /// The environment variable that carries them.
    public static let variable = "TLS_INTEROP_BUILDS"

    /// Library identifier → how reports name the build.
    public var names: [String: String]
    /// Library identifier → the directories its build's shared objects are in.
    public var directories: [String: [String]]

    public init(names: [String: String] = [:], directories: [String: [String]] = [:]) {
        self.names = names
        self.directories = directories
    }

    /// What this process's environment says; empty when it runs the system's libraries.
    public static var current: ActiveBuilds {
        guard let text = ProcessInfo.processInfo.environment[variable],
            let decoded = try? JSONDecoder().decode(ActiveBuilds.self, from: Data(text.utf8))
        else { return ActiveBuilds() }
        return decoded
    }

    /// As the environment variable holds it.
    public var environmentValue: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

extension LibraryRegistry {
    /// This registry with `builds` named next to their libraries' versions.
    public func naming(_ builds: ActiveBuilds) -> LibraryRegistry {
        var registry = self
        for (library, name) in builds.names { registry.buildNames[TLSLibrary(library)] = name }
        return registry
    }
}
