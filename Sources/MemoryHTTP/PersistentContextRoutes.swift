import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

/// `/api/memory/persistent/context`: API-more.md "Persistent context". Items are private to their
/// user: `user` routes act for the named user (a user key only for itself), the `vectors/{id}`
/// routes for the item's owner (another user's item is a 404), and analytics, decay, cleanup and
/// health without a user act across users, for admins only.
struct PersistentContextRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/persistent/context")
        group.post("", use: store)
        group.post("query", use: query)
        group.get("summary", use: summary)
        group.get("analytics", use: analytics)
        group.post("decay", use: decay)
        group.post("cleanup", use: cleanup)
        group.get("types", use: types)
        group.get("scopes", use: scopes)
        group.get("health", use: health)
        group.get("search", use: search)
        group.get("clusters", use: clusters)
        group.get("vectors/{id}", use: vector)
        group.delete("vectors/{id}", use: deleteVector)
    }

    private var context: PersistentContextService { services.persistentContext }

    @Sendable func store(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let userID = try context.caller.requiredUser(naming: try request.namedUser(body: body))
        let item = try await self.context.store(try NewContextItem(fields: body, userID: userID))
        return JSONResponse.make(APIRepresentation.contextItemStored(item))
    }

    @Sendable func query(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let userID = try context.caller.requiredUser(naming: try request.namedUser(body: body))
        let items = try await self.context.query(try ContextQuery(fields: body, userID: userID))
        return JSONResponse.make(.array(items.map(APIRepresentation.contextItem)))
    }

    @Sendable func summary(_ request: Request, context: Context) async throws -> Response {
        let userID = try context.caller.requiredUser(naming: try request.namedUser())
        let query = QueryFields(request)
        let projectID = try Validation.optionalIdentifier(query.string("project_id"), field: "project_id")
        let summary = try await self.context.summary(userID: userID, sessionID: try Self.uuid(query, "session_id"), projectID: projectID)
        return JSONResponse.make(APIRepresentation.contextSummary(summary))
    }

    @Sendable func analytics(_ request: Request, context: Context) async throws -> Response {
        let analytics = try await self.context.analytics(userID: try Self.userOrAdmin(request, context: context))
        return JSONResponse.make(APIRepresentation.contextAnalytics(analytics))
    }

    @Sendable func decay(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let now = Timestamp.now()
        let decayed = try await self.context.decay(userID: try Self.userOrAdmin(request, body: body, context: context), at: now)
        return JSONResponse.make(APIRepresentation.contextMaintenance("Context decay applied", key: "decayed", count: decayed, now: now))
    }

    /// `max_age_days` 1-365 (90), in the body or the query.
    @Sendable func cleanup(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let userID = try Self.userOrAdmin(request, body: body, context: context)
        let days = try body.int("max_age_days") ?? QueryFields(request).int("max_age_days", default: 90)
        guard (1...365).contains(days) else { throw MemoryHubError.invalidField("max_age_days", "max_age_days must be between 1 and 365.") }
        let now = Timestamp.now()
        let removed = try await self.context.cleanup(userID: userID, maxAgeDays: days, at: now)
        return JSONResponse.make(APIRepresentation.contextMaintenance("Context cleanup completed", key: "removed", count: removed, now: now))
    }

    @Sendable func types(_ request: Request, context: Context) async throws -> Response {
        JSONResponse.make(APIRepresentation.contextItemTypes)
    }

    @Sendable func scopes(_ request: Request, context: Context) async throws -> Response {
        JSONResponse.make(APIRepresentation.contextItemScopes)
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        let health = try await self.context.health(userID: try Self.userOrAdmin(request, context: context))
        return JSONResponse.make(APIRepresentation.contextHealth(health, now: .now()))
    }

    /// `q`*, `type`, `scope`, `limit` 1-50 (10).
    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let userID = try context.caller.requiredUser(naming: try request.namedUser())
        let fields = QueryFields(request)
        let limit = try fields.int("limit", default: 10)
        guard (1...50).contains(limit) else { throw MemoryHubError.invalidField("limit", "limit must be between 1 and 50.") }
        let search = ContextQuery(
            userID: userID, text: try fields.requiredString("q"), contextType: try fields.enumeration("type", ContextItemType.self),
            scope: try fields.enumeration("scope", ContextItemScope.self), limit: limit, textField: "q")
        try search.checkText()
        let items = try await self.context.query(search)
        return JSONResponse.make(APIRepresentation.contextSearch(items, query: search.text, now: .now()))
    }

    @Sendable func clusters(_ request: Request, context: Context) async throws -> Response {
        let userID = try context.caller.requiredUser(naming: try request.namedUser())
        let clusters = try await self.context.clusters(userID: userID)
        return JSONResponse.make(APIRepresentation.contextClusters(clusters, now: .now()))
    }

    @Sendable func vector(_ request: Request, context: Context) async throws -> Response {
        let detail = try await self.context.item(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.contextItemDetail(detail, now: .now()))
    }

    @Sendable func deleteVector(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        try await self.context.delete(id: id, actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.contextItemDeleted(id, now: .now()))
    }

    /// The user the request names (a user key: its own); without one, nil ("every user") for
    /// admins, 403 for anyone else.
    static func userOrAdmin(_ request: Request, body: JSONFields? = nil, context: Context) throws -> String? {
        if let user = try context.caller.actingUser(naming: try request.namedUser(body: body)) { return user }
        try context.caller.requireAdmin()
        return nil
    }

    static func uuid(_ query: QueryFields, _ field: String) throws -> UUID? {
        guard let text = query.string(field) else { return nil }
        guard let id = UUID(uuidString: text) else { throw MemoryHubError.invalidField(field, "\(field) must be a UUID.") }
        return id
    }
}
