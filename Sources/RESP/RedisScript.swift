import Crypto

/// A Lua script and its SHA-1 (swift-crypto's; Redis names scripts by it, no security rests on it), for ``RedisClient/evaluate(script:keys:arguments:)``.
///
/// Create scripts once (for example as `static let`) so the digest is computed once.
package struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    package let source: String
    /// The SHA-1 of ``source`` as 40 lowercase hex digits, the name `EVALSHA` and `SCRIPT LOAD` use.
    package let sha1: String

    /// Creates a script and computes its digest.
    package init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
