import HTTPTypes
import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `/api/memory/context`: API.md "Context".
struct ContextRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/context")
        group.post("retrieve", use: retrieve)
        group.post("comprehensive", use: comprehensive)
        group.get("quick/{user_id}", use: quick)
        group.get("stats/{user_id}", use: stats)
        group.post("feedback", use: feedback)
    }

    /// API-more.md "Context feedback": `memory_ids`* (1-200), `effectiveness_score` 0-1 (0.5),
    /// `feedback`, `user_id`*: each of the user's listed memories counts one access; the event is stored.
    @Sendable func feedback(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let userID = try context.caller.requiredUser(naming: try request.namedUser(body: body))
        guard let ids = try body.uuids("memory_ids") else { throw MemoryHubError.invalidField("memory_ids", "memory_ids is required.") }
        let score = try body.double("effectiveness_score") ?? 0.5
        let updated = try await services.memories.recordFeedback(
            userID: userID, memoryIDs: ids, effectivenessScore: score, text: try body.string("feedback"))
        return JSONResponse.make(.object([
            "message": "Feedback recorded", "memories_updated": .int(Int64(updated)), "effectiveness_score": .double(score),
        ]))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let base = ContextRequest(userID: try context.caller.requiredUser(naming: try request.namedUser(body: body)))
        return JSONResponse.make(APIRepresentation.context(try await services.context.retrieve(try ContextRequest(fields: body, base: base))))
    }

    @Sendable func comprehensive(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let base = ContextRequest.comprehensive(userID: try context.caller.requiredUser(naming: try request.namedUser(body: body)))
        return JSONResponse.make(APIRepresentation.context(try await services.context.retrieve(try ContextRequest(fields: body, base: base))))
    }

    @Sendable func quick(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        var retrieval = ContextRequest(userID: try context.pathUser(request))
        retrieval.query = query.string("query")
        if let session = query.string("session_id") {
            guard let id = UUID(uuidString: session) else { throw MemoryHubError.invalidField("session_id", "session_id must be a UUID.") }
            retrieval.sessionID = id
        }
        retrieval.projectID = query.string("project_id")
        retrieval.maxMemories = try query.int("max_memories", default: 10)
        retrieval.maxTokens = try query.int("max_tokens", default: 2000)
        return JSONResponse.make(APIRepresentation.context(try await services.context.retrieve(retrieval)))
    }

    @Sendable func stats(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        let stats = try await services.context.statistics(
            userID: try context.pathUser(request), projectID: query.string("project_id"), days: try query.int("days", default: 7))
        return JSONResponse.make(APIRepresentation.statistics(stats))
    }
}
