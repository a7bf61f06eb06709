import GnuTLSBackend
import InteropCore
import OpenSSLBackend

extension LibraryRegistry {
    /// The libraries this build links, in the order reports show them: the one line that names them. Read by the
    /// composition roots (the CLI, the benchmark, tests), which pass it to everything else.
    public static let linked = LibraryRegistry([OpenSSLBackend.plugin, GnuTLSBackend.plugin])
}
