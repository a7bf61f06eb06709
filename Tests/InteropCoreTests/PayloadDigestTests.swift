@testable import InteropCore
import Testing

@Suite struct PayloadDigestTests {
    @Test func emptyInputHasTheStandardDigest() {
        #expect(PayloadDigest().hexDigest == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func abcHasTheStandardDigest() {
        var digest = PayloadDigest()
        digest.update(Array("abc".utf8))
        #expect(digest.hexDigest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func chunkingDoesNotChangeTheDigest() {
        let bytes = SeededGenerator.payload(count: 100_003, seed: 7)
        var whole = PayloadDigest()
        whole.update(bytes)
        var pieces = PayloadDigest()
        var index = 0
        var size = 1
        while index < bytes.count {
            let end = min(index + size, bytes.count)
            pieces.update(bytes[index..<end])
            index = end
            size = size * 3 % 4093 + 1
        }
        #expect(pieces.hexDigest == whole.hexDigest)
        #expect(pieces.byteCount == 100_003)
    }

    @Test func millionAsMatchesTheNISTVector() {
        var digest = PayloadDigest()
        digest.update([UInt8](repeating: 0x61, count: 1_000_000))
        #expect(digest.hexDigest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A digest remembered for one mebibyte must not answer for another of the same length.
    @Test func aRememberedDigestIsOfExactlyTheseBytes() {
        let millionAs = [UInt8](repeating: 0x61, count: 1_000_000)
        let nist = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(millionAs.withUnsafeBytes { KnownDigests.hex(of: $0) } == nist)
        var lastChanged = millionAs
        lastChanged[999_999] = 0x62
        var streamed = PayloadDigest()
        streamed.update(lastChanged)
        let changed = lastChanged.withUnsafeBytes { KnownDigests.hex(of: $0) }
        #expect(changed == streamed.hexDigest)
        #expect(changed != nist)
        #expect(millionAs.withUnsafeBytes { KnownDigests.hex(of: $0) } == nist)
        #expect(lastChanged.withUnsafeBytes { KnownDigests.hex(of: $0) } == streamed.hexDigest)
    }

    /// Writes kept as slices (consecutive ones merged) and copies digest as the bytes in the order written.
    @Test func writtenBytesDigestAsTheirConcatenation() {
        let payload = SeededGenerator.payload(count: 200_000, seed: 3)
        let other = SeededGenerator.payload(count: 70_000, seed: 4)
        var written = WrittenBytes()
        written.append(payload, range: 0..<1000)
        written.append(payload, range: 1000..<200_000)
        #expect(written.hexDigest == payload.withUnsafeBytes { KnownDigests.hex(of: $0) })
        written.append(other, range: 5..<69_000)
        payload.withUnsafeBytes { written.append(copying: UnsafeRawBufferPointer(rebasing: $0[0..<10])) }
        written.append(payload, range: 10..<20)
        var expected = PayloadDigest()
        expected.update(payload)
        expected.update(other[5..<69_000])
        expected.update(payload[0..<20])
        #expect(written.hexDigest == expected.hexDigest)
        #expect(written.count == 200_000 + 68_995 + 20)
    }
}
