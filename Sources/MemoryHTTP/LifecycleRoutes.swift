import HTTPTypes
import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService

/// `/api/memory/lifecycle` (API-more.md "Lifecycle"): KnowledgeHub's session lifecycle paths over
/// the same SessionManager as `/api/memory/session`.
struct LifecycleRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/lifecycle")
        group.post("start", use: start)
        group.post("{id}/end", use: end)
        group.get("{id}/state", use: state)
        group.get("{id}/insights", use: insights)
        group.post("{id}/transition", use: transition)
    }

    /// As `POST /session/start`; also records `context_window` (1-1000, default 50) and `auto_link`
    /// in the session's metadata, as KnowledgeHub does.
    @Sendable func start(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let userID = try context.caller.requiredUser(naming: try request.namedUser(body: body))
        var start = try SessionStartRequest(fields: body, userID: userID)
        let window = try body.int("context_window", in: 1...1000) ?? 50
        start.metadata["context_window"] = .int(Int64(window))
        start.metadata["auto_link"] = .bool(start.autoLink)
        let (session, created) = try await services.sessions.start(start)
        return JSONResponse.make(APIRepresentation.session(session), status: created ? .created : .ok)
    }

    @Sendable func end(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let session = try await services.sessions.end(
            id: try context.uuidParameter("id"), actingUser: try context.actingUser(request, body: body),
            reason: try body.enumeration("reason", EndReason.self) ?? .normal, finalSummary: try body.string("final_summary"))
        return JSONResponse.make(APIRepresentation.session(session))
    }

    @Sendable func state(_ request: Request, context: Context) async throws -> Response {
        let health = try await services.sessions.health(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.sessionHealth(health))
    }

    @Sendable func insights(_ request: Request, context: Context) async throws -> Response {
        let insights = try await services.sessions.insights(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.sessionInsights(insights))
    }

    /// `new_state` in the query (KnowledgeHub) or `state` in the body; `resumed` means `active`.
    @Sendable func transition(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let queried = QueryFields(request).string("new_state")
        let field = queried != nil ? "new_state" : "state"
        guard let text = try queried ?? body.string("state") else {
            throw MemoryHubError.invalidField("new_state", "new_state (query) or state (body) is required.")
        }
        let target: SessionState
        if text == "resumed" {
            target = .active
        } else if let state = SessionState(rawValue: text) {
            target = state
        } else {
            throw MemoryHubError.invalidField(field, "\(field) must be one of: active, paused, ended, archived (or resumed).")
        }
        let moved = try await services.sessions.lifecycleTransition(
            id: try context.uuidParameter("id"), actingUser: try context.actingUser(request, body: body), to: target)
        return JSONResponse.make(APIRepresentation.sessionTransition(moved))
    }
}

/// `/api/memory/linking` (API-more.md "Linking"): suggestions, chain analysis, the full chain, merges.
struct LinkingRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/linking")
        group.post("suggestions", use: suggestions)
        group.get("suggestion/best", use: best)
        group.get("chain/{id}/analysis", use: analysis)
        group.get("chain/{id}/full", use: full)
        group.post("chain/merge", use: merge)
    }

    @Sendable func suggestions(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let userID = try context.caller.requiredUser(naming: try request.namedUser(body: body))
        let found = try await services.sessions.linkSuggestions(
            userID: userID, projectID: try body.string("project_id"), hint: try body.string("context_hint"))
        let items = found.map(APIRepresentation.linkSuggestion)
        return JSONResponse.make(.object([
            "suggestions": .array(items), "total_candidates": .int(Int64(items.count)), "best_suggestion": items.first ?? .null,
        ]))
    }

    @Sendable func best(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        let userID = try context.caller.requiredUser(naming: try request.namedUser())
        guard let best = try await services.sessions.bestLinkSuggestion(
            userID: userID, projectID: query.string("project_id"), hint: query.string("context_hint"))
        else {
            return JSONResponse.make(.object(["has_suggestion": false, "reason": "No suitable session to continue"]))
        }
        guard case .object(var object) = APIRepresentation.linkSuggestion(best) else { return JSONResponse.make(.null) }
        object["has_suggestion"] = true
        object["priority"] = nil
        return JSONResponse.make(.object(object))
    }

    @Sendable func analysis(_ request: Request, context: Context) async throws -> Response {
        let report = try await services.sessions.chainReport(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.chainAnalysis(report))
    }

    @Sendable func full(_ request: Request, context: Context) async throws -> Response {
        let report = try await services.sessions.chainReport(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.fullChain(report))
    }

    @Sendable func merge(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let merged = try await services.sessions.mergeChains(
            primary: try body.requiredUUID("primary_chain_session_id"), secondary: try body.requiredUUID("secondary_chain_session_id"),
            reason: try body.string("merge_reason") ?? "Manual merge requested", actingUser: try context.actingUser(request, body: body))
        return JSONResponse.make(APIRepresentation.chainMerge(merged))
    }
}
