import Foundation
import InteropCore

/// One build of a library a run uses instead of the one it was linked against: named by what it is, found on disk,
/// checked before anything runs. The harness binary stays the same (both libraries keep one soname across their 3.x
/// versions); the build's library directory goes first on the run-time search path and the run re-executes itself
/// (`BuildActivation`), since a process's libraries are chosen when it starts.
public struct LibraryBuild: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The library the system's loader finds by default.
        case system
        /// A directory laid out as `make install` or `dpkg -x` leave it (`lib/`, `usr/lib/<triplet>/`…).
        case prefix(String)
        /// Candidate Debian packages, unpacked (not installed) into `unpackedInto`.
        case debianPackages([String], unpackedInto: String)
        /// A version of Debian trixie's source package, built once into `builtInto`.
        case debianSource(version: String, builtInto: String)
    }

    public var library: TLSLibrary
    public var source: Source
    /// Where the build's shared objects are; first on the run-time search path.
    public var libraryDirectories: [String]
    /// How reports name it: the directory or the package files as given.
    public var name: String

    public static func system(_ library: TLSLibrary) -> LibraryBuild {
        LibraryBuild(library: library, source: .system, libraryDirectories: [], name: "system")
    }

    /// The builds `active` says this process was started with, every other library the system's.
    public static func started(with active: LibrarySetup, libraries: LibraryRegistry) -> [LibraryBuild] {
        libraries.libraries.map { library in
            guard let directories = active.directories[library.rawValue] else { return .system(library) }
            let name = active.names[library.rawValue] ?? ""
            return LibraryBuild(library: library, source: .prefix(name), libraryDirectories: directories, name: name)
        }
    }

    /// Under a prefix, where the loader's own layouts put libraries.
    static let libraryLayouts = ["lib", "lib64", "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "usr/lib", "usr/lib64", "."]

    /// The build `spec` names for `plugin`'s library: `system`, a directory, `.deb` files (comma separated), or
    /// `debian:VERSION` (trixie's source package, built once by `scripts/build-from-debian-source.sh`). `option`
    /// names the command-line option in errors; packages are unpacked under `workDirectory`.
    public static func resolve(_ spec: String, for plugin: LibraryPlugin, option: String, workDirectory: String)
        throws(ConfigurationError) -> LibraryBuild
    {
        if spec == "system" { return .system(plugin.library) }
        if spec.hasPrefix("debian:") {
            let version = String(spec.dropFirst("debian:".count))
            let built = try DebianSourceBuild.build(plugin, version: version, option: option)
            var build = try prefix(built, for: plugin, option: option, named: spec)
            build.source = .debianSource(version: version, builtInto: built)
            return build
        }
        let parts = spec.split(separator: ",").map(String.init)
        if !parts.isEmpty && parts.allSatisfy({ $0.hasSuffix(".deb") }) {
            let unpacked = try DebianPackages.unpack(parts, for: plugin, option: option, into: workDirectory)
            var build = try prefix(unpacked, for: plugin, option: option, named: spec)
            build.source = .debianPackages(parts, unpackedInto: unpacked)
            return build
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec, isDirectory: &isDirectory) else {
            throw ConfigurationError("\(option): '\(spec)' does not exist (give 'system', a directory holding the library, or .deb files)")
        }
        guard isDirectory.boolValue else {
            throw ConfigurationError("\(option): '\(spec)' is not a directory or a .deb file (give 'system', a directory, or .deb files)")
        }
        return try prefix(spec, for: plugin, option: option, named: spec)
    }

    /// A directory with every shared object the plug-in names, in one of the usual layouts.
    static func prefix(_ directory: String, for plugin: LibraryPlugin, option: String, named name: String)
        throws(ConfigurationError) -> LibraryBuild
    {
        var directories: [String] = []
        for object in plugin.sharedObjects {
            let found = libraryLayouts.map { directory + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0 + "/" + object.soname) }
            guard let found else {
                throw ConfigurationError(
                    "\(option): no \(object.soname) in \(name) (looked in \(libraryLayouts.map { $0 == "." ? "./" : $0 + "/" }.joined(separator: ", ")))")
            }
            let absolute = URL(fileURLWithPath: found).standardizedFileURL.path
            if !directories.contains(absolute) { directories.append(absolute) }
        }
        return LibraryBuild(library: plugin.library, source: .prefix(directory), libraryDirectories: directories, name: name)
    }
}
