import ServiceURL
/// Where and how ``RedisClient`` connects.
///
/// Its `description` never shows the password.
package struct RedisConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The server's host name or IP address.
    package var host: String = "127.0.0.1"
    /// The server's TCP port.
    package var port: Int = 6379
    /// The ACL user name; with a password but no user name, Redis authenticates the `default` user.
    package var username: String?
    /// The password, if the server requires one.
    package var password: String?
    /// The database number selected on every connection (`SELECT`), when not 0.
    package var database: Int = 0
    /// How long to wait for a TCP connection to be established.
    package var connectTimeout: Duration = .seconds(1)
    /// How long to wait for each reply, including the handshake's; on expiry the connection is closed.
    package var commandTimeout: Duration = .seconds(1)
    /// The most connections the client opens; each carries many pipelined commands at once.
    package var poolSize: Int = 4
    /// The largest reply, in bytes, that the client accepts; a larger one fails with a protocol error.
    package var maximumMessageSize: Int = 512 * 1024 * 1024

    /// Creates a configuration for a server, with defaults for everything else.
    package init(host: String = "127.0.0.1", port: Int = 6379) {
        self.host = host
        self.port = port
    }

    /// Parses `redis://[user[:password]@]host[:port][/db]`.
    ///
    /// User name and password are percent-decoded; `redis://:password@host` sets only a password.
    /// An IPv6 host goes in brackets: `redis://[::1]:6379`. Options other than those in the URL keep their defaults.
    ///
    /// - Throws: ``RedisClientError`` with code ``RedisClientError/Code/invalidURL`` for another scheme
    ///   (including `rediss`, since TLS is not supported), a missing host, a bad port or database number,
    ///   a malformed percent escape, or a query or fragment.
    package init(url: String) throws {
        func invalid(_ reason: String) -> RedisClientError {
            RedisClientError(.invalidURL, reason: reason)
        }
        let parsed: ServiceURL
        do {
            parsed = try ServiceURL(parsing: url)
        } catch {
            throw invalid(error == .missingScheme ? "expected a URL of the form redis://[user[:password]@]host[:port][/db]" : error.description)
        }
        switch parsed.scheme {
        case "redis":
            break
        case "rediss":
            throw invalid("rediss:// (TLS) is not supported; use redis://")
        default:
            throw invalid("unsupported scheme; expected redis://")
        }
        guard parsed.query.isEmpty, !parsed.hasFragment, !url.contains("?") else {
            throw invalid("query parameters and fragments are not supported")
        }
        self.host = parsed.host
        self.username = parsed.user
        self.password = parsed.password.flatMap { $0.isEmpty ? nil : $0 }
        if let port = parsed.port { self.port = port }
        if !parsed.path.isEmpty {
            guard parsed.path.allSatisfy(\.isASCIIDigit), let database = Int(parsed.path) else {
                throw invalid("database must be a non-negative number")
            }
            self.database = database
        }
    }

    /// The settings, with the password shown as `***` if set.
    package var description: String {
        let user = self.username.map { "\"\($0)\"" } ?? "nil"
        let password = self.password == nil ? "nil" : "***"
        return "RedisConfiguration(host: \(self.host), port: \(self.port), username: \(user), "
            + "password: \(password), database: \(self.database), connectTimeout: \(self.connectTimeout), "
            + "commandTimeout: \(self.commandTimeout), poolSize: \(self.poolSize), "
            + "maximumMessageSize: \(self.maximumMessageSize))"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        self.isASCII && self.isNumber
    }
}
