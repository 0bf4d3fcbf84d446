import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService

/// `/api/memory/compression`: API-more.md "Compression". Every route but `strategies` acts for
/// the owner of the session it names (another user's session is a 404).
struct CompressionRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/compression")
        group.post("compress", use: compress)
        group.post("compress/preview", use: preview)
        group.get("stats/{session_id}", use: stats)
        group.delete("cache/{session_id}", use: clearCache)
        group.get("strategies", use: strategies)
    }

    @Sendable func compress(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let compression = try CompressionRequest(fields: body)
        let compressed = try await services.compression.compress(compression, actingUser: try context.actingUser(request, body: body))
        return JSONResponse.make(APIRepresentation.compression(compressed, sessionID: compression.sessionID))
    }

    @Sendable func preview(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let compression = try CompressionRequest(fields: body)
        let compressed = try await services.compression.preview(compression, actingUser: try context.actingUser(request, body: body))
        return JSONResponse.make(APIRepresentation.compressionPreview(compressed))
    }

    @Sendable func stats(_ request: Request, context: Context) async throws -> Response {
        let sessionID = try context.uuidParameter("session_id")
        let estimate = try await services.compression.estimate(sessionID: sessionID, actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.compressionEstimate(estimate, sessionID: sessionID))
    }

    /// With `strategy`, `level` and `target_tokens` in the query, the one entry they name; with
    /// none of them, every entry of the session; some but not all is a 422 naming the first missing.
    @Sendable func clearCache(_ request: Request, context: Context) async throws -> Response {
        let sessionID = try context.uuidParameter("session_id")
        let actingUser = try context.actingUser(request)
        let query = QueryFields(request)
        let names = ["strategy", "level", "target_tokens"]
        let given = names.filter { query.string($0) != nil }
        if given.isEmpty {
            let cleared = try await services.compression.clearCache(sessionID: sessionID, actingUser: actingUser)
            return JSONResponse.make(APIRepresentation.compressionCacheCleared(cleared, oneEntry: false))
        }
        if let missing = names.first(where: { !given.contains($0) }) {
            throw MemoryHubError.invalidField(
                missing, "strategy, level and target_tokens name one cache entry together: give all three, or none to clear every entry.")
        }
        let entry = CompressionRequest(
            sessionID: sessionID, targetTokens: try query.int("target_tokens", default: 0),
            strategy: try query.enumeration("strategy", CompressionStrategy.self) ?? .hybrid,
            level: try query.enumeration("level", CompressionLevel.self) ?? .moderate)
        let cleared = try await services.compression.clearCacheEntry(entry, actingUser: actingUser)
        return JSONResponse.make(APIRepresentation.compressionCacheCleared(cleared ? 1 : 0, oneEntry: true))
    }

    @Sendable func strategies(_ request: Request, context: Context) async throws -> Response {
        JSONResponse.make(APIRepresentation.compressionStrategies)
    }
}
