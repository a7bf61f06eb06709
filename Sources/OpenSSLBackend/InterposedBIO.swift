internal import COpenSSL
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// A BIO method that hands OpenSSL's reads and writes to a `ByteTransport`, so the harness sees (and can
/// refuse) every one of them. Retry flags and `BIO_eof` follow the socket BIO's conventions, so OpenSSL's own
/// EOF handling (`SSL_R_UNEXPECTED_EOF_WHILE_READING`, `SSL_OP_IGNORE_UNEXPECTED_EOF`) is unchanged.
enum InterposedBIO {
    /// The method is immutable once built and shared by every BIO, which OpenSSL allows across threads.
    private struct Method: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// Callbacks in the socket BIO's style: `bread`/`bwrite` return a byte count, or -1 on failure.
    private static let classic: Method = {
        let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tls-interop interposed transport")!
        BIO_meth_set_write(method, interposedClassicWrite)
        BIO_meth_set_read(method, interposedClassicRead)
        BIO_meth_set_ctrl(method, interposedControl)
        BIO_meth_set_create(method, interposedCreate)
        return Method(pointer: method)
    }()

    /// Callbacks in OpenSSL 1.1.1's `_ex` style: 1 or 0, with the size through a pointer. A failed `_ex` write makes
    /// `BIO_write` return 0 rather than -1, which some OpenSSL code paths read differently.
    private static let extended: Method = {
        let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tls-interop interposed transport (ex)")!
        BIO_meth_set_write_ex(method, interposedWrite)
        BIO_meth_set_read_ex(method, interposedRead)
        BIO_meth_set_ctrl(method, interposedControl)
        BIO_meth_set_create(method, interposedCreate)
        return Method(pointer: method)
    }()

    /// A BIO over `transport`; the caller keeps the transport alive for the BIO's lifetime.
    static func make(_ box: TransportBox) -> OpaquePointer? {
        let transport = box.transport
        guard let bio = BIO_new(transport.style == .classic ? classic.pointer : extended.pointer) else { return nil }
        BIO_set_data(bio, Unmanaged.passUnretained(box).toOpaque())
        return bio
    }

    fileprivate static func transport(_ bio: OpaquePointer?) -> (any ByteTransport)? {
        guard let bio, let data = BIO_get_data(bio) else { return nil }
        return Unmanaged<TransportBox>.fromOpaque(data).takeUnretainedValue().transport
    }
}

private func interposedCreate(_ bio: OpaquePointer?) -> Int32 {
    BIO_set_init(bio, 1)
    return 1
}

private func interposedRead(
    _ bio: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int, _ readBytes: UnsafeMutablePointer<Int>?
) -> Int32 {
    COpenSSL_BIO_clear_retry_flags(bio)
    guard let transport = InterposedBIO.transport(bio), let buffer else { return 0 }
    switch transport.receive(into: UnsafeMutableRawBufferPointer(start: buffer, count: length)) {
    case .transferred(let count):
        readBytes?.pointee = count
        return 1
    case .wouldBlock:
        COpenSSL_BIO_set_retry_read(bio)
        return 0
    case .endOfStream:
        return 0
    case .failed(let code):
        errno = code
        return 0
    }
}

private func interposedClassicRead(_ bio: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int32) -> Int32 {
    var count = 0
    if interposedRead(bio, buffer, Int(length), &count) == 1 { return Int32(count) }
    // Like the socket BIO: 0 only at end of stream, -1 for "retry" and for errors.
    return InterposedBIO.transport(bio)?.sawEndOfStream == true ? 0 : -1
}

private func interposedClassicWrite(_ bio: OpaquePointer?, _ bytes: UnsafePointer<CChar>?, _ length: Int32) -> Int32 {
    var count = 0
    return interposedWrite(bio, bytes, Int(length), &count) == 1 ? Int32(count) : -1
}

private func interposedWrite(
    _ bio: OpaquePointer?, _ bytes: UnsafePointer<CChar>?, _ length: Int, _ written: UnsafeMutablePointer<Int>?
) -> Int32 {
    COpenSSL_BIO_clear_retry_flags(bio)
    guard let transport = InterposedBIO.transport(bio), let bytes else { return 0 }
    switch transport.send(UnsafeRawBufferPointer(start: bytes, count: length)) {
    case .transferred(let count):
        written?.pointee = count
        return 1
    case .wouldBlock:
        COpenSSL_BIO_set_retry_write(bio)
        return 0
    case .endOfStream:
        return 0
    case .failed(let code):
        errno = code
        return 0
    }
}

private func interposedControl(_ bio: OpaquePointer?, _ command: Int32, _ number: Int, _ pointer: UnsafeMutableRawPointer?) -> Int {
    switch command {
    case BIO_CTRL_FLUSH: 1
    case BIO_CTRL_EOF: InterposedBIO.transport(bio)?.sawEndOfStream == true ? 1 : 0
    default: 0
    }
}
