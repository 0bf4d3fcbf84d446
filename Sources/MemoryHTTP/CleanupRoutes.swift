import HTTPTypes
import Hummingbird
import MemoryAPI
import MemoryCore
import MemoryService

/// `/api/memory/admin/cleanup` (API-more.md "Administration"): the session cleanup run now, its
/// recorded statistics and health, and `restart` (wake the cleanup Service: a run starts now).
/// Admin callers only (local mode counts as admin).
struct CleanupRoutes {
    typealias Context = MemoryHubRequestContext
    let services: MemoryHubServices

    func register(on router: Router<Context>) {
        let group = router.group("api/memory/admin/cleanup")
        group.post("manual", use: manual)
        group.get("stats", use: stats)
        group.get("health", use: health)
        group.post("restart", use: restart)
    }

    /// One run now, synchronously, under the lease: 409 `cleanup_running` while another holds
    /// it, 500 `cleanup_failed` when the run fails (it is recorded).
    @Sendable func manual(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        let report: CleanupRunReport
        do {
            report = try await services.cleanup.run()
        } catch let error as MemoryHubError where error.kind == .conflict {
            throw error
        } catch {
            throw MemoryHubError(kind: .internal, code: .cleanupFailed, detail: "The cleanup run failed; it is recorded in the cleanup stats.", underlying: "\(error)")
        }
        return JSONResponse.make(.object([
            "message": "Cleanup completed",
            "result": APIRepresentation.cleanupRun(report),
        ]))
    }

    @Sendable func stats(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        return JSONResponse.make(APIRepresentation.cleanupStats(try await services.cleanup.status()))
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        return JSONResponse.make(APIRepresentation.cleanupHealth(try await services.cleanup.status(), now: .now()))
    }

    /// HTTP cannot start or stop a ServiceGroup member: "restart" means "run now" (API-more.md's proposal).
    @Sendable func restart(_ request: Request, context: Context) async throws -> Response {
        try context.caller.requireAdmin()
        try services.cleanup.wakeService()
        return JSONResponse.make(.object(["message": "Cleanup woken: a run starts now", "status": "running"]))
    }
}
