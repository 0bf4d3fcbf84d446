import ServiceURL
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
        /// The longest a statement may run (PostgreSQL's `statement_timeout`); past it the call
        /// fails with `unavailable` (503) instead of holding the request. Migrations are exempt.
        package var statementTimeout: Duration = .seconds(10)
        /// The longest a statement may wait for a lock (`lock_timeout`): a table locked by another
        /// transaction answers 503 within this, not when the lock is released.
        package var lockTimeout: Duration = .seconds(2)

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
            let parsed: ServiceURL
            do {
                parsed = try ServiceURL(parsing: url)
            } catch {
                switch error {
                case .missingScheme:
                    throw PostgresURLError(.unsupportedScheme, reason: "expected postgres://[user[:password]@]host[:port][/database]")
                case .malformedPercentEscape, .notUTF8:
                    throw PostgresURLError(.invalidPercentEscape, reason: error.description)
                case .unterminatedIPv6Address, .unbracketedIPv6Address, .missingHost:
                    throw PostgresURLError(.missingHost, reason: error == .missingHost
                        ? "the URL names no host (Unix-domain sockets are not supported)" : error.description)
                case .textAfterIPv6Address, .invalidPort:
                    throw PostgresURLError(.invalidPort, reason: error.description)
                }
            }
            guard parsed.scheme == "postgres" || parsed.scheme == "postgresql" else {
                throw PostgresURLError(.unsupportedScheme, reason: "the scheme must be postgres:// or postgresql://")
            }
            host = parsed.host
            if let user = parsed.user { username = user }
            if let secret = parsed.password { password = secret }
            if let number = parsed.port { port = number }
            if !parsed.path.isEmpty { database = parsed.path }
            for (name, value) in parsed.query {
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
                case "statement_timeout", "lock_timeout":
                    guard let milliseconds = Int64(value), milliseconds > 0 else {
                        throw PostgresURLError(.invalidParameterValue, reason: "\(name) must be a positive number of milliseconds")
                    }
                    if name == "statement_timeout" { statementTimeout = .milliseconds(milliseconds) } else { lockTimeout = .milliseconds(milliseconds) }
                default:
                    throw PostgresURLError(.unsupportedParameter, reason: "supported parameters are sslmode, connect_timeout, application_name, statement_timeout and lock_timeout")
                }
            }
        }

        static func milliseconds(_ duration: Duration) -> Int64 {
            let (seconds, attoseconds) = duration.components
            return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
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
            configuration.options.additionalStartupParameters = [
                ("application_name", applicationName),
                ("statement_timeout", String(Self.milliseconds(statementTimeout))),
                ("lock_timeout", String(Self.milliseconds(lockTimeout))),
            ]
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
    }
}
