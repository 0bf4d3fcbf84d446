import HTTPTypes
import Hummingbird
import MemoryCore
import MemoryService
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `/api/memory/context`: API.md "Context".
struct ContextRoutes<Context: RequestContext> {
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/context")
        group.post("retrieve", use: retrieve)
        group.post("comprehensive", use: comprehensive)
        group.get("quick/{user_id}", use: quick)
        group.get("stats/{user_id}", use: stats)
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let body = try await BodyFields.read(request, limit: bodyLimit)
        let retrieval = try Self.request(from: body, base: ContextRequest(userID: try Caller.requiredUser(of: request, body: body)))
        return JSONResponse.make(Self.representation(try await services.context.retrieve(retrieval)))
    }

    @Sendable func comprehensive(_ request: Request, context: Context) async throws -> Response {
        let body = try await BodyFields.read(request, limit: bodyLimit)
        let base = ContextRequest.comprehensive(userID: try Caller.requiredUser(of: request, body: body))
        let retrieval = try Self.request(from: body, base: base)
        return JSONResponse.make(Self.representation(try await services.context.retrieve(retrieval)))
    }

    @Sendable func quick(_ request: Request, context: Context) async throws -> Response {
        let userID = try Caller.pathUser(try context.textParameter("user_id"), of: request)
        let query = QueryFields(request)
        var retrieval = ContextRequest(userID: userID)
        retrieval.query = query.string("query")
        if let session = query.string("session_id") {
            guard let id = UUID(uuidString: session) else { throw MemoryHubError.invalidField("session_id", "session_id must be a UUID.") }
            retrieval.sessionID = id
        }
        retrieval.projectID = query.string("project_id")
        retrieval.maxMemories = try query.int("max_memories", default: 10)
        retrieval.maxTokens = try query.int("max_tokens", default: 2000)
        return JSONResponse.make(Self.representation(try await services.context.retrieve(retrieval)))
    }

    @Sendable func stats(_ request: Request, context: Context) async throws -> Response {
        let userID = try Caller.pathUser(try context.textParameter("user_id"), of: request)
        let query = QueryFields(request)
        let stats = try await services.context.statistics(
            userID: userID, projectID: query.string("project_id"), days: try query.int("days", default: 7))
        return JSONResponse.make(Self.representation(stats))
    }

    static func request(from body: BodyFields, base: ContextRequest) throws -> ContextRequest {
        var request = base
        request.sessionID = try body.uuid("session_id")
        request.projectID = try body.string("project_id")
        request.query = try body.string("query")
        if let types = try body.enumerations("context_types", ContextType.self) { request.contextTypes = types }
        request.maxMemories = try body.int("max_memories") ?? request.maxMemories
        request.maxTokens = try body.int("max_tokens") ?? request.maxTokens
        request.minRelevance = try body.double("min_relevance") ?? request.minRelevance
        request.timeWindowHours = try body.double("time_window_hours")
        request.memoryTypes = try body.enumerations("memory_types", MemoryType.self) ?? []
        request.tags = try body.strings("tags") ?? []
        return request
    }

    /// The `/retrieve` response shape.
    static func representation(_ response: ContextResponse) -> JSONValue {
        let now = Timestamp.now()
        return .object([
            "sections": .array(response.sections.map { section in
                .object([
                    "title": .string(section.title),
                    "context_type": .string(section.contextType.rawValue),
                    "memories": .array(section.memories.map { item in
                        APIRepresentation.memory(item.memory, now: now, extra: [
                            "relevance_score": .double(item.relevanceScore),
                            "relevance_reason": .string(item.relevanceReason),
                        ])
                    }),
                    "token_count": .int(Int64(section.tokenCount)),
                    "relevance_score": .double(section.relevanceScore),
                ])
            }),
            "total_memories": .int(Int64(response.totalMemories)),
            "total_tokens": .int(Int64(response.totalTokens)),
            "max_relevance": .double(response.maxRelevance),
            "retrieval_time_ms": .double(SearchRoutes<Context>.milliseconds(response.retrievalTime)),
            "formatted_context": .string(response.formattedContext),
            "context_summary": .string(response.contextSummary),
        ])
    }

    static func representation(_ stats: MemoryStatistics) -> JSONValue {
        let now = Timestamp.now()
        var byType: JSONObject = [:]
        for type in MemoryType.allCases { byType[type.rawValue] = .int(Int64(stats.countsByType[type] ?? 0)) }
        return .object([
            "user_id": .string(stats.userID),
            "project_id": stats.projectID.map(JSONValue.string) ?? .null,
            "days": .int(Int64(stats.days)),
            "total_memories": .int(Int64(stats.totalMemories)),
            "recent_memories": .int(Int64(stats.memoriesInWindow)),
            "memories_by_type": .object(byType),
            "total_sessions": .int(Int64(stats.totalSessions)),
            "active_sessions": .int(Int64(stats.activeSessions)),
            "recent_sessions": .int(Int64(stats.sessionsInWindow)),
            "average_importance": .double(stats.meanImportance),
            "memories_with_embedding": .int(Int64(stats.withEmbedding)),
            "most_accessed": .array(stats.mostAccessed.map { APIRepresentation.memory($0, now: now) }),
        ])
    }
}
