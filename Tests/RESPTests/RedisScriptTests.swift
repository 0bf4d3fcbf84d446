import RESP
import Testing

@Suite struct RedisScriptTests {
    @Test("a script carries the SHA-1 of its source, the name EVALSHA uses")
    func scriptDigest() {
        // Digests from FIPS 180 test vectors and `printf 'return 1' | sha1sum`.
        #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
