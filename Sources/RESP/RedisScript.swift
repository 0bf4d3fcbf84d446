/// A Lua script and its SHA-1, for ``RedisClient/evaluate(script:keys:arguments:)``.
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
        self.sha1 = SHA1.hexDigest(source.utf8)
    }
}
