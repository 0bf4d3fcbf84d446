/// An error reply from the Redis server (`-ERR ...` or a bulk error), such as a wrong type or a syntax error.
///
/// `description` shows only the error code (the reply's first word, such as `WRONGTYPE`), because servers echo
/// command arguments in some messages; ``message`` and `debugDescription` carry the full text.
package struct RedisServerError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The server's full error text, such as `NOSCRIPT No matching script. Please use EVAL.`
    package var message: String

    /// Creates an error from the server's error text.
    package init(message: String) {
        self.message = message
    }

    /// The error's code: the first word of ``message`` by Redis convention, such as `ERR`, `WRONGTYPE` or `NOSCRIPT`.
    package var code: String {
        String(self.message.prefix { $0 != " " })
    }

    /// The error code only.
    package var description: String {
        "RedisServerError(code: \(self.code))"
    }

    /// The error code and the server's full text.
    package var debugDescription: String {
        "RedisServerError(code: \(self.code), message: \(self.message))"
    }
}
