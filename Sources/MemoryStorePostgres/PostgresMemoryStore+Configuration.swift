package import PostgresNIO

extension PostgresMemoryStore {
    /// Where and how the store connects. Every setting has a default; only the executable reads the
    /// environment and builds one of these (usually with ``init(url:)``).
    ///
    /// Its `description` never shows the password.
    package struct Configuration: Sendable, Hashable, CustomStringConvertible {
        /// Whether and how connections use TLS; the cases follow libpq's `sslmode`.
        package enum TLSMode: String, Sendable, Hashable, CaseIterable {
            /// Plain TCP only (`sslmode=disable`, also `allow`).
            case disable
            /// TLS when the server offers it, without checking its certificate (`sslmode=prefer`).
            case prefer
            /// TLS or no connection, without checking the certificate (`sslmode=require`).
            case require
            /// TLS with a certificate signed by a trusted authority, any host name (`sslmode=verify-ca`).
            case verifyCA
            /// TLS with a trusted certificate for the host name (`sslmode=verify-full`).
            case verifyFull
        }

        /// The server's host name or IP address.
        package var host: String = "127.0.0.1"
        /// The server's TCP port.
        package var port: Int = 5432
        /// The role to log in as.
        package var username: String = "postgres"
        /// The password, if the server asks for one.
        package var password: String?
        /// The database holding MemoryHub's tables.
        package var database: String = "memoryhub"
        /// TLS; off by default (loopback and private networks).
        package var tls: TLSMode = .disable
        /// The most connections the pool opens.
        package var maximumConnections: Int = 20
        /// How long one TCP connection attempt may take.
        package var connectTimeout: Duration = .seconds(10)
        /// How long an operation waits for a pooled connection (all busy, or the server unreachable)
        /// before it fails with `MemoryHubError` kind `unavailable`.
        package var connectionAcquireTimeout: Duration = .seconds(10)
        /// Shown in `pg_stat_activity`.
        package var applicationName: String = "memoryhub"

        /// A configuration with every default: `postgres@127.0.0.1:5432/memoryhub`, no TLS.
        package init() {}

        /// A configuration for a server, with defaults for everything else.
        package init(host: String, port: Int = 5432, username: String = "postgres", password: String? = nil, database: String = "memoryhub") {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
        }

        /// Parses `postgres://[user[:password]@]host[:port][/database][?param=value&...]` (or
        /// `postgresql://`).
        ///
        /// User name, password, database and parameter values are percent-decoded. An IPv6 host goes
        /// in brackets (`postgres://[::1]:5432/db`). Parameters: `sslmode` (`disable`, `allow`,
        /// `prefer`, `require`, `verify-ca`, `verify-full`), `connect_timeout` (whole seconds) and
        /// `application_name`. Anything the URL leaves out keeps its default.
        ///
        /// - Throws: ``PostgresURLError``, whose description never contains the URL.
        package init(url: String) throws {
            guard let schemeEnd = url.firstRange(of: "://") else {
                throw PostgresURLError(.unsupportedScheme, reason: "expected postgres://[user[:password]@]host[:port][/database]")
            }
            switch url[..<schemeEnd.lowerBound].lowercased() {
            case "postgres", "postgresql": break
            default: throw PostgresURLError(.unsupportedScheme, reason: "the scheme must be postgres:// or postgresql://")
            }
            var rest = url[schemeEnd.upperBound...]
            if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
            var queryPart: Substring?
            if let question = rest.firstIndex(of: "?") {
                queryPart = rest[rest.index(after: question)...]
                rest = rest[..<question]
            }
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<authorityEnd]
            let path = rest[authorityEnd...].dropFirst()

            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                authority = authority[authority.index(after: at)...]
                let colon = userInfo.firstIndex(of: ":")
                let user = try Self.decoded(userInfo[..<(colon ?? userInfo.endIndex)], what: "the user name")
                if !user.isEmpty { username = user }
                if let colon {
                    password = try Self.decoded(userInfo[userInfo.index(after: colon)...], what: "the password")
                }
            }

