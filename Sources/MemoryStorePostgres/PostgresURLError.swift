/// A PostgreSQL URL that ``PostgresMemoryStore/Configuration/init(url:)`` cannot use.
///
/// `description` names the code and a fixed reason; it never repeats the URL, which may carry a password.
package struct PostgresURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the URL.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unsupportedScheme
            case missingHost
            case invalidPort
            case invalidPercentEscape
            case unsupportedParameter
            case invalidParameterValue
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The scheme is not `postgres://` or `postgresql://`.
        package static let unsupportedScheme = Self(.unsupportedScheme)
        /// There is no host name (Unix-domain sockets are not supported).
        package static let missingHost = Self(.missingHost)
        /// The port is not a number from 1 to 65535.
        package static let invalidPort = Self(.invalidPort)
        /// A `%XX` escape is malformed or does not decode to UTF-8.
        package static let invalidPercentEscape = Self(.invalidPercentEscape)
        /// A query parameter other than `sslmode`, `connect_timeout` or `application_name`.
        package static let unsupportedParameter = Self(.unsupportedParameter)
        /// A supported query parameter with a value it cannot take.
        package static let invalidParameterValue = Self(.invalidParameterValue)

        /// The code's name.
        package var description: String { base.rawValue }
    }

    /// What is wrong.
    package let code: Code
    /// A fixed, data-free explanation.
    package let reason: String

    /// Creates an error.
    package init(_ code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// The code and the reason, never the URL.
    package var description: String { "Invalid PostgreSQL URL (\(code)): \(reason)" }
}
