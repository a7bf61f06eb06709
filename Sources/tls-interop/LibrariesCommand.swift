import ArgumentParser
import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins

/// `tls-interop libraries`: which library files this process loaded and the versions they report, after the same
/// checks `run --build` makes. It is also the probe `run --build` starts before restarting itself.
struct LibrariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "libraries",
        abstract: "Print each library's version and the files it was loaded from (with --build: from that build).")

    @Option(name: .customLong("build"), help: "LIBRARY=BUILD: 'system', a directory holding the library, or .deb files (comma separated); repeatable.")
    var builds: [String] = []

    func run() throws {
        let libraries = LibraryRegistry.linked
        do {
            if !builds.isEmpty {
                try BuildActivation.activate(try BuildActivation.builds(builds, libraries: libraries), libraries: libraries)
            } else {
                try BuildActivation.verify(LibraryBuild.started(with: .current, libraries: libraries), libraries: libraries)
            }
        } catch {
            StandardStreams.error("tls-interop: error: \(error.message)\n")
            throw ExitCode(2)
        }
        let versions = libraries.runtimeVersions
        for plugin in libraries.plugins {
            print("\(plugin.library.rawValue): \(versions[plugin.library] ?? "?")")
            for object in plugin.sharedObjects { print("  \(object.soname): \(object.loadedPath ?? "not loaded")") }
        }
    }
}