            var portPart: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else {
                    throw PostgresURLError(.missingHost, reason: "unterminated IPv6 address")
                }
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let afterHost = authority[authority.index(after: close)...]
                if !afterHost.isEmpty {
                    guard afterHost.hasPrefix(":") else { throw PostgresURLError(.invalidPort, reason: "unexpected text after the IPv6 address") }
                    portPart = afterHost.dropFirst()
                }
            } else {
                let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count <= 2 else { throw PostgresURLError(.missingHost, reason: "an IPv6 address must be in brackets") }
                host = try Self.decoded(parts[0], what: "the host")
                portPart = parts.count == 2 ? parts[1] : nil
            }
            guard !host.isEmpty else { throw PostgresURLError(.missingHost, reason: "the URL names no host (Unix-domain sockets are not supported)") }
            if let portPart {
                guard !portPart.isEmpty, portPart.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(portPart), (1...65535).contains(number) else {
                    throw PostgresURLError(.invalidPort, reason: "the port must be a number from 1 to 65535")
                }
                port = number
            }

            if !path.isEmpty {
                database = try Self.decoded(path, what: "the database name")
            }

            for pair in (queryPart ?? "").split(separator: "&") {
                let equals = pair.firstIndex(of: "=")
                let name = try Self.decoded(pair[..<(equals ?? pair.endIndex)], what: "a parameter name")
                let value = try equals.map { try Self.decoded(pair[pair.index(after: $0)...], what: "a parameter value") } ?? ""
                switch name {
                case "sslmode":
                    switch value {
                    case "disable", "allow": tls = .disable
                    case "prefer": tls = .prefer
                    case "require": tls = .require
                    case "verify-ca": tls = .verifyCA
                    case "verify-full": tls = .verifyFull
                    default:
                        throw PostgresURLError(
                            .invalidParameterValue, reason: "sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
                    }
                case "connect_timeout":
                    guard let seconds = Int(value), seconds > 0 else {
                        throw PostgresURLError(.invalidParameterValue, reason: "connect_timeout must be a positive number of seconds")
                    }
                    connectTimeout = .seconds(seconds)
                case "application_name":
                    applicationName = value
                default:
                    throw PostgresURLError(.unsupportedParameter, reason: "supported parameters are sslmode, connect_timeout and application_name")
                }
            }
        }

        /// The settings, with the password shown as `***` if set.
        package var description: String {
            "PostgresMemoryStore.Configuration(host: \(host), port: \(port), username: \(username), "
                + "password: \(password == nil ? "nil" : "***"), database: \(database), tls: \(tls), "
                + "maximumConnections: \(maximumConnections), connectTimeout: \(connectTimeout), "
                + "connectionAcquireTimeout: \(connectionAcquireTimeout), applicationName: \(applicationName))"
        }

        /// The postgres-nio client configuration these settings describe.
        package var clientConfiguration: PostgresClient.Configuration {
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: clientTLS)
            configuration.options.maximumConnections = max(1, maximumConnections)
            configuration.options.connectTimeout = connectTimeout
            configuration.options.additionalStartupParameters = [("application_name", applicationName)]
            return configuration
        }

        private var clientTLS: PostgresClient.Configuration.TLS {
            var settings = TLSConfiguration.makeClientConfiguration()
            switch tls {
            case .disable:
                return .disable
            case .prefer:
                settings.certificateVerification = .none
                return .prefer(settings)
            case .require:
                settings.certificateVerification = .none
                return .require(settings)
            case .verifyCA:
                settings.certificateVerification = .noHostnameVerification
                return .require(settings)
            case .verifyFull:
                settings.certificateVerification = .fullVerification
                return .require(settings)
            }
        }

        /// Decodes `%XX` escapes; throws for a malformed escape or bytes that are not UTF-8.
        private static func decoded(_ text: Substring, what: String) throws -> String {
            var bytes: [UInt8] = []
            var iterator = text.utf8.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "%") else {
                    bytes.append(byte)
                    continue
                }
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw PostgresURLError(.invalidPercentEscape, reason: "malformed percent escape in \(what)")
                }
                bytes.append(high << 4 | low)
            }
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                throw PostgresURLError(.invalidPercentEscape, reason: "\(what) is not UTF-8 after percent-decoding")
            }
            return decoded
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
}
