import RESP
import Testing

@Suite("SHA-1")
struct SHA1Tests {
    @Test(
        "matches the FIPS 180 and common test vectors",
        arguments: [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "a49b2446a02c645bf419f995b67091253a04a259"
            ),
            ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
        ]
    )
    func vectors(input: String, digest: String) {
        #expect(SHA1.hexDigest(input.utf8) == digest)
    }

    @Test("handles messages around the 55/56/64-byte padding boundaries")
    func paddingBoundaries() {
        // Digests computed with `printf 'a%.0s' {1..N} | sha1sum`.
        let expected: [Int: String] = [
            55: "c1c8bbdc22796e28c0e15163d20899b65621d65a",
            56: "c2db330f6083854c99d4b5bfb6e8f29f201be699",
            63: "03f09f5b158a7a8cdad920bddc29b81c18a551f5",
            64: "0098ba824b5c16427bd7a1122a5a442a25ec644d",
            65: "11655326c708d70319be2610e8a57d9a5b959d3b",
        ]
        for (count, digest) in expected {
            #expect(SHA1.hexDigest(Array(repeating: UInt8(ascii: "a"), count: count)) == digest, "length \(count)")
        }
    }

    @Test("one million 'a'")
    func millionA() {
        #expect(SHA1.hexDigest(Array(repeating: UInt8(ascii: "a"), count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test("digest has 20 bytes")
    func digestLength() {
        #expect(SHA1.digest([1, 2, 3]).count == 20)
    }

    @Test("a script carries the SHA-1 of its source")
    func scriptDigest() {
        #expect(RedisScript("return 1").sha1 == SHA1.hexDigest("return 1".utf8))
        #expect(RedisScript("return redis.call('GET', KEYS[1])").sha1.count == 40)
    }
}
