import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes to stdout and stderr with the system call, not `FileHandle.write`, which ends the process with a Swift
/// fatal error (and a backtrace) when the reader has gone: a peer whose runner died, `tls-interop run | head`.
enum StandardStreams {
    /// Writes all of `text` to stdout; false when the reader has gone (EPIPE) or stdout is otherwise unwritable.
    @discardableResult
    static func output(_ text: String) -> Bool {
        writeAll(Array(text.utf8), to: STDOUT_FILENO)
    }

    /// Writes all of `text` to stderr; errors are ignored, as there is nowhere left to report them.
    static func error(_ text: String) {
        writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    @discardableResult
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
