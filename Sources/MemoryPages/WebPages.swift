package import Hummingbird
package import Logging
package import MemoryService

/// The web pages at `/`: sessions, a session, a memory, search, context preview, status and keys,
/// rendered on the server from the module's Mustache templates.
///
/// A middleware placed before the API's key check: it answers the pages' own paths (`/`,
/// `/sign-in`, `/sign-out`, `/sessions…`, `/memories…`, `/search`, `/context`, `/status`,
/// `/keys…`, `/static/…`) and passes every other request on. A person signs in with an API key
/// (or, in `local` mode, by naming a user) and gets a signed, HttpOnly, SameSite=Strict cookie;
/// every page acts as that user through the same services, scoped the same way, as the REST API.
package struct WebPages<Context: RequestContext>: RouterMiddleware {
    private let responder: RouterResponder<Context>
    private let site: PageSite
    /// Reads the request counters every 10 s for the status page's chart: add it to the
    /// server's ServiceGroup.
    package let sampler: RequestRateSampler

    /// Loads the templates and builds the pages' router. Throws when the templates are missing
    /// (a program copied without its resource bundle) or do not parse.
    package init(services: MemoryHubServices, configuration: PagesConfiguration, logger: Logger) async throws {
        let gate = PageGate(signer: PageSessionSigner(secret: configuration.secret), keys: services.keys, configuration: configuration)
        site = PageSite(
            services: services, configuration: configuration, renderer: try await PageRenderer(folder: configuration.resources), gate: gate, rates: RequestRateHistory(),
            logger: logger)
        sampler = RequestRateSampler(
            history: site.rates, metricsText: configuration.metricsText, backlog: { services.embeddingService?.pending }, interval: .seconds(10))
        let router = Router(context: Context.self)
        site.register(on: router)
        responder = router.buildResponder()
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.owns(request.uri.path) else { return try await next(request, context) }
        do {
            return try await responder.respond(to: request, context: context)
        } catch {
            return site.errorPage(error, visitor: try? await site.gate.visitor(request))
        }
    }

    /// Whether `path` is one of the pages'.
    static func owns(_ path: String) -> Bool {
        if path == "/" { return true }
        let first = path.dropFirst().prefix { $0 != "/" }
        return ["sign-in", "sign-out", "sessions", "memories", "search", "context", "status", "keys", "static"].contains(first)
    }
}
