import Foundation
import HTTPTypes
import MemoryCore
import Testing

@Suite struct OperationsTests {
    @Test func healthReadyAndCacheStats() async throws {
        try await LiveAPI.run { api, _ in
            #expect(try await api.get("/health").status == .ok)
            let ready = try await api.get("/ready")
            #expect(ready.status == .ok && ready["status"] == "ready")
            #expect(ready["store"]?.objectValue?["status"] == "ok")
            #expect(ready["embedder"] != nil)
            let session = try await api.startSession()
            for _ in 0..<3 { _ = try await api.get("/api/memory/session/\(session)") }
            let stats = try await api.get("/api/memory/admin/cache/stats")
            let cache = try #require(stats["caches"]?.objectValue?["session"]?.objectValue)
            #expect((cache["hits"]?.numberValue ?? 0) >= 3)
            #expect(cache["backend"] == (api.deployment == "sqlite" ? "memory" : "redis"))
            #expect((cache["hit_ratio"]?.numberValue ?? 0) > 0)
            for field in ["misses", "errors", "fills", "entries"] { #expect(cache[field] != nil) }
        }
    }

    @Test func unknownRoutesGetAJSONNotFound() async throws {
        try await LiveAPI.run { api, _ in
            expectError(try await api.get("/api/memory/nothing-here"), .notFound)
        }
    }

    @Test func oversizeBodiesAreRefusedWith413AndNothingIsStored() async throws {
        try await LiveAPI.run(bodyLimit: 2048) { api, services in
            let session = try await api.startSession()
            let big = String(repeating: "x", count: 4096)
            let response = try await api.post("/api/memory/memories", ["session_id": .string(session), "content": .string(big), "memory_type": "fact"])
            expectError(response, .contentTooLarge, code: "payload_too_large")
            #expect(try await api.get("/api/memory/session/\(session)")["memory_count"] == 0)
            #expect(try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "small", "memory_type": "fact"]).status == .created)
        }
    }
}
