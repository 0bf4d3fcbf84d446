import ArgumentParser
import Logging
import MemoryCache
import MemoryCore
import MemoryService
import Foundation

/// Options every subcommand shares, each with its environment variable.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Database: a SQLite path or sqlite:// URL (env MEMORYHUB_DATABASE_URL; default ~/.local/share/memoryhub/memoryhub.sqlite).")
    var database: String?

    @Option(name: .long, help: "Seconds a cached session may be served (env MEMORYHUB_CACHE_TTL; default 3600).")
    var cacheTTL: Double?

    @Flag(name: .long, help: "Turn the session cache off (env MEMORYHUB_CACHE=off).")
    var noCache = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error (env MEMORYHUB_LOG_LEVEL; default info).")
    var logLevel: String?

    static let environment = ProcessInfo.processInfo.environment

    var databaseURL: String {
        database ?? Self.environment["MEMORYHUB_DATABASE_URL"] ?? Self.defaultDatabasePath
    }

    static var defaultDatabasePath: String {
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.local/share/memoryhub/memoryhub.sqlite"
    }

    var cacheTimeToLive: Duration {
        get throws {
            let seconds = try cacheTTL ?? Self.environment["MEMORYHUB_CACHE_TTL"].map { text in
                guard let value = Double(text) else { throw ValidationError("MEMORYHUB_CACHE_TTL must be a number of seconds.") }
                return value
            } ?? 3600
            guard seconds > 0 else { throw ValidationError("The cache TTL must be positive.") }
            return .milliseconds(Int64(seconds * 1000))
        }
    }

    /// Logs go to stderr in every mode (stdout is for results, and for the protocol in `mcp`).
    func bootstrapLogging() -> Logger {
        let level = Logger.Level(rawValue: (logLevel ?? Self.environment["MEMORYHUB_LOG_LEVEL"] ?? "info").lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "memoryhub")
    }

    /// The services on the configured database.
    func openServices(logger: Logger) async throws -> MemoryHubServices {
        let url = databaseURL
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            throw ValidationError("PostgreSQL is not supported by this build yet; use a SQLite path.")
        }
        var path = url
        for prefix in ["sqlite://", "file://", "sqlite:", "file:"] where path.hasPrefix(prefix) {
            path = String(path.dropFirst(prefix.count))
            break
        }
        guard !path.isEmpty else { throw ValidationError("The database path is empty.") }
        let cacheOff = noCache || Self.environment["MEMORYHUB_CACHE"]?.lowercased() == "off"
        return try await MemoryHubServices.embedded(
            path: path, cache: cacheOff ? nil : .init(timeToLive: try cacheTimeToLive), logger: logger)
    }
}
