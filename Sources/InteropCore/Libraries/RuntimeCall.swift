#if canImport(Glibc)
import Glibc
#endif

/// A library call the harness looks up when it runs rather than links, so that one harness binary serves every
/// build of a library (`--build`): older builds lack calls that newer ones have. A cell that needs a missing call
/// is not applicable, and says which call is missing and since when it exists.
public struct RuntimeCall: Sendable {
    public var name: String
    /// The first version of the library that has it, for the reason (`3.2`, `3.6.3`).
    public var since: String

    public init(_ name: String, since: String) {
        self.name = name
        self.since = since
    }

    /// The call's address in the loaded libraries, nil when none has it.
    public var address: UnsafeMutableRawPointer? { dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) }  // RTLD_DEFAULT

    /// Why a cell that needs it cannot run on `version`, or nil when the call is there.
    public func missingReason(in version: String) -> String? {
        address == nil ? "\(name) is absent from the linked \(version) (it arrived in \(since))" : nil
    }
}
