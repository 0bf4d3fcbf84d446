import HTTPTypes
import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService

/// `/api/memory/memories`: API.md "Memories".
struct MemoryRoutes {
    typealias Context = MemoryHubRequestContext
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
        let body = try await request.jsonFields(limit: bodyLimit)
        let stored = try await services.memories.store(
            try NewMemory(fields: body, fallbackSessionID: nil), actingUser: try context.actingUser(request, body: body))
        // An identical memory already stored is returned as it is: 200, not 201 (nothing was created).
        return JSONResponse.make(APIRepresentation.stored(stored), status: stored.deduplicated ? .ok : .created)
    }

    @Sendable func batch(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.jsonFields(limit: bodyLimit)
        let sessionID = try body.uuid("session_id")
        guard let items = try body.array("memories") else {
            throw MemoryHubError.invalidField("memories", "memories is required.")
        }
        let parsed: [Result<NewMemory, MemoryHubError>] = items.map { item in
            guard case .object(let object) = item else {
                return .failure(.invalidField("memories", "Each item of memories must be a JSON object."))
            }
            do {
                return .success(try NewMemory(fields: JSONFields(object), fallbackSessionID: sessionID))
            } catch let error as MemoryHubError {
                return .failure(error)
            } catch {
                return .failure(.internal("\(error)"))
            }
        }
        let result = try await services.memories.createBatch(items: parsed, actingUser: try context.actingUser(request, body: body))
        return JSONResponse.make(
            APIRepresentation.batch(result), status: result.memories.isEmpty && !result.errors.isEmpty ? .unprocessableContent : .created)
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let memory = try await services.memories.get(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return JSONResponse.make(APIRepresentation.memory(memory, now: .now()))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let id = try context.uuidParameter("id")
        let body = try await request.jsonFields(limit: bodyLimit)
        let memory = try await services.memories.update(id: id, actingUser: try context.actingUser(request, body: body), change: try MemoryChange(fields: body))
        return JSONResponse.make(APIRepresentation.memory(memory, now: .now()))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        try await services.memories.delete(id: try context.uuidParameter("id"), actingUser: try context.actingUser(request))
        return Response(status: .noContent)
    }

    @Sendable func listForSession(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        let page = try await services.memories.list(
            sessionID: try context.uuidParameter("session_id"), actingUser: try context.actingUser(request),
            memoryType: try query.enumeration("memory_type", MemoryType.self),
            minImportance: try query.double("min_importance"),
            limit: try query.int("limit", default: 50), offset: try query.int("offset", default: 0))
        let now = Timestamp.now()
        return JSONResponse.list(page.items.map { APIRepresentation.memory($0, now: now) }, total: page.total)
    }

    @Sendable func recent(_ request: Request, context: Context) async throws -> Response {
        let query = QueryFields(request)
        let userID = try context.caller.requiredUser(naming: try request.namedUser())
        let memories = try await services.memories.recent(
            userID: userID, projectID: query.string("project_id"), limit: try query.int("limit", default: 20))
        let now = Timestamp.now()
        return JSONResponse.list(memories.map { APIRepresentation.memory($0, now: now) }, total: memories.count)
    }
}
