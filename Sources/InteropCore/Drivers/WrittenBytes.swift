/// What an endpoint wrote, digested once at the end. Writes from arrays the endpoint holds anyway (its payload, what
/// it read) are kept as slices of them rather than hashed as they go, so that a mebibyte sent or echoed is compared
/// with `KnownDigests` instead of hashed again by every endpoint of every cell.
struct WrittenBytes {
    private var pieces: [ArraySlice<UInt8>] = []
    private(set) var count = 0

    /// `range` of `bytes` went out; consecutive ranges of one array make one piece.
    mutating func append(_ bytes: [UInt8], range: Range<Int>) {
        guard !range.isEmpty else { return }
        count += range.count
        if let last = pieces.last, last.endIndex == range.lowerBound, Self.storage(of: last) == Self.storage(of: bytes[...]) {
            pieces[pieces.count - 1] = bytes[last.startIndex..<range.upperBound]
        } else {
            pieces.append(bytes[range])
        }
    }

    /// Bytes from a buffer the endpoint does not keep (a retry experiment's): copied.
    mutating func append(copying bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        pieces.append(ArraySlice(bytes))
    }

    var hexDigest: String {
        if pieces.count == 1 { return pieces[0].withUnsafeBytes { KnownDigests.hex(of: $0) } }
        var digest = PayloadDigest()
        for piece in pieces { piece.withUnsafeBytes { digest.update($0) } }
        return digest.hexDigest
    }

    /// Where a slice's array keeps its elements: equal for slices of one array's storage.
    private static func storage(of slice: ArraySlice<UInt8>) -> UnsafeRawPointer? {
        slice.withUnsafeBytes { $0.baseAddress.map { $0 - slice.startIndex } }
    }
}
