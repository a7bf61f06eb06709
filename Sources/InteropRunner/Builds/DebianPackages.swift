import Foundation
import InteropCore

/// Candidate `.deb` files unpacked (never installed) with `dpkg-deb`, after checking that one of them ships the
/// library and that each is built for this machine's architecture. A set is unpacked once, into a directory named
/// after the files' contents, and only renamed into place when whole.
enum DebianPackages {
    static func unpack(_ files: [String], for plugin: LibraryPlugin, option: String, into workDirectory: String)
        throws(ConfigurationError) -> String
    {
        let architecture = try dpkgDeb(["--print-architecture"], tool: "dpkg", option: option).trimmingCharacters(in: .whitespacesAndNewlines)
        var packages: [String] = []
        var identity: [String] = []
        for file in files {
            guard FileManager.default.isReadableFile(atPath: file) else { throw ConfigurationError("\(option): cannot read \(file)") }
            let fields = try dpkgDeb(["--field", file, "Package", "Version", "Architecture"], option: option, file: file)
            var values: [String: String] = [:]
            for line in fields.split(separator: "\n") {
                let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2 { values[pair[0]] = pair[1] }
            }
            guard let package = values["Package"], let version = values["Version"], let packageArchitecture = values["Architecture"] else {
                throw ConfigurationError("\(option): \(file) has no Package, Version and Architecture fields (not a binary package?)")
            }
            guard packageArchitecture == architecture || packageArchitecture == "all" else {
                throw ConfigurationError("\(option): \(file) is package \(package) for \(packageArchitecture); this machine runs \(architecture)")
            }
            packages.append(package)
            identity.append("\(package)_\(version)_\(packageArchitecture)")
        }
        guard packages.contains(where: plugin.debianPackages.contains) else {
            throw ConfigurationError(
                "\(option): \(files.joined(separator: ", ")) \(files.count == 1 ? "ships" : "ship") \(packages.joined(separator: ", ")), not \(plugin.displayName) "
                    + "(\(plugin.debianPackages.joined(separator: " or ")))")
        }
        let target = workDirectory + "/debs/" + identity.sorted().joined(separator: "+")
        if FileManager.default.fileExists(atPath: target) { return target }
        let partial = target + ".partial-\(getpid())"
        do {
            try? FileManager.default.removeItem(atPath: partial)
            try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError("\(option): cannot create \(partial): \(error.localizedDescription)")
        }
        for file in files {
            do {
                _ = try dpkgDeb(["-x", file, partial], option: option, file: file)
            } catch {
                try? FileManager.default.removeItem(atPath: partial)
                throw error
            }
        }
        guard rename(partial, target) == 0 || FileManager.default.fileExists(atPath: target) else {
            try? FileManager.default.removeItem(atPath: partial)
            throw ConfigurationError("\(option): cannot move the unpacked packages to \(target): \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(atPath: partial)
        return target
    }

    /// Runs `dpkg-deb` (or `dpkg`), returning its output; a failure names the file.
    private static func dpkgDeb(_ arguments: [String], tool: String = "dpkg-deb", option: String, file: String? = nil)
        throws(ConfigurationError) -> String
    {
        let process: ChildProcess
        do {
            process = try ChildProcess.runToEnd("/usr/bin/" + tool, arguments)
        } catch {
            throw ConfigurationError("\(option): cannot run /usr/bin/\(tool): \(error)")
        }
        guard process.termination == .exited(0) else {
            let reason = process.standardErrorText.split(separator: "\n").first.map(String.init)
                ?? process.termination.map(\.description) ?? "did not finish"
            throw ConfigurationError("\(option): \(file ?? tool): \(reason)")
        }
        return process.standardOutputText
    }
}
