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

/// `/api/memory/admin/keys`: API.md "Access". Admin callers only (local mode counts as admin).
struct KeyRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices
    let bodyLimit: Int

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/admin/keys")
        group.post(use: create)
        group.get(use: list)
        group.delete("{id}", use: revoke)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        let body = try await request.jsonFields(limit: bodyLimit)
        let (key, text) = try await services.keys.create(
            userID: try body.requiredString("user_id"), name: try body.string("name"), admin: try body.bool("admin") ?? false)
        return JSONResponse.make(APIRepresentation.apiKey(key, text: text), status: .created)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        let keys = try await services.keys.list(userID: QueryFields(request).string("user_id"))
        return JSONResponse.list(keys.map { APIRepresentation.apiKey($0) }, total: keys.count)
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        _ = try await services.keys.revoke(id: try context.uuidParameter("id"))
        return Response(status: .noContent)
    }
}
