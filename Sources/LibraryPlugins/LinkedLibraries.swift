import GnuTLSBackend
import InteropCore
import OpenSSLBackend

extension LibraryRegistry {
    /// The libraries this build links, in the order reports show them: the one line that names them. Read by the
    /// composition roots (the CLI, the benchmark, tests), which pass it to everything else.
    /// The builds a run activated (`--build`) are named in it: the process was started with them (`LibrarySetup`).
    public static let linked = LibraryRegistry([OpenSSLBackend.plugin, GnuTLSBackend.plugin]).naming(LibrarySetup.current)
}
