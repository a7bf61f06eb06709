import Foundation

/// The code a run was made from, so that `tls-interop history` can tell runs of the same commit (where a changed
/// outcome is flakiness) from runs of different ones. Taken from TLS_INTEROP_COMMIT / TLS_INTEROP_BRANCH, else the
/// CI's own variables (GitHub Actions, GitLab CI), else the checkout's `.git` read directly (no `git` needed).
public struct RunSource: Codable, Sendable, Equatable {
    public var commit: String?
    public var branch: String?

    public init(commit: String?, branch: String?) {
        self.commit = commit
        self.branch = branch
    }

    public static func current(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = FileManager.default.currentDirectoryPath
    ) -> RunSource? {
        func first(_ names: [String]) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        // A pull request's branch is GITHUB_HEAD_REF; GITHUB_REF_NAME is then "N/merge".
        let commit = first(["TLS_INTEROP_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA"])
        let branch = first(["TLS_INTEROP_BRANCH", "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME"])
        let checkout = (commit == nil || branch == nil) ? Self.checkout(from: directory) : nil
        let source = RunSource(commit: commit ?? checkout?.commit, branch: branch ?? checkout?.branch)
        return source.commit == nil && source.branch == nil ? nil : source
    }

    /// HEAD of the git checkout holding `directory`: `.git` found upwards (a worktree's `.git` file followed), the
    /// branch from HEAD's ref, the commit from the ref's file or packed-refs.
    static func checkout(from directory: String) -> RunSource? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        var gitDirectory: URL?
        for _ in 0..<64 {
            let candidate = url.appendingPathComponent(".git")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    gitDirectory = candidate
                } else if let text = try? String(contentsOf: candidate, encoding: .utf8), text.hasPrefix("gitdir: ") {
                    let path = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
                    gitDirectory = path.hasPrefix("/") ? URL(fileURLWithPath: path) : url.appendingPathComponent(path)
                }
                break
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { break }
            url = parent
        }
        guard let gitDirectory, let head = try? String(contentsOf: gitDirectory.appendingPathComponent("HEAD"), encoding: .utf8)
        else { return nil }
        let reference = head.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reference.hasPrefix("ref: ") else { return RunSource(commit: reference.isEmpty ? nil : reference, branch: nil) }
        let ref = String(reference.dropFirst("ref: ".count))
        let branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
        // A worktree keeps HEAD in its own directory and refs in the common one.
        var common = gitDirectory
        if let text = try? String(contentsOf: gitDirectory.appendingPathComponent("commondir"), encoding: .utf8) {
            let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
            common = path.hasPrefix("/") ? URL(fileURLWithPath: path) : gitDirectory.appendingPathComponent(path)
        }
        var commit = (try? String(contentsOf: common.appendingPathComponent(ref), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if commit == nil, let packed = try? String(contentsOf: common.appendingPathComponent("packed-refs"), encoding: .utf8) {
            commit = packed.split(separator: "\n").first { $0.hasSuffix(" " + ref) }.map { String($0.prefix { $0 != " " }) }
        }
        return RunSource(commit: commit, branch: branch)
    }
}
