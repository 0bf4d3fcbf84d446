import HTTPTypes
import Hummingbird
import MemoryCore
import MemoryService
import MemoryStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `POST /api/memory/memories/search` and `/api/memory/vector/*`: API.md "Memories" (search) and
/// "Vectors".
struct SearchRoutes<Context: RequestContext> {
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        router.post("api/memory/memories/search", use: search)
        let vector = router.group("api/memory/vector")
        vector.post("search", use: vectorSearch)
        vector.post("similar/{memory_id}", use: similar)
        vector.post("reindex/{session_id}", use: reindex)
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let body = try await BodyFields.read(request, limit: bodyLimit)
        var search = SearchRequest(userID: try Caller.requiredUser(of: request, body: body), query: try body.requiredString("query"))
        search.projectID = try body.string("project_id")
        search.sessionID = try body.uuid("session_id")
        search.memoryTypes = try body.enumerations("memory_types", MemoryType.self) ?? []
        search.minImportance = try body.double("min_importance")
        search.tags = try body.strings("tags") ?? []
        search.limit = try body.int("limit") ?? 10
        search.offset = try body.int("offset") ?? 0
        search.explain = try body.bool("explain") ?? false
        let useVectors = try body.bool("use_vector_search") ?? true
        search.mode = try body.enumeration("mode", SearchMode.self) ?? (useVectors ? .hybrid : .lexical)
        return JSONResponse.make(Self.representation(try await services.search.search(search)))
    }

    /// The `POST /memories/search` response shape.
    static func representation(_ response: SearchResponse) -> JSONValue {
        let now = Timestamp.now()
        return .object([
            "results": .array(response.results.map { result in
                var extra: JSONObject = ["score": .double(rounded(result.score))]
                if let breakdown = result.breakdown { extra["score_breakdown"] = Self.breakdown(breakdown) }
                return APIRepresentation.memory(result.memory, now: now, extra: extra)
            }),
            "total": .int(Int64(response.total)),
            "query": .string(response.query),
            "limit": .int(Int64(response.limit)),
            "offset": .int(Int64(response.offset)),
            "mode": .string(response.mode.rawValue),
            "search_time_ms": .double(milliseconds(response.searchTime)),
        ])
    }

    @Sendable func vectorSearch(_ request: Request, context: Context) async throws -> Response {
        let body = try await BodyFields.read(request, limit: bodyLimit)
        let query = try body.requiredString("query")
        let found = try await services.search.vectorSearch(
            userID: try Caller.requiredUser(of: request, body: body), query: query, limit: try body.int("limit") ?? 10,
            minSimilarity: try body.double("min_similarity") ?? 0.5, sessionID: try body.uuid("session_id"),
            memoryTypes: try body.enumerations("memory_types", MemoryType.self) ?? [])
        return JSONResponse.make(Self.similarity(found, extra: ["query": .string(query)]))
    }

    @Sendable func similar(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("memory_id")
        let body = try await BodyFields.read(request, limit: bodyLimit)
        // The owner acts: a named caller must own the memory (404 otherwise).
        let found = try await services.search.similarMemories(
            to: id, actingUser: try Caller.user(of: request, body: body), limit: try body.int("limit") ?? 10, minSimilarity: try body.double("min_similarity") ?? 0.5)
        return JSONResponse.make(Self.similarity(found, extra: ["memory_id": .string(id.lowercased)]))
    }

    @Sendable func reindex(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("session_id")
        let queued = try await services.memories.reindex(sessionID: id, actingUser: try Caller.user(of: request))
        return JSONResponse.make(
            .object([
                "session_id": .string(id.lowercased), "queued": .int(Int64(queued)),
                "embedder": .string(services.search.embedder == nil ? "not_configured" : "ok"),
            ]),
            status: .accepted)
    }

    static func similarity(_ found: (results: [(memory: Memory, similarity: Double)], total: Int), extra: JSONObject) -> JSONValue {
        let now = Timestamp.now()
        var object: JSONObject = [
            "results": .array(found.results.map { result in
                .object(["memory": APIRepresentation.memory(result.memory, now: now), "similarity": .double(rounded(result.similarity))])
            }),
            "total": .int(Int64(found.total)),
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    static func breakdown(_ breakdown: ScoreBreakdown) -> JSONValue {
        .object([
            "lexical_rank": breakdown.lexicalRank.map { .int(Int64($0)) } ?? .null,
            "lexical_score": breakdown.lexicalScore.map { .double(rounded($0)) } ?? .null,
            "semantic_rank": breakdown.semanticRank.map { .int(Int64($0)) } ?? .null,
            "similarity": breakdown.similarity.map { .double(rounded($0)) } ?? .null,
            "fused": .double(rounded(breakdown.fused)),
            "adjustment": .double(rounded(breakdown.adjustment)),
            "final": .double(rounded(breakdown.final)),
        ])
    }

    static func rounded(_ value: Double) -> Double {
        (value * 1_000_000).rounded() / 1_000_000
    }

    static func milliseconds(_ duration: Duration) -> Double {
        (duration.seconds * 1_000_000).rounded() / 1000
    }
}
