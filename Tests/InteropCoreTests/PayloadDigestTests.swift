import InteropCore
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
}
