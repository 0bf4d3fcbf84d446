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

/// The capture routes of API-more.md: `/api/memory/text`, `/entities`, `/facts` and
/// `/importance`. Each is a thin adapter over MemoryAPI's capture functions (pure computation on
/// the request), except process-conversation, which names a session of the caller.
struct CaptureRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let text = router.group("api/memory/text")
        text.post("chunk") { request, _ in JSONResponse.make(try TextAPI.chunk(try await request.jsonFields(limit: bodyLimit))) }
        text.post("process-conversation", use: processConversation)
        text.get("chunk-types") { _, _ in JSONResponse.make(TextAPI.chunkTypes()) }
        text.post("analyze-text") { request, _ in JSONResponse.make(try TextAPI.analyze(text: try await queryOrBodyText(request))) }
        text.post("preview-chunks") { request, _ in JSONResponse.make(try TextAPI.preview(try await request.jsonFields(limit: bodyLimit))) }

        let entities = router.group("api/memory/entities")
        entities.post("extract") { request, _ in JSONResponse.make(try EntitiesAPI.extract(try await request.jsonFields(limit: bodyLimit))) }
        entities.post("enrich-chunks") { request, _ in
            JSONResponse.make(try EntitiesAPI.enrichChunks(try await request.jsonFields(limit: bodyLimit)))
        }
        entities.get("entity-types") { _, _ in JSONResponse.make(EntitiesAPI.entityTypes()) }
        entities.post("analyze-entities") { request, _ in JSONResponse.make(try EntitiesAPI.analyze(text: try await queryOrBodyText(request))) }
        entities.post("extract-from-chunks") { request, _ in
            JSONResponse.make(try EntitiesAPI.extractFromChunks(try await request.jsonBody(limit: bodyLimit)))
        }

        let facts = router.group("api/memory/facts")
        facts.post("extract") { request, _ in JSONResponse.make(try FactsAPI.extract(try await request.jsonFields(limit: bodyLimit))) }
        facts.post("enrich-chunks") { request, _ in JSONResponse.make(try FactsAPI.enrichChunks(try await request.jsonFields(limit: bodyLimit))) }
        facts.get("fact-types") { _, _ in JSONResponse.make(FactsAPI.factTypes()) }
        facts.post("analyze-facts") { request, _ in JSONResponse.make(try FactsAPI.analyze(text: try await queryOrBodyText(request))) }
        facts.post("extract-by-type") { request, _ in
            // KnowledgeHub sends `text` in the query and the rest in the body; MemoryHub also takes it in the body.
            let body = try await request.jsonFields(limit: bodyLimit)
            let text = try request.uri.queryParameters.get("text").map { String($0) } ?? body.requiredString("text")
            return JSONResponse.make(try FactsAPI.extractByType(text: text, body))
        }
        facts.post("extract-from-chunks") { request, _ in
            JSONResponse.make(try FactsAPI.extractFromChunks(try await request.jsonBody(limit: bodyLimit)))
        }
        facts.post("fact-importance") { request, _ in
            JSONResponse.make(try FactsAPI.factImportance(try await request.jsonFields(limit: bodyLimit)))
        }

        let importance = router.group("api/memory/importance")
        importance.post("score") { request, _ in JSONResponse.make(try ImportanceAPI.score(try await request.jsonFields(limit: bodyLimit))) }
        importance.post("score-batch") { request, _ in
            JSONResponse.make(try ImportanceAPI.scoreBatch(try await request.jsonFields(limit: bodyLimit)))
        }
        importance.get("factors") { _, _ in JSONResponse.make(ImportanceAPI.factors()) }
        importance.post("analyze-factors") { request, _ in
            JSONResponse.make(try ImportanceAPI.analyzeFactors(try await request.jsonFields(limit: bodyLimit)))
        }
        importance.post("rank-content") { request, _ in
            JSONResponse.make(try ImportanceAPI.rankContent(try await request.jsonFields(limit: bodyLimit)))
        }
        importance.post("optimize-weights") { request, _ in
            JSONResponse.make(try ImportanceAPI.optimizeWeights(try await request.jsonFields(limit: bodyLimit)))
        }
    }

    /// KnowledgeHub sends `text` as a query parameter on its `analyze-*` POSTs; MemoryHub also
    /// takes a JSON body `{"text": …}`.
    func queryOrBodyText(_ request: Request) async throws -> String {
        if let text = request.uri.queryParameters.get("text") { return String(text) }
        return try await request.jsonFields(limit: bodyLimit).requiredString("text")
    }

    /// POST `/api/memory/text/process-conversation`: the chunks of `text` with the memory type
    /// each would make, for a session of `user_id` (another user's session is a 404). With
    /// `store: true` (*new*) each chunk is stored as a memory through the ordinary write path
    /// (redacted, de-duplicated) and gets its `memory_id`.
    @Sendable func processConversation(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let user = try context.caller.requiredUser(naming: try request.namedUser(body: body))
        let sessionID = try body.requiredUUID("session_id")
        let session = try await services.sessions.session(id: sessionID, actingUser: user)
        let store = try body.bool("store") ?? false
        let (_, chunks, _) = try TextAPI.chunks(
            body, context: ["session_id": .string(session.id.lowercased), "user_id": .string(session.userID)])
        // Storing goes through the write path one chunk at a time, like a batch, and as bounded.
        let maximum = 500
        if store, chunks.count > maximum {
            throw MemoryHubError.invalidField(
                "store", "store: true stores at most \(maximum) chunks, and this text makes \(chunks.count); raise max_chunk_size or send less text.")
        }
        var items: [JSONValue] = []
        for chunk in chunks {
            let memoryType = TextChunker.memoryType(for: chunk.chunkType)
            var extra: JSONObject = ["memory_type": .string(memoryType)]
            if store {
                let stored = try await services.memories.store(
                    NewMemory(
                        sessionID: session.id, content: chunk.content, memoryType: MemoryType(rawValue: memoryType) ?? .fact,
                        importance: chunk.importance,
                        metadata: [
                            "source": "process-conversation", "chunk_type": .string(chunk.chunkType.rawValue),
                            "start_index": .int(Int64(chunk.startIndex)), "end_index": .int(Int64(chunk.endIndex)),
                        ]),
                    actingUser: session.userID)
                extra["memory_id"] = .string(stored.memory.id.lowercased)
                extra["deduplicated"] = .bool(stored.deduplicated)
            }
            items.append(TextAPI.chunk(chunk, extra: extra))
        }
        return JSONResponse.make(.array(items), status: store ? .created : .ok)
    }
}
