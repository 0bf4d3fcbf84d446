package import Hummingbird
package import Logging
package import MemoryService
package import Prometheus
package import MemoryAPI
import MemoryCore

/// The HTTP interface: every route of API.md on Hummingbird, the JSON error format, request
/// metrics, `/health`, `/ready`, `/metrics`.
package enum MemoryHTTPServer {
    /// Whether requests need an API key (API.md "Access").
    package enum AuthMode: String, Sendable, CaseIterable {
        /// One person on loopback: `X-User-ID` is trusted; a presented key is still checked.
        case local
        /// Every route but `/health` and `/ready` needs a key.
        case required
    }

    /// A per-key request budget: a token bucket of `burst` tokens refilled at `perSecond`.
    package struct RateLimit: Sendable {
        package var perSecond: Double
        package var burst: Double

        /// `perSecond` requests per second on average, `burst` at once.
        package init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    package struct Configuration: Sendable {
        package var host: String = "127.0.0.1"
        package var port: Int = 8080
        /// Request bodies larger than this are refused with 413 before they are read whole.
        package var bodyLimit: Int = 1 << 20
        /// Import bodies (`POST /api/memory/admin/import`) larger than this are refused with 413.
        package var importLimit: Int = 4 << 30
        /// Whether requests need an API key.
        package var auth: AuthMode = .local
        /// Requests per key; nil for no limit.
        package var rateLimit: RateLimit? {
            didSet { limiter = rateLimit.map { RateLimiter(rate: $0.perSecond, burst: $0.burst) } }
        }
        /// The one limiter of `rateLimit`, shared by the API and the web pages (a key's pages and
        /// its API calls draw from one bucket).
        package private(set) var limiter: RateLimiter?
        /// Host header values allowed in `local` mode besides loopback ones.
        package var allowedHosts: [String] = []
        /// Browser origins allowed in `local` mode besides loopback ones; `*` allows any.
        package var allowedOrigins: [String] = []

        /// The defaults above, with any value given here instead.
        package init(host: String? = nil, port: Int? = nil, bodyLimit: Int? = nil, auth: AuthMode? = nil, rateLimit: RateLimit? = nil) {
            if let host { self.host = host }
            if let port { self.port = port }
            if let bodyLimit { self.bodyLimit = bodyLimit }
            if let auth { self.auth = auth }
            self.rateLimit = rateLimit
            self.limiter = rateLimit.map { RateLimiter(rate: $0.perSecond, burst: $0.burst) }
        }
    }

    /// The router with every route. `metrics` is the registry `/metrics` renders; nil leaves the
    /// route out (for processes that did not bootstrap Prometheus). `additionalRoutes` lets the
    /// executable mount interfaces this module does not know, such as MCP at `/mcp`, behind the
    /// same error and metrics middleware. `beforeAuthentication` runs after the local-mode origin
    /// check and before the API key check, for interfaces that sign people in their own way (the
    /// web pages' cookie).
    package static func router(
        services: MemoryHubServices, configuration: Configuration, metrics: PrometheusCollectorRegistry?,
        beforeAuthentication: [any MiddlewareProtocol<Request, Response, MemoryHubRequestContext>] = [],
        additionalRoutes: (Router<MemoryHubRequestContext>) -> Void = { _ in }
    ) -> Router<MemoryHubRequestContext> {
        let router = Router(context: MemoryHubRequestContext.self)
        router.add(middleware: UnreadBodyMiddleware(drainLimit: max(64 << 20, configuration.bodyLimit * 4)))
        // Metrics outside the error middleware, so a thrown 404 or 422 is counted with its status, not as 500.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        if configuration.auth == .local {
            router.add(middleware: LocalOriginMiddleware(
                allowedHosts: Set(configuration.allowedHosts), allowedOrigins: Set(configuration.allowedOrigins)))
        }
        for middleware in beforeAuthentication { router.add(middleware: middleware) }
        router.add(middleware: AuthenticationMiddleware(
            keys: services.keys, mode: configuration.auth,
            limiter: configuration.limiter))
        SessionRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        MemoryRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        SearchRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        ContextRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        PersistentContextRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        CaptureRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        KeyRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        TransferRoutes(services: services, importLimit: configuration.importLimit).register(on: router)
        CompressionRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        LifecycleRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        LinkingRoutes(services: services, bodyLimit: configuration.bodyLimit).register(on: router)
        CleanupRoutes(services: services).register(on: router)
        OperationsRoutes(services: services, metrics: metrics).register(on: router)
        additionalRoutes(router)
        return router
    }

    /// The HTTP server as a Service, ready to join a ServiceGroup. `beforeServerStarts` runs
    /// before the port opens (migrations); `onServerRunning` gets the port it listens on.
    package static func application(
        services: MemoryHubServices, configuration: Configuration, metrics: PrometheusCollectorRegistry?, logger: Logger,
        beforeAuthentication: [any MiddlewareProtocol<Request, Response, MemoryHubRequestContext>] = [],
        additionalRoutes: (Router<MemoryHubRequestContext>) -> Void = { _ in },
        beforeServerStarts: @escaping @Sendable () async throws -> Void = {},
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var application = Application(
            router: router(
                services: services, configuration: configuration, metrics: metrics, beforeAuthentication: beforeAuthentication,
                additionalRoutes: additionalRoutes),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "memoryhub"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        application.beforeServerStarts(perform: beforeServerStarts)
        return application
    }
}

/// `/health`, `/ready`, `/metrics`, `/api/memory/admin/cache/stats`.
struct OperationsRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let metrics: PrometheusCollectorRegistry?

    func register(on router: Router<Context>) {
        router.get("health") { _, _ in JSONResponse.make(.object(["status": "ok"])) }
        router.get("ready", use: ready)
        // API-more.md's proposal: the per-router health paths answer as aliases of /ready.
        for name in ["text", "entities", "facts", "importance", "linking", "lifecycle"] {
            router.get("api/memory/\(name)/health") { _, _ in
                let ready = await services.readiness().isReady
                return JSONResponse.make(
                    ["status": .string(ready ? "healthy" : "unavailable"), "service": .string(name)],
                    status: ready ? .ok : .serviceUnavailable)
            }
        }
        router.get("api/memory/admin/cache/stats", use: cacheStats)
        if let metrics {
            // Counters of every user's traffic: admin callers (and local mode) only.
            router.get("metrics") { _, context in
                try context.caller.requireAdmin()
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
            }
        }
    }

    @Sendable func ready(_ request: Request, context: Context) async throws -> Response {
        let readiness = await services.readiness()
        return JSONResponse.make(APIRepresentation.readiness(readiness), status: readiness.isReady ? .ok : .serviceUnavailable)
    }

    /// Every cache's counters: an admin route.
    @Sendable func cacheStats(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        return JSONResponse.make(APIRepresentation.cacheStatistics(services.cacheStatistics))
    }
}
