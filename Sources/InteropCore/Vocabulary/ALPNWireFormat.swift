/// ALPN's wire format: each protocol name prefixed by its length in one byte (RFC 7301 §3.1).
public enum ALPNWireFormat {
    /// Encodes the names as given. A name over 255 bytes is written with its length truncated to one byte, exactly
    /// the malformed list a careless client would hand its library, so that the library's own check is what rejects it.
    public static func encode(_ protocols: [String]) -> [UInt8] {
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            wire.append(UInt8(truncatingIfNeeded: bytes.count))
            wire.append(contentsOf: bytes)
        }
        return wire
    }

    /// A readable rendering of a wire-format list, for traces.
    public static func describe(_ pointer: UnsafePointer<UInt8>?, _ length: UInt32) -> String {
        guard let pointer else { return "nothing" }
        var names: [String] = []
        var index = 0
        let bytes = UnsafeBufferPointer(start: pointer, count: Int(length))
        while index < bytes.count {
            let count = Int(bytes[index])
            let end = min(index + 1 + count, bytes.count)
            names.append(String(decoding: bytes[(index + 1)..<end], as: UTF8.self))
            index = end
        }
        return "[" + names.joined(separator: ",") + "]"
    }
}
