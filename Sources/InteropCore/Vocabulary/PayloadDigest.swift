internal import COpenSSL

/// An incremental SHA-256 of application bytes, so that what was written and what was read can be compared without
/// keeping megabytes around. The hashing is libcrypto's (EVP, SHA-256), never the harness's own: a maintained
/// implementation, fast in any build.
public struct PayloadDigest: Sendable {
    private var context: DigestContext
    public private(set) var byteCount: Int = 0

    public init() {
        context = DigestContext()
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        // A copied digest goes on separately: the context is shared only until one side changes.
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        context.update(bytes)
        byteCount += bytes.count
    }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// The digest as lowercase hex; the receiver stays usable.
    public var hexDigest: String { context.hexDigest }
}

/// One EVP digest context (SHA-256).
private final class DigestContext: @unchecked Sendable {
    // Owned by this object alone; PayloadDigest copies it before any shared instance would change.
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            preconditionFailure("libcrypto has no SHA-256 context")
        }
        self.context = context
    }

    private init(copying other: DigestContext) {
        guard let context = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(context, other.context) == 1 else {
            preconditionFailure("libcrypto could not copy a SHA-256 context")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    func copy() -> DigestContext { DigestContext(copying: self) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    /// Finishes a copy, so this context can go on.
    var hexDigest: String {
        let final = copy()
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(final.context, &digest, &length)
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
