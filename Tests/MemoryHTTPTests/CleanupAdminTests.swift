import Foundation
import HTTPTypes
import Logging
import MemoryCache
import MemoryCore
import MemoryHTTP
import MemoryService
import MemoryStore
import ServiceLifecycle
import Testing

/// API-more.md "Administration": the session cleanup run under a lease in the store, recorded,
/// with stats and health that survive a restart; `restart` means "run now".
@Suite struct CleanupAdminTests {
    @Test func manualRunStatsHealthAndRestartOverHTTP() async throws {
        var configuration = ServiceConfiguration()
        configuration.staleAfter = .seconds(3600)
        try await LiveAPI.run(service: configuration) { api, services in
            let user = "cleanup-\(UUID().uuidString.prefix(6))"
            // A session idle for two hours (its update time moved back behind the API's back).
            let id = try #require(UUID(uuidString: try await api.startSession(user)))
            var old = try #require(try await services.store.session(id: id, userID: user))
            old.updatedAt = .now().adding(seconds: -7200)
            _ = try await services.store.importSessions([old], policy: .replace)
            await services.sessionCache.remove(id: id)

            let before = try await api.get("/api/memory/admin/cleanup/stats")
            #expect(before.status == .ok, "\(api.deployment): \(before.text)")
            let manual = try await api.post("/api/memory/admin/cleanup/manual")
            #expect(manual.status == .ok, "\(manual.text)")
            let stats = manual["result"]?.objectValue?["stats"]?.objectValue ?? [:]
            #expect((stats["stale_sessions_cleaned"]?.numberValue ?? 0) >= 1, "\(manual.text)")
            let session = try await api.get("/api/memory/session/\(id.lowercased)")
            #expect(session["state"] == "ended" && session["end_reason"] == "timeout")
            #expect(session["tags"]?.arrayValue?.contains("auto-closed") == true)

            let after = try await api.get("/api/memory/admin/cleanup/stats")
            let recorded = after["cleanup_stats"]?.objectValue ?? [:]
            let total = recorded["total_cleanups"]?.numberValue ?? 0
            #expect(total >= 1 && recorded["last_cleanup"]?.stringValue != nil, "\(after.text)")
            #expect(after["service_status"]?.objectValue?["cleanup_interval_hours"] == .double(1))
            // This test server runs no cleanup Service: health says stopped, restart has nothing to wake.
            let health = try await api.get("/api/memory/admin/cleanup/health")
            #expect(health["status"] == "stopped" && health["service_running"] == .bool(false))
            expectError(try await api.post("/api/memory/admin/cleanup/restart"), .conflict, code: "cleanup_disabled")
            // /ready shows the cleanup for information; it does not make the deployment unready.
            let ready = try await api.get("/ready")
            #expect(ready.status == .ok && ready["cleanup"]?.objectValue?["status"] == "stopped", "\(ready.text)")
            #expect(ready["cleanup"]?.objectValue?["last_cleanup"]?.stringValue != nil)

            // While another process holds the lease, a manual run is refused and changes nothing.
            #expect(try await services.store.acquireJobLease(job: "session_cleanup", holder: "other-replica", expires: .now().adding(seconds: 60), now: .now()))
            expectError(try await api.post("/api/memory/admin/cleanup/manual"), .conflict, code: "cleanup_running")
            try await services.store.releaseJobLease(job: "session_cleanup", holder: "other-replica")
            #expect(try await api.post("/api/memory/admin/cleanup/manual").status == .ok)
            let again = try await api.get("/api/memory/admin/cleanup/stats")
            #expect(again["cleanup_stats"]?.objectValue?["total_cleanups"]?.numberValue == total + 1)
        }
    }

    @Test func userKeysMayNotRunCleanup() async throws {
        try await LiveAPI.run(auth: .required, adminKey: AuthTests.adminKey) { api, _ in
            let key = try await AuthTests.key(for: "mallory", api).key
            for path in ["stats", "health"] {
                expectError(try await api.get("/api/memory/admin/cleanup/\(path)", key: key), .forbidden)
            }
            expectError(try await api.post("/api/memory/admin/cleanup/manual", key: key), .forbidden)
            #expect(try await api.post("/api/memory/admin/cleanup/manual", key: AuthTests.adminKey).status == .ok)
        }
    }

    /// Two replicas on one store (PostgreSQL when make test provides it): concurrent runs never
    /// overlap, and what one records the other reads (stats survive a restart too).
    @Test func replicasNeverOverlapAndShareTheRecord() async throws {
        for deployment in try LiveAPI.deployments {
            let first = try MemoryHubServices.open(deployment, logger: Logger(label: "replica-1"))
            let second = try MemoryHubServices.open(deployment, logger: Logger(label: "replica-2"))
            try await first.withBackgroundServices { first in
                try await second.withBackgroundServices { second in
                    let outcomes = await withTaskGroup(of: Bool.self) { group in
                        for services in [first, second, first, second] {
                            group.addTask { (try? await services.cleanup.run()) != nil }
                        }
                        var results: [Bool] = []
                        for await result in group { results.append(result) }
                        return results
                    }
                    #expect(outcomes.contains(true))
                    let history = try await second.store.jobHistory(job: "session_cleanup")
                    #expect(history.successfulRuns == outcomes.filter { $0 }.count)
                    // A new process on the same store sees the record.
                    let reopened = try MemoryHubServices.open(deployment, logger: Logger(label: "replica-3"))
                    try await reopened.withBackgroundServices { reopened in
                        let status = try await reopened.cleanup.status()
                        #expect(status.history.successfulRuns == history.successfulRuns && status.history.lastSuccess != nil)
                    }
                }
            }
        }
    }

    /// In `serve`, the cleanup Service runs: health is healthy after its run, and restart wakes it.
    @Test func theServiceRunsAndRestartWakesIt() async throws {
        var configuration = ServiceConfiguration()
        configuration.cleanupInterval = .seconds(3600)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-cleanup-\(UUID().uuidString)")
        let services = try await MemoryHubServices.embedded(path: folder.path + "/db.sqlite", configuration: configuration, logger: Logger(label: "test"))
        let service = CleanupService(services: services)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        // Just started, before its first run: healthy, not "no run within two intervals".
        for _ in 0..<500 where !(try await services.cleanup.status().running) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await services.cleanup.status().health(at: .now()) == "healthy")
        #expect(try await services.cleanup.status().health(at: Timestamp.now().adding(seconds: 3 * 3600)) == "unhealthy", "no run for three intervals")
        // The first run comes 30 s after start; restart wakes it now (polled generously: the machine may be loaded).
        var woken = false
        for _ in 0..<500 where !woken {
            woken = (try? services.cleanup.wakeService()) != nil
            if !woken { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(woken)
        var status = try await services.cleanup.status()
        for _ in 0..<1200 where status.history.successfulRuns == 0 {
            try await Task.sleep(for: .milliseconds(25))
            status = try await services.cleanup.status()
        }
        #expect(status.history.successfulRuns == 1 && status.running)
        #expect(status.health(at: .now()) == "healthy")
        #expect(status.nextRunAt != nil)
    }
}
