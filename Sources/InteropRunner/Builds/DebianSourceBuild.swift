import Foundation
import InteropCore

/// `--build LIBRARY=debian:VERSION`: the library built from Debian trixie's source package by the repository's
/// `scripts/build-from-debian-source.sh` into `.deps/LIBRARY-VERSION`, once (minutes: OpenSSL about two on two cores,
/// GnuTLS with its nettle about ten); later runs find it built.
enum DebianSourceBuild {
    static let script = "scripts/build-from-debian-source.sh"

    static func build(_ plugin: LibraryPlugin, version: String, option: String) throws(ConfigurationError) -> String {
        guard !version.isEmpty, version.allSatisfy({ $0.isNumber || $0 == "." }) else {
            throw ConfigurationError("\(option): '\(version)' is not a version like 3.8")
        }
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw ConfigurationError("\(option): \(script) is not here; run from the harness's repository, which has it")
        }
        let target = ".deps/\(plugin.library.rawValue)-\(version)"
        if !FileManager.default.fileExists(atPath: target + "/BUILD") {
            FileHandle.standardError.write(Data(
                "building \(plugin.displayName) \(version) from Debian trixie's source package into \(target) (once; its log is in .deps/src/)\n".utf8))
        }
        let process: ChildProcess
        do {
            process = try ChildProcess.runToEnd(script, [plugin.library.rawValue, version], limit: .seconds(3600))
        } catch {
            throw ConfigurationError("\(option): cannot run \(script): \(error)")
        }
        let lines = process.standardOutputText.split(separator: "\n")
        guard process.termination == .exited(0), let built = lines.last.map(String.init), !built.isEmpty else {
            let reason = process.standardErrorText.split(separator: "\n").last(where: { $0.contains("error") })
                ?? process.standardErrorText.split(separator: "\n").last ?? Substring(process.termination?.description ?? "did not finish")
            throw ConfigurationError("\(option): \(script) \(plugin.library.rawValue) \(version) failed: \(reason)")
        }
        return built
    }
}
