import ArgumentParser
import Logging
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
    func bootstrapLogging(defaultLevel: String = "info") -> Logger {
        let level = Logger.Level(rawValue: (logLevel ?? Self.environment["MEMORYHUB_LOG_LEVEL"] ?? defaultLevel).lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "memoryhub")
    }

    @OptionGroup var embeddingOptions: EmbeddingOptions

    @Option(name: .long, help: "Redis URL for the shared session cache, redis://[user:pass@]host:port[/db] (env MEMORYHUB_REDIS_URL; default: in-process cache).")
    var redis: String?

    /// What the flags and environment describe.
    var deployment: Deployment {
        get throws {
            var deployment = Deployment(databaseURL: databaseURL, redisURL: redis ?? Self.environment["MEMORYHUB_REDIS_URL"])
            deployment.cacheEnabled = !(noCache || Self.environment["MEMORYHUB_CACHE"]?.lowercased() == "off")
            deployment.cacheTimeToLive = try cacheTimeToLive
            deployment.adminKey = Self.environment["MEMORYHUB_ADMIN_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            // Values that look like secrets but are not (a team's well-known test token), comma-separated.
            deployment.service.redaction.allowList = Set(ServeCommand.list(Self.environment["MEMORYHUB_REDACTION_ALLOW"]))
            return deployment
        }
    }

    /// Runs a one-shot command with the configured services connected and migrated; with
    /// `embeddings`, the configured embedding model is loaded for search.
    func withServices<T: Sendable>(embeddings: Bool = true, _ body: (MemoryHubServices) async throws -> T) async throws -> T {
        let logger = bootstrapLogging()
        let embedder = embeddings ? try embeddingOptions.embedder(logger: logger) : nil
        let services = try MemoryHubServices.open(try deployment, embedder: embedder, logger: logger)
        return try await services.withBackgroundServices(body)
    }
}
