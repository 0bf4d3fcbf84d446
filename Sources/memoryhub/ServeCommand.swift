import ArgumentParser
import Hummingbird
import Logging
import MemoryCache
import MemoryHTTP
import MemoryMCP
import MemoryService
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals
import Foundation

/// `memoryhub serve`: the HTTP API with the background cleanup, until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the REST API over HTTP.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Address to listen on (env MEMORYHUB_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env MEMORYHUB_PORT; default 8080).")
    var port: Int?

    @Option(help: "Largest request body in bytes (env MEMORYHUB_BODY_LIMIT; default 1048576).")
    var bodyLimit: Int?

    @Option(name: .customLong("allowed-origin"), help: "A browser origin allowed to call /mcp besides loopback ones, e.g. https://app.example.com; repeatable; * allows any (env MEMORYHUB_ALLOWED_ORIGINS, comma-separated).")
    var allowedOrigins: [String] = []

    @Option(name: .customLong("allowed-host"), help: "A Host header value allowed on /mcp besides loopback ones, e.g. memoryhub.internal:8080; repeatable (env MEMORYHUB_ALLOWED_HOSTS, comma-separated).")
    var allowedHosts: [String] = []

    func run() async throws {
        let logger = options.bootstrapLogging()
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.sanitize(name), labels.map { (Self.sanitize($0.0), $0.1) })
        }
        // Cache operations take microseconds; the default buckets start at 5 ms.
        factory.durationHistogramBuckets["memoryhub_cache_latency_seconds"] = [
            .microseconds(10), .microseconds(50), .microseconds(100), .microseconds(500), .milliseconds(1),
            .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2),
        ]
        MetricsSystem.bootstrap(factory)

        let environment = GlobalOptions.environment
        let configuration = MemoryHTTPServer.Configuration(
            host: host ?? environment["MEMORYHUB_HOST"] ?? "127.0.0.1",
            port: try port ?? environment["MEMORYHUB_PORT"].map { try Self.integer($0, "MEMORYHUB_PORT") } ?? 8080,
            bodyLimit: try bodyLimit ?? environment["MEMORYHUB_BODY_LIMIT"].map { try Self.integer($0, "MEMORYHUB_BODY_LIMIT") } ?? 1 << 20)
        let deployment = try options.deployment
        let embedder = try options.embeddingOptions.embedder(logger: logger)
        let services = try MemoryHubServices.open(deployment, embedder: embedder, logger: logger)
        let host = configuration.host
        let database = deployment.isPostgres ? "postgresql" : deployment.sqlitePath
        let cache = services.sessionCache.statistics.backend
        let mcp = MCPHTTPRoute(
            services: services,
            configuration: MCPHTTPConfiguration(
                allowedOrigins: allowedOrigins + Self.list(environment["MEMORYHUB_ALLOWED_ORIGINS"]),
                allowedHosts: allowedHosts + Self.list(environment["MEMORYHUB_ALLOWED_HOSTS"]),
                bodyLimit: configuration.bodyLimit),
            logger: logger)
        let application = MemoryHTTPServer.application(
            services: services, configuration: configuration, metrics: registry, logger: logger,
            additionalRoutes: { router in mcp.register(on: router) },
            beforeServerStarts: { try await services.prepare() },
            onServerRunning: { port in
                logger.notice("memoryhub listening on http://\(host):\(port)", metadata: [
                    "memoryhub.database": "\(database)", "memoryhub.cache": "\(cache)",
                ])
            })
        let group = ServiceGroup(
            configuration: .init(
                services: services.backgroundServices.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                    + [.init(service: application), .init(service: CleanupService(services: services))]
                    + (services.embeddingService.map { [.init(service: $0)] } ?? []),
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func sanitize(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }

    static func integer(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text) else { throw ValidationError("\(name) must be an integer.") }
        return value
    }
}

/// `memoryhub migrate`: creates or upgrades the schema and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await options.withServices { _ in }
        print("The database schema is up to date.")
    }
}
