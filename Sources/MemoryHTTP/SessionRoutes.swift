import HTTPTypes
import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService

/// `/api/memory/session`: API.md "Sessions".
struct SessionRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/session")
        group.post("start", use: start)
        group.get("active", use: active)
        group.get("user/{user_id}", use: listForUser)
        group.post("cleanup", use: cleanup)
        group.get("{id}", use: get)
        group.patch("{id}", use: update)
        group.delete("{id}", use: delete)
        group.post("{id}/end", use: end)
        group.post("{id}/transition", use: transition)
        group.get("{id}/chain", use: chain)
        group.get("{id}/context", use: context)
    }

    @Sendable func start(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let userID = try context.caller.requiredUser(naming: try request.namedUser(body: body))
        let (session, created) = try await services.sessions.start(try SessionStartRequest(fields: body, userID: userID))
        return JSONResponse.make(APIRepresentation.session(session), status: created ? .created : .ok)
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let session = try await services.sessions.session(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        let body = try await request.jsonFields(limit: bodyLimit)
        let session = try await services.sessions.update(
            id: id, actingUser: try context.actingUser(request, body: body),
            metadata: try body.object("metadata") ?? [:],
            tags: try body.strings("tags") ?? [],
            endedAt: try body.timestamp("ended_at"))
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        try await services.sessions.delete(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return Response(status: .noContent)
    }

    @Sendable func end(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        let body = try await request.jsonFields(limit: bodyLimit)
        let session = try await services.sessions.end(
            id: id, actingUser: try context.actingUser(request, body: body),
            reason: try body.enumeration("reason", EndReason.self) ?? .normal,
            finalSummary: try body.string("final_summary"))
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func transition(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        let body = try await request.jsonFields(limit: bodyLimit)
        guard let state = try body.enumeration("state", SessionState.self) else {
            throw MemoryHubError.invalidField("state", "state is required.")
        }
        let session = try await services.sessions.transition(id: id, actingUser: try context.actingUser(request, body: body), to: state)
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func listForUser(_ request: Request, context: Context) async throws -> Response {
        let userID = try context.pathUser(request)
        let query = QueryFields(request)
        let page = try await services.sessions.list(
            userID: userID, projectID: query.string("project_id"),
            activeOnly: try query.bool("active_only", default: false),
            limit: try query.int("limit", default: 10), offset: try query.int("offset", default: 0))
        return JSONResponse.list(page.items.map(APIRepresentation.session), total: page.total)
    }

    @Sendable func active(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        let userID = try context.caller.requiredUser(naming: try request.namedUser())
        let sessions = try await services.sessions.active(userID: userID, projectID: query.string("project_id"))
        return JSONResponse.list(sessions.map(APIRepresentation.session), total: sessions.count)
    }

    @Sendable func chain(_ request: Request, context: Context) async throws -> Response {
        let chain = try await services.sessions.chain(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(.array(chain.map(APIRepresentation.session)))
    }

    @Sendable func context(_ request: Request, context: Context) async throws -> Response {
        let summary = try await services.sessions.context(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.sessionContext(summary, now: .now()))
    }

    /// Cleans up every user's sessions: an admin route.
    @Sendable func cleanup(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        let body = try await request.jsonFields(limit: bodyLimit)
        let hours = try body.double("hours") ?? QueryFields(request).double("hours") ?? 24
        guard hours > 0, hours <= 24 * 365 * 10 else {
            throw MemoryHubError.invalidField("hours", "hours must be greater than 0 and at most 87600.")
        }
        let result = try await services.sessions.cleanup(staleAfter: .seconds(hours * 3600))
        return JSONResponse.make(.object([
            "message": .string("Closed \(result.closed) stale session(s) and archived \(result.archived) old session(s)."),
            "closed_count": .int(Int64(result.closed)),
            "archived_count": .int(Int64(result.archived)),
        ]))
    }
}
