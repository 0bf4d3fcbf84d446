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

/// `/api/memory/memories`: API.md "Memories".
struct MemoryRoutes<Context: RequestContext> {
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/memories")
        group.post(use: create)
        group.post("batch", use: batch)
        group.get("recent", use: recent)
        group.get("session/{session_id}", use: listForSession)
        group.get("{id}", use: get)
        group.patch("{id}", use: update)
        group.put("{id}", use: update)
        group.delete("{id}", use: delete)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let body = try await BodyFields.read(request, limit: bodyLimit)
        let memory = try await services.memories.create(try Self.newMemory(from: body, sessionID: nil), actingUser: try Caller.user(of: request))
        return JSONResponse.make(APIRepresentation.memory(memory, now: .now()), status: .created)
    }

    @Sendable func batch(_ request: Request, context: Context) async throws -> Response {
        let body = try await BodyFields.read(request, limit: bodyLimit)
        let sessionID = try body.uuid("session_id")
        guard let items = try body.array("memories") else {
            throw MemoryHubError.invalidField("memories", "memories is required.")
        }
        let parsed: [Result<NewMemory, MemoryHubError>] = items.map { item in
            guard case .object(let object) = item else {
                return .failure(.invalidField("memories", "Each item of memories must be a JSON object."))
            }
            do {
                return .success(try Self.newMemory(from: BodyFields(object), sessionID: sessionID))
            } catch let error as MemoryHubError {
                return .failure(error)
            } catch {
                return .failure(.internal("\(error)"))
            }
        }
        let result = try await services.memories.createBatch(sessionID: sessionID, items: parsed, actingUser: try Caller.user(of: request))
        let now = Timestamp.now()
        return JSONResponse.make(.object([
            "created": .int(Int64(result.memories.count)),
            "failed": .int(Int64(result.errors.count)),
            "memories": .array(result.memories.map { APIRepresentation.memory($0, now: now) }),
            "errors": .array(result.errors.map { failure in
                var entry: JSONObject = ["index": .int(Int64(failure.index)), "detail": .string(failure.error.detail), "code": .string(failure.error.code)]
                if let field = failure.error.field { entry["field"] = .string(field) }
                return .object(entry)
            }),
        ]), status: result.memories.isEmpty && !result.errors.isEmpty ? .unprocessableContent : .created)
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let memory = try await services.memories.get(id: try context.uuidParameter("id"), actingUser: try Caller.user(of: request))
        return JSONResponse.make(APIRepresentation.memory(memory, now: .now()))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        let body = try await BodyFields.read(request, limit: bodyLimit)
        var change = MemoryChange(
            content: try body.string("content"),
            importance: try body.double("importance"),
            confidence: try body.double("confidence"),
            entities: try body.strings("entities"),
            tags: try body.strings("tags"),
            metadataPatch: try body.jsonObject("metadata") ?? [:])
        if body.has("summary") { change.summary = .some(try body.string("summary")) }
        if body.has("content"), change.content == nil {
            throw MemoryHubError.invalidField("content", "content must not be null.")
        }
        let memory = try await services.memories.update(id: id, actingUser: try Caller.user(of: request), change: change)
        return JSONResponse.make(APIRepresentation.memory(memory, now: .now()))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        try await services.memories.delete(id: try context.uuidParameter("id"), actingUser: try Caller.user(of: request))
        return Response(status: .noContent)
    }

    @Sendable func listForSession(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        let page = try await services.memories.list(
            sessionID: try context.uuidParameter("session_id"), actingUser: try Caller.user(of: request),
            memoryType: try query.enumeration("memory_type", MemoryType.self),
            minImportance: try query.double("min_importance"),
            limit: try query.int("limit", default: 50), offset: try query.int("offset", default: 0))
        let now = Timestamp.now()
        return JSONResponse.list(page.items.map { APIRepresentation.memory($0, now: now) }, total: page.total)
    }

    @Sendable func recent(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        guard let userID = try Caller.user(of: request) else {
            throw MemoryHubError.invalidField("user_id", "user_id is required.")
        }
        let memories = try await services.memories.recent(
            userID: userID, projectID: query.string("project_id"), limit: try query.int("limit", default: 20))
        let now = Timestamp.now()
        return JSONResponse.list(memories.map { APIRepresentation.memory($0, now: now) }, total: memories.count)
    }

    static func newMemory(from body: BodyFields, sessionID fallback: UUID?) throws -> NewMemory {
        guard let sessionID = try body.uuid("session_id") ?? fallback else {
            throw MemoryHubError.invalidField("session_id", "session_id is required.")
        }
        guard let memoryType = try body.enumeration("memory_type", MemoryType.self) else {
            throw MemoryHubError.invalidField("memory_type", "memory_type is required.")
        }
        return NewMemory(
            sessionID: sessionID,
            content: try body.requiredString("content"),
            memoryType: memoryType,
            summary: try body.string("summary"),
            importance: try body.double("importance"),
            confidence: try body.double("confidence"),
            entities: try body.strings("entities") ?? [],
            tags: try body.strings("tags") ?? [],
            metadata: try body.jsonObject("metadata") ?? [:],
            relatedMemories: try body.uuids("related_memories") ?? [])
    }
}
