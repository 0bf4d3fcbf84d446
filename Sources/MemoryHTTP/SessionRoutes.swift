import HTTPTypes
import Hummingbird
import MemoryCore
import MemoryService
import MemoryStore

/// `/api/memory/session`: API.md "Sessions".
struct SessionRoutes<Context: RequestContext> {
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
        let body = try await BodyFields.read(request, limit: bodyLimit)
        let userID = try body.requiredString("user_id")
        if let acting = try Caller.user(of: request), acting != userID {
            throw MemoryHubError.forbidden("user_id does not match the user this request acts for.")
        }
        let (session, created) = try await services.sessions.start(
            SessionStartRequest(
                userID: userID,
                projectID: try body.string("project_id"),
                metadata: try body.jsonObject("metadata") ?? [:],
                tags: try body.strings("tags") ?? [],
                parentSessionID: try body.uuid("parent_session_id"),
                clientSessionID: try body.string("client_session_id"),
                autoLink: try body.bool("auto_link") ?? true))
        return JSONResponse.make(APIRepresentation.session(session), status: created ? .created : .ok)
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let session = try await services.sessions.session(id: try context.uuidParameter("id"), actingUser: try Caller.user(of: request))
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        let body = try await BodyFields.read(request, limit: bodyLimit)
        let session = try await services.sessions.update(
            id: id, actingUser: try Caller.user(of: request),
            metadata: try body.jsonObject("metadata") ?? [:],
            tags: try body.strings("tags") ?? [],
            endedAt: try body.timestamp("ended_at"))
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        try await services.sessions.delete(id: try context.uuidParameter("id"), actingUser: try Caller.user(of: request))
        return Response(status: .noContent)
    }

    @Sendable func end(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        let body = try await BodyFields.read(request, limit: bodyLimit)
        let session = try await services.sessions.end(
            id: id, actingUser: try Caller.user(of: request),
            reason: try body.enumeration("reason", EndReason.self) ?? .normal,
            finalSummary: try body.string("final_summary"))
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func transition(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        let body = try await BodyFields.read(request, limit: bodyLimit)
        guard let state = try body.enumeration("state", SessionState.self) else {
            throw MemoryHubError.invalidField("state", "state is required.")
        }
        let session = try await services.sessions.transition(id: id, actingUser: try Caller.user(of: request), to: state)
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func listForUser(_ request: Request, context: Context) async throws -> Response {
        let userID = try context.textParameter("user_id")
        if let acting = try Caller.user(of: request, queryUser: false), acting != userID {
            throw MemoryHubError.forbidden("The path's user does not match the user this request acts for.")
        }
        let query = QueryFields(request)
        let page = try await services.sessions.list(
            userID: userID, projectID: query.string("project_id"),
            activeOnly: try query.bool("active_only", default: false),
            limit: try query.int("limit", default: 10), offset: try query.int("offset", default: 0))
        return JSONResponse.list(page.items.map(APIRepresentation.session), total: page.total)
    }

    @Sendable func active(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        guard let userID = try Caller.user(of: request) else {
            throw MemoryHubError.invalidField("user_id", "user_id is required.")
        }
        let sessions = try await services.sessions.active(userID: userID, projectID: query.string("project_id"))
        return JSONResponse.list(sessions.map(APIRepresentation.session), total: sessions.count)
    }

    @Sendable func chain(_ request: Request, context: Context) async throws -> Response {
        let chain = try await services.sessions.chain(id: try context.uuidParameter("id"), actingUser: try Caller.user(of: request))
        return JSONResponse.make(.array(chain.map(APIRepresentation.session)))
    }

    @Sendable func context(_ request: Request, context: Context) async throws -> Response {
        let summary = try await services.sessions.context(id: try context.uuidParameter("id"), actingUser: try Caller.user(of: request))
        return JSONResponse.make(APIRepresentation.sessionContext(summary, now: .now()))
    }

    @Sendable func cleanup(_ request: Request, context: Context) async throws -> Response {
        let body = try await BodyFields.read(request, limit: bodyLimit)
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

/// Who a request acts for. Until API keys exist (DESIGN.md "What comes after"), a caller names
/// its user in the `X-User-ID` header or the `user_id` query parameter; a request that names
/// nobody acts for the owner of the ids it names.
package enum Caller {
    package static func user(of request: Request, queryUser: Bool = true) throws -> String? {
        let header = request.headers[.userID]
        let query = queryUser ? request.uri.queryParameters.get("user_id") : nil
        if let header, let query, header != query {
            throw MemoryHubError.forbidden("The X-User-ID header and the user_id parameter name different users.")
        }
        return try checked(header ?? query)
    }

    /// A named user must be a valid identifier (no control characters: a user id cut at U+0000
    /// must never act as the user it starts like); 422 naming `user_id` otherwise.
    private static func checked(_ user: String?) throws -> String? {
        try user.map { try Validation.identifier($0, field: "user_id") }
    }

    /// The caller of a request that names its user in the body (`user_id`): the header, the
    /// query and the body must agree; one of them is required.
    static func requiredUser(of request: Request, body: BodyFields) throws -> String {
        guard let user = try self.user(of: request, body: body) else {
            throw MemoryHubError.invalidField("user_id", "user_id is required.")
        }
        return user
    }

    /// As `user(of:)`, with the body's `user_id` as a third source.
    static func user(of request: Request, body: BodyFields) throws -> String? {
        let caller = try user(of: request)
        let named = try checked(try body.string("user_id"))
        if let caller, let named, caller != named {
            throw MemoryHubError.forbidden("The caller and the body's user_id name different users.")
        }
        return caller ?? named
    }

    /// A user named in the path: a header naming another user is refused.
    static func pathUser(_ pathUser: String, of request: Request) throws -> String {
        _ = try checked(pathUser)
        if let header = request.headers[.userID], header != pathUser {
            throw MemoryHubError.forbidden("The X-User-ID header and the path name different users.")
        }
        return pathUser
    }
}
