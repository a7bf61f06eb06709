#if canImport(Glibc)
import Glibc
#endif

/// A shared library a backend links, named by its soname, with one symbol only it exports: enough to tell which
/// file the dynamic loader took it from, and so which build of the library a run really used.
public struct SharedObject: Sendable, Hashable {
    public var soname: String
    public var symbol: String

    public init(_ soname: String, symbol: String) {
        self.soname = soname
        self.symbol = symbol
    }

    /// The file this process loaded it from, resolved through links; nil when no loaded object exports the symbol.
    public var loadedPath: String? {
        guard let file = Self.file(defining: symbol), let resolved = realpath(file, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// glibc's `dladdr(address, Dl_info *)`, looked up at run time: Swift's Glibc module leaves it out (a GNU
    /// extension). `Dl_info` is four pointers, the file name first.
    private typealias AddressLookup = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32

    private static func file(defining symbol: String) -> UnsafePointer<CChar>? {
        let everything = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        guard let address = dlsym(everything, symbol), let lookup = dlsym(everything, "dladdr") else { return nil }
        var info: (UnsafePointer<CChar>?, UnsafeRawPointer?, UnsafePointer<CChar>?, UnsafeRawPointer?) = (nil, nil, nil, nil)
        let found = withUnsafeMutableBytes(of: &info) { unsafeBitCast(lookup, to: AddressLookup.self)(address, $0.baseAddress) }
        return found != 0 ? info.0 : nil
    }
}
