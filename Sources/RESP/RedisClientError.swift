/// A failure of the Redis client itself rather than an error reply from the server: the server could not be
/// reached, a reply did not arrive in time, the connection broke, or the reply could not be decoded.
///
/// `description` names the code and a fixed reason; it never contains keys, values or credentials.
/// `debugDescription` adds the underlying error.
package struct RedisClientError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed
            case handshakeFailed
            case timeout
            case connectionClosed
            case protocolError
            case unexpectedReply
            case poolClosed
            case invalidURL
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// No connection to the server could be made (refused, unreachable, or not within the connect timeout).
        package static let connectionFailed = Self(.connectionFailed)
        /// The connection was made but `HELLO`, `AUTH` or `SELECT` failed; the underlying error says why.
        package static let handshakeFailed = Self(.handshakeFailed)
        /// No reply arrived within the command timeout; the connection was closed.
        package static let timeout = Self(.timeout)
        /// The connection closed before the reply arrived.
        package static let connectionClosed = Self(.connectionClosed)
        /// The server sent bytes that are not valid RESP, or a reply nobody asked for; the connection was closed.
        package static let protocolError = Self(.protocolError)
        /// The server's reply has a type the called method cannot interpret.
        package static let unexpectedReply = Self(.unexpectedReply)
        /// The client was closed.
        package static let poolClosed = Self(.poolClosed)
        /// A Redis URL could not be parsed.
        package static let invalidURL = Self(.invalidURL)

        /// The code's name.
        package var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    package var code: Code
    /// A fixed, data-free explanation, when there is more to say than the code.
    package var reason: String?
    /// The error that caused this one, if any.
    package var underlying: (any Error)?
    /// Whether the request may have reached the server; `false` lets the client retry it on another connection.
    package var requestMayHaveBeenSent: Bool

    /// Creates an error.
    package init(_ code: Code, reason: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.underlying = underlying
        self.requestMayHaveBeenSent = true
    }

    /// The code and reason.
    package var description: String {
        if let reason {
            return "RedisClientError.\(self.code): \(reason)"
        }
        return "RedisClientError.\(self.code)"
    }

    /// The code, reason and underlying error.
    package var debugDescription: String {
        var text = "RedisClientError(code: \(self.code)"
        if let reason {
            text += ", reason: \(reason)"
        }
        if let underlying {
            text += ", underlying: \(String(reflecting: underlying))"
        }
        return text + ")"
    }
}
