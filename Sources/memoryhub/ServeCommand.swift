import ArgumentParser
import Hummingbird
import Logging
import MemoryHTTP
import MemoryHooks
import MemoryMCP
import MemoryPages
import MemoryService
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization
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

    @Option(help: "Who may call: local (loopback only; X-User-ID is trusted) or required (every route but /health and /ready needs an API key) (env MEMORYHUB_AUTH; default local on loopback).")
    var auth: String?

    @Flag(help: "Serve a non-loopback address without API keys (logs a warning; anyone who can reach it acts as any user).")
    var insecureNoAuth = false

    @Option(help: "Requests per second per API key, 0 for no limit (env MEMORYHUB_RATE_LIMIT; default 50 with --auth required, none in local mode).")
    var rateLimit: Double?

    @Option(help: "Requests an API key may send at once above the rate (env MEMORYHUB_RATE_BURST; default 2 × the rate).")
    var rateBurst: Double?

    @Option(help: "Characters an MCP tool result may hold at most, text plus structured content (env MEMORYHUB_MCP_RESULT_BUDGET; default 60000, about 15,000 tokens).")
    var mcpResultBudget: Int?

    @Option(name: .customLong("allowed-origin"), help: "A browser origin allowed to call /mcp besides loopback ones, e.g. https://app.example.com; repeatable; * allows any (env MEMORYHUB_ALLOWED_ORIGINS, comma-separated).")
    var allowedOrigins: [String] = []

    @Option(name: .customLong("allowed-host"), help: "A Host header value allowed on /mcp besides loopback ones, e.g. memoryhub.internal:8080; repeatable (env MEMORYHUB_ALLOWED_HOSTS, comma-separated).")
    var allowedHosts: [String] = []

    @Option(help: "The key that signs the web pages' sign-in cookies, at least 32 characters; give every replica the same one (env MEMORYHUB_PAGES_SECRET; default a random one per process, so a restart signs everyone out).")
    var pagesSecret: String?

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
        var configuration = MemoryHTTPServer.Configuration(
            host: host ?? environment["MEMORYHUB_HOST"] ?? "127.0.0.1",
            port: try port ?? environment["MEMORYHUB_PORT"].map { try Self.integer($0, "MEMORYHUB_PORT") } ?? 8080,
            bodyLimit: try bodyLimit ?? environment["MEMORYHUB_BODY_LIMIT"].map { try Self.integer($0, "MEMORYHUB_BODY_LIMIT") } ?? 1 << 20)
        configuration.allowedHosts = allowedHosts + Self.list(environment["MEMORYHUB_ALLOWED_HOSTS"])
        configuration.allowedOrigins = allowedOrigins + Self.list(environment["MEMORYHUB_ALLOWED_ORIGINS"])
        configuration.auth = try Self.authMode(auth ?? environment["MEMORYHUB_AUTH"], host: configuration.host, insecure: insecureNoAuth, logger: logger)
        let rate = try rateLimit ?? environment["MEMORYHUB_RATE_LIMIT"].map { try Self.number($0, "MEMORYHUB_RATE_LIMIT") }
            ?? (configuration.auth == .required ? 50 : 0)
        if rate > 0 {
            let burst = try rateBurst ?? environment["MEMORYHUB_RATE_BURST"].map { try Self.number($0, "MEMORYHUB_RATE_BURST") } ?? rate * 2
            configuration.rateLimit = .init(perSecond: rate, burst: burst)
        }
        let deployment = try options.deployment
        let embedder = try options.embeddingOptions.embedder(logger: logger)
        let services = try MemoryHubServices.open(deployment, embedder: embedder, logger: logger)
        let host = configuration.host
        let database = deployment.isPostgres ? "postgresql" : deployment.sqlitePath
        let cache = services.cacheBackend
        var mcpConfiguration = MCPHTTPConfiguration(
            allowedOrigins: allowedOrigins + Self.list(environment["MEMORYHUB_ALLOWED_ORIGINS"]),
            allowedHosts: allowedHosts + Self.list(environment["MEMORYHUB_ALLOWED_HOSTS"]),
            bodyLimit: configuration.bodyLimit)
        if let budget = try mcpResultBudget ?? environment["MEMORYHUB_MCP_RESULT_BUDGET"].map({ try Self.integer($0, "MEMORYHUB_MCP_RESULT_BUDGET") }) {
            mcpConfiguration.resultBudget = ResultBudget(maximumCharacters: budget)
        }
        let mcp = MCPHTTPRoute(services: services, configuration: mcpConfiguration, logger: logger)
        // Claude Code hooks ask this server instead of opening the database themselves.
        let hooks = HookHTTPRoute(
            services: services, configuration: HookHTTPConfiguration(lockFolder: HookCommand.defaultFolder + "/locks"), logger: logger)
        // On SQLite, hooks find this server through a file next to the database (written once the
        // port is open, removed on a clean shutdown).
        let runtimePath = deployment.isPostgres ? nil : ServeRuntimeFile.path(forDatabase: deployment.sqlitePath)
        let runtime = RuntimeFileHolder()
        let secret = pagesSecret ?? environment["MEMORYHUB_PAGES_SECRET"]
        if let secret, secret.count < 32 { throw ValidationError("--pages-secret (MEMORYHUB_PAGES_SECRET) must be at least 32 characters long.") }
        // The web pages need their resource bundle beside the program; a copy without it serves the API alone.
        var pages: WebPages<MemoryHubRequestContext>?
        do {
            pages = try await WebPages<MemoryHubRequestContext>(
                services: services,
                configuration: PagesConfiguration(
                    signIn: configuration.auth == .required ? .apiKey : .chooseUser, secret: secret.map { Array($0.utf8) },
                    bodyLimit: configuration.bodyLimit, metricsText: { String(decoding: registry.emitToBuffer(), as: UTF8.self) },
                    limiter: configuration.limiter),
                logger: logger)
        } catch {
            logger.warning("the web pages are off: \(error)")
        }
        let application = MemoryHTTPServer.application(
            services: services, configuration: configuration, metrics: registry, logger: logger, beforeAuthentication: pages.map { [$0] } ?? [],
            additionalRoutes: { router in
                mcp.register(on: router)
                hooks.register(on: router)
            },
            beforeServerStarts: { try await services.prepare() },
            onServerRunning: { [auth = configuration.auth, adminKey = deployment.adminKey] port in
                let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
                if auth == .required, adminKey == nil, (try? await services.keys.list(userID: nil).isEmpty) == true {
                    logger.warning("--auth required, but no API key exists and MEMORYHUB_ADMIN_KEY is not set: nobody can call; create one with memoryhub keys create")
                }
                if let runtimePath {
                    let file = ServeRuntimeFile(url: ServeRuntimeFile.url(host: host, port: port), port: port, pid: getpid(), auth: auth.rawValue)
                    do {
                        try file.save(toPath: runtimePath)
                        runtime.set(file)
                    } catch {
                        logger.warning("hooks will not find this server: \(error)", metadata: ["memoryhub.path": "\(runtimePath)"])
                    }
                }
                logger.notice("memoryhub listening on http://\(shownHost):\(port)", metadata: [
                    "memoryhub.database": "\(database)", "memoryhub.cache": "\(cache)", "memoryhub.auth": "\(auth.rawValue)",
                ])
            })
        let group = ServiceGroup(
            configuration: .init(
                services: services.backgroundServices.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                    + [.init(service: application), .init(service: CleanupService(services: services))]
                    + [.init(service: PersistentContextMaintenanceService(services: services, logger: logger))]
                    + (pages.map { [.init(service: $0.sampler)] } ?? [])
                    + (services.embeddingService.map { [.init(service: $0)] } ?? []),
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        defer { if let runtimePath { runtime.file?.remove(atPath: runtimePath) } }
        try await group.run()
    }

    /// The runtime file this server wrote, once it has, for removal at shutdown.
    final class RuntimeFileHolder: Sendable {
        private let written = Mutex<ServeRuntimeFile?>(nil)

        var file: ServeRuntimeFile? { written.withLock { $0 } }

        func set(_ file: ServeRuntimeFile) { written.withLock { $0 = file } }
    }

    /// The auth mode: as asked, else `local` on a loopback address. `local` on any other address
    /// is refused unless `insecure` (which logs a warning).
    static func authMode(_ text: String?, host: String, insecure: Bool, logger: Logger) throws -> MemoryHTTPServer.AuthMode {
        let mode: MemoryHTTPServer.AuthMode
        if let text {
            guard let parsed = MemoryHTTPServer.AuthMode(rawValue: text.lowercased()) else {
                throw ValidationError("--auth (MEMORYHUB_AUTH) must be local or required, not '\(text)'.")
            }
            mode = parsed
        } else {
            mode = .local
        }
        if mode == .local && !MemoryHTTPServer.isLoopback(host: host) {
            guard insecure else {
                throw Refusal(
                    "Serving \(host) without API keys would let anyone who reaches it act as any user: pass --auth required (and create keys with memoryhub keys create, or set MEMORYHUB_ADMIN_KEY), or --insecure-no-auth.")
            }
            logger.warning("serving a non-loopback address without API keys (--insecure-no-auth): anyone who can reach it acts as any user", metadata: ["memoryhub.host": "\(host)"])
        }
        return mode
    }

    /// A reason not to start, printed without the usage text (the command line was fine).
    struct Refusal: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func number(_ text: String, _ name: String) throws -> Double {
        guard let value = Double(text), value.isFinite, value >= 0 else { throw ValidationError("\(name) must be a number ≥ 0.") }
        return value
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
