import Foundation
import InteropCore
import InteropRunner

#if canImport(Glibc)
import Glibc
#endif

/// Makes the builds a run asked for (`--build LIBRARY=SPEC`) the libraries of this process: if the process was not
/// started with them, a probe process checks that the loader accepts them, and the process re-executes itself with
/// their directories first on `LD_LIBRARY_PATH`; once started with them, it checks that every shared object really
/// came from its build (an `LD_LIBRARY_PATH` the user set, or a build directory that also holds the other library,
/// could defeat the choice silently).
enum BuildActivation {
    /// `LIBRARY=VALUE` arguments of `option`, each library known and at most once.
    private static func assignments(_ arguments: [String], option: String, example: String, libraries: LibraryRegistry)
        throws(ConfigurationError) -> [(library: TLSLibrary, value: String, argument: String)]
    {
        var seen: Set<TLSLibrary> = []
        var result: [(library: TLSLibrary, value: String, argument: String)] = []
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw ConfigurationError("\(option) \(argument): use \(example) (known libraries: \(libraries.knownList))")
            }
            guard let library = libraries.library(named: parts[0]) else {
                throw ConfigurationError("\(option) \(argument): unknown library '\(parts[0])' (known: \(libraries.knownList))")
            }
            guard seen.insert(library).inserted else { throw ConfigurationError("\(option): \(parts[0]) is given twice") }
            result.append((library, parts[1], argument))
        }
        return result
    }

    /// `LIBRARY=SPEC` arguments (`--build`); the libraries not named run on the system's.
    static func builds(_ arguments: [String], libraries: LibraryRegistry, workDirectory: String = ".deps/builds")
        throws(ConfigurationError) -> [LibraryBuild]
    {
        var chosen: [TLSLibrary: LibraryBuild] = [:]
        for (library, spec, argument) in try assignments(
            arguments, option: "--build", example: "LIBRARY=BUILD, e.g. gnutls=.deps/gnutls-3.8", libraries: libraries)
        {
            guard let plugin = libraries.plugin(for: library) else { continue }
            chosen[library] = try LibraryBuild.resolve(spec, for: plugin, option: "--build \(argument)", workDirectory: workDirectory)
        }
        return libraries.libraries.map { chosen[$0] ?? .system($0) }
    }

    /// `LIBRARY=FILE` arguments (`--config`): the policy file each library reads at start-up.
    static func configurationFiles(_ arguments: [String], libraries: LibraryRegistry) throws(ConfigurationError) -> [TLSLibrary: String] {
        var files: [TLSLibrary: String] = [:]
        for (library, file, argument) in try assignments(
            arguments, option: "--config", example: "LIBRARY=FILE, e.g. gnutls=/etc/gnutls/config", libraries: libraries)
        {
            guard libraries.plugin(for: library)?.configurationVariable != nil else {
                throw ConfigurationError("--config \(argument): \(library.rawValue) reads no policy file the harness can name")
            }
            guard FileManager.default.isReadableFile(atPath: file) else { throw ConfigurationError("--config \(argument): cannot read \(file)") }
            files[library] = URL(fileURLWithPath: file).standardizedFileURL.path
        }
        return files
    }

    /// Returns once this process runs `builds` with the configuration asked for; otherwise re-executes it (and does
    /// not return) or throws. `systemConfiguration` lets endpoints use the libraries' own defaults, with
    /// `configurationFiles` as their policy files.
    static func activate(
        _ builds: [LibraryBuild], systemConfiguration: Bool = false, configurationFiles: [TLSLibrary: String] = [:],
        libraries: LibraryRegistry
    ) throws(ConfigurationError) {
        var wanted = LibrarySetup()
        for build in builds where build.source != .system {
            wanted.names[build.library.rawValue] = build.name
            wanted.directories[build.library.rawValue] = build.libraryDirectories
        }
        wanted.systemConfiguration = systemConfiguration || !configurationFiles.isEmpty
        wanted.configurationFiles = Dictionary(uniqueKeysWithValues: configurationFiles.map { ($0.key.rawValue, $0.value) })
        let current = LibrarySetup.current
        if current == wanted {
            try verify(builds, libraries: libraries)
            return
        }
        var environment = ProcessInfo.processInfo.environment
        let searchPath = builds.flatMap(\.libraryDirectories) + current.directories.values.flatMap { $0 }.reduce(
            into: (environment["LD_LIBRARY_PATH"] ?? "").split(separator: ":").map(String.init)
        ) { path, directory in path.removeAll { $0 == directory } }
        environment["LD_LIBRARY_PATH"] = searchPath.isEmpty ? nil : searchPath.joined(separator: ":")
        for plugin in libraries.plugins {
            guard let variable = plugin.configurationVariable else { continue }
            // A file given before (a previous setup) is dropped with it; one the user set is left alone.
            if let previous = current.configurationFiles[plugin.library.rawValue], environment[variable] == previous {
                environment[variable] = nil
            }
            if let file = configurationFiles[plugin.library] { environment[variable] = file }
        }
        environment[LibrarySetup.variable] = wanted.isDefault ? nil : wanted.environmentValue
        try probe(builds, environment: environment)
        let executable = CellRunners.ownExecutable
        var argv = CommandLine.arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve(executable, &argv, &envp)
        throw ConfigurationError("cannot restart \(executable) with the chosen builds: \(String(cString: strerror(errno)))")
    }

    /// A process started with `environment` must start at all, and load what the builds hold.
    private static func probe(_ builds: [LibraryBuild], environment: [String: String]) throws(ConfigurationError) {
        let executable = CellRunners.ownExecutable
        let process: ChildProcess
        do {
            process = try ChildProcess.runToEnd(executable, ["libraries"], environment: environment, limit: .seconds(30))
        } catch {
            throw ConfigurationError("cannot start \(executable) to check the builds: \(error)")
        }
        guard process.termination == .exited(0) else {
            let names = builds.filter { $0.source != .system }.map { "\($0.library.rawValue)=\($0.name)" }.joined(separator: ", ")
            let reason = process.standardErrorText.split(separator: "\n").first
                .map { String($0).replacingOccurrences(of: "tls-interop: error: ", with: "") }
                ?? process.termination.map(\.description) ?? "it did not finish"
            throw ConfigurationError("--build \(names): the harness cannot run with it: \(reason)")
        }
    }

    /// Every shared object comes from its build's directories (a system build's from none of the others').
    static func verify(_ builds: [LibraryBuild], libraries: LibraryRegistry) throws(ConfigurationError) {
        let chosenDirectories = builds.flatMap(\.libraryDirectories).map(resolved)
        for build in builds {
            guard let plugin = libraries.plugin(for: build.library) else { continue }
            let directories = build.libraryDirectories.map(resolved)
            for object in plugin.sharedObjects {
                guard let loaded = object.loadedPath else {
                    throw ConfigurationError("\(plugin.displayName): no loaded library exports \(object.symbol) (\(object.soname))")
                }
                let folder = URL(fileURLWithPath: loaded).deletingLastPathComponent().path
                if build.source == .system {
                    if chosenDirectories.contains(folder) {
                        throw ConfigurationError(
                            "\(object.soname) was loaded from \(loaded), a build directory of another library: \(plugin.displayName) must be the system's")
                    }
                } else if !directories.contains(folder) {
                    throw ConfigurationError(
                        "--build \(build.library.rawValue)=\(build.name): \(object.soname) was loaded from \(loaded), not from the build "
                            + "(\(build.libraryDirectories.joined(separator: ", ")))")
                }
            }
        }
    }

    private static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }
}
