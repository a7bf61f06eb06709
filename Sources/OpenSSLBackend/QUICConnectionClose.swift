/// `SSL_get_conn_close_info`, read from its C layout (uint64 error_code, uint64 frame_type, const char *reason,
/// size_t reason_len, uint32 flags) so that no 3.5 header is needed.
struct ConnectionClose: CustomStringConvertible {
    let errorCode: UInt64
    let frameType: UInt64
    let reason: String
    let isLocal: Bool
    let isTransport: Bool

    init?(_ ssl: OpaquePointer, _ symbols: QUICSymbols) {
        let size = 40
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        guard symbols.connectionCloseInfo(ssl, buffer, size) == 1 else { return nil }
        errorCode = buffer.load(fromByteOffset: 0, as: UInt64.self)
        frameType = buffer.load(fromByteOffset: 8, as: UInt64.self)
        let text = buffer.load(fromByteOffset: 16, as: UnsafePointer<CChar>?.self)
        let length = buffer.load(fromByteOffset: 24, as: Int.self)
        reason = text.map { pointer in
            String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
        } ?? ""
        let flags = buffer.load(fromByteOffset: 32, as: UInt32.self)
        isLocal = flags & QUICSymbols.closeFlagLocal != 0
        isTransport = flags & QUICSymbols.closeFlagTransport != 0
    }

    /// The TLS alert a transport CRYPTO_ERROR (0x100–0x1ff) carries.
    var tlsAlert: UInt8? {
        isTransport && (0x100...0x1FF).contains(errorCode) ? UInt8(errorCode - 0x100) : nil
    }

    var description: String {
        let origin = isLocal ? "local" : "remote"
        let kind = isTransport ? "transport" : "application"
        let text = reason.isEmpty ? "" : " reason \"\(reason)\""
        return "connection closed (\(origin), \(kind) error 0x\(String(errorCode, radix: 16)), frame type 0x\(String(frameType, radix: 16))\(text))"
    }
}
