import HTTPTypes
import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService

/// `POST /api/memory/memories/search` and `/api/memory/vector/*`: API.md "Memories" (search) and
/// "Vectors".
struct SearchRoutes {
    typealias Context = MemoryHubRequestContext
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
        let body = try await request.jsonFields(limit: bodyLimit)
        let userID = try context.caller.requiredUser(naming: try request.namedUser(body: body))
        return JSONResponse.make(APIRepresentation.search(try await services.search.search(try SearchRequest(fields: body, userID: userID))))
    }

    @Sendable func vectorSearch(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let query = try body.requiredString("query")
        let found = try await services.search.vectorSearch(
            userID: try context.caller.requiredUser(naming: try request.namedUser(body: body)), query: query,
            limit: try body.int("limit") ?? 10, minSimilarity: try body.double("min_similarity") ?? 0.5,
            sessionID: try body.uuid("session_id"), memoryTypes: try body.enumerations("memory_types", MemoryType.self) ?? [])
        return JSONResponse.make(APIRepresentation.similarity(found, extra: ["query": .string(query)]))
    }

    @Sendable func similar(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("memory_id")
        let body = try await request.jsonFields(limit: bodyLimit)
        // The owner acts: a named caller must own the memory (404 otherwise).
        let found = try await services.search.similarMemories(
            to: id, actingUser: try context.caller.actingUser(naming: try request.namedUser(body: body)),
            limit: try body.int("limit") ?? 10, minSimilarity: try body.double("min_similarity") ?? 0.5)
        return JSONResponse.make(APIRepresentation.similarity(found, extra: ["memory_id": .string(id.lowercased)]))
    }

    @Sendable func reindex(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("session_id")
        let queued = try await services.memories.reindex(sessionID: id, actingUser: try context.actingUser(request))
        return JSONResponse.make(
            .object([
                "session_id": .string(id.lowercased), "queued": .int(Int64(queued)),
                "embedder": .string(services.search.hasEmbedder ? "ok" : "not_configured"),
            ]),
            status: .accepted)
    }
}
