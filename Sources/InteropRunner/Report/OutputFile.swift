import Foundation
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// Writes a report where the user pointed it, according to what is there: a regular file (or nothing) is replaced
/// atomically — written under a temporary name beside it and renamed, so a reader never sees half of one; a
/// character device, FIFO or terminal is written to as a stream (`--junit /dev/stdout`, `/dev/null`), never
/// replaced; a symbolic link is followed deliberately, so the link stays and what it points at is written by the
/// same rules. Directories and block devices are refused. Every write error (ENOSPC on `/dev/full`) is reported.
public enum OutputFile {
    enum Kind: Equatable {
        case regular(String)
        case stream
        case refused(String)
    }

    /// What `path` is, following symbolic links; a regular file carries its resolved path.
    static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else {
            var link = stat()
            if lstat(path, &link) == 0 { return .refused("is a symbolic link to a missing file") }
            return .regular(path)
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .regular(realpath(path) ?? path)
        case S_IFCHR, S_IFIFO: return .stream
        case S_IFDIR: return .refused("is a directory")
        case S_IFBLK: return .refused("is a block device")
        default: return .refused("is not a file, character device or FIFO")
        }
    }

    private static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Checks before any work that `path` can be written the way `write` will write it; `option` names it in the
    /// error. Creates a missing parent folder and sweeps temporaries left by killed runs.
    public static func checkWritable(_ path: String, option: String) throws(ConfigurationError) {
        do throws(OutputFileError) {
            switch kind(of: path) {
            case .refused(let reason):
                throw OutputFileError(path: path, reason: reason)
            case .stream:
                // Not opened: a FIFO's reader would take a writer's close for the end of the data.
                guard access(path, W_OK) == 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
            case .regular(let target):
                let directory = (target as NSString).deletingLastPathComponent
                try createFolder(directory.isEmpty ? "." : directory)
                removeStaleTemporaries(in: directory.isEmpty ? "." : directory)
                let probe = temporaryPath(for: target)
                let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
                Glibc.close(descriptor)
                unlink(probe)
            }
        } catch {
            throw ConfigurationError("\(option) \(error)")
        }
    }

    public static func write(_ data: Data, to path: String) throws(OutputFileError) {
        switch kind(of: path) {
        case .refused(let reason):
            throw OutputFileError(path: path, reason: reason)
        case .stream:
            let descriptor = try openStream(path)
            defer { Glibc.close(descriptor) }
            try writeAll(data, to: descriptor, path: path)
        case .regular(let target):
            let directory = (target as NSString).deletingLastPathComponent
            if !directory.isEmpty { try createFolder(directory) }
            let temporary = temporaryPath(for: target)
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
            do {
                try writeAll(data, to: descriptor, path: path)
            } catch {
                Glibc.close(descriptor)
                unlink(temporary)
                throw error
            }
            guard Glibc.close(descriptor) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw OutputFileError(path: path, reason: reason)
            }
            guard rename(temporary, target) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw OutputFileError(path: path, reason: "rename: \(reason)")
            }
        }
    }

    /// A FIFO opened without a reader would block the run for ever; O_NONBLOCK makes that an error (ENXIO) instead,
    /// and is cleared once open so that a slow reader is waited for.
    private static func openStream(_ path: String) throws(OutputFileError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            throw OutputFileError(path: path, reason: code == ENXIO ? "a FIFO with no reader" : String(cString: strerror(code)))
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return descriptor
    }

    private static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws(OutputFileError) {
        let failure: Int32? = data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw OutputFileError(path: path, reason: String(cString: strerror(failure))) }
    }

    /// `mkdir -p`, with the system's reason when it fails (Foundation's "could not be completed" names none).
    public static func createFolder(_ path: String) throws(OutputFileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw OutputFileError(path: path, reason: "cannot create \(current): \(String(cString: strerror(errno)))")
            }
        }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw OutputFileError(path: path, reason: "is not a folder")
        }
    }

    /// `.NAME.PID.tmp` beside the target: hidden, and owned by a process a later run can tell is gone.
    static func temporaryPath(for target: String) -> String {
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    }

    /// Removes `.NAME.PID.tmp` files whose process no longer exists (a run killed while writing).
    static func removeStaleTemporaries(in directory: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.dropLast(".tmp".count).split(separator: ".")
            guard parts.count >= 2, let pid = pid_t(parts[parts.count - 1]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + name) }
        }
    }
}

public struct OutputFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
