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
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw invalid("expected a URL of the form redis://[user[:password]@]host[:port][/db]")
        }
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "redis":
            break
        case "rediss":
            throw invalid("rediss:// (TLS) is not supported; use redis://")
        default:
            throw invalid("unsupported scheme; expected redis://")
        }
        var rest = url[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") {
            throw invalid("query parameters and fragments are not supported")
        }

        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]

        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let userPart: Substring
            var passwordPart: Substring?
            if let colon = userInfo.firstIndex(of: ":") {
                userPart = userInfo[..<colon]
                passwordPart = userInfo[userInfo.index(after: colon)...]
            } else {
                userPart = userInfo
            }
            guard let user = Self.percentDecoded(userPart) else {
                throw invalid("malformed percent escape in the user name")
            }
            self.username = user.isEmpty ? nil : user
            if let passwordPart {
                guard let password = Self.percentDecoded(passwordPart) else {
                    throw invalid("malformed percent escape in the password")
                }
                self.password = password.isEmpty ? nil : password
            }
        }

        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw invalid("unterminated IPv6 address")
            }
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            let afterHost = authority[authority.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address") }
                portPart = afterHost.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw invalid("an IPv6 address must be in brackets") }
            self.host = String(parts[0])
            portPart = parts.count == 2 ? parts[1] : nil
        }
        guard !self.host.isEmpty else { throw invalid("missing host") }
        if let portPart {
            guard portPart.allSatisfy(\.isASCIIDigit), let port = Int(portPart), (1...65535).contains(port) else {
                throw invalid("port must be a number from 1 to 65535")
            }
            self.port = port
        }

        let path = rest.dropFirst()
        if !path.isEmpty {
            guard path.allSatisfy(\.isASCIIDigit), let database = Int(path) else {
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

    /// Decodes `%XX` escapes; `nil` for a malformed escape or bytes that are not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
            else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        self.isASCII && self.isNumber
    }
}
