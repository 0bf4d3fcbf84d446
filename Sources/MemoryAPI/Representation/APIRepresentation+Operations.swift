package import MemoryCore
package import MemoryService

extension APIRepresentation {
    /// `GET /ready`: `status` (ready or unavailable), `store`, `cache` and `embedder`, each with
    /// its `status`, and `cleanup` (`status`, `last_cleanup`) when it could be read.
    package static func readiness(_ readiness: Readiness) -> JSONValue {
        let store: JSONObject = readiness.storeProblem.map { ["status": "unavailable", "detail": .string($0)] } ?? ["status": "ok"]
        var embedder: JSONObject = readiness.embedder.map { model, dimension in
            ["status": "ok", "model": .string(model), "dimension": .int(Int64(dimension))]
        } ?? ["status": "not_configured", "detail": "No embedding model is configured: search is lexical only."]
        if let backlog = readiness.embeddingBacklog { embedder["pending"] = .int(Int64(backlog)) }
        if readiness.embedder != nil, let problem = readiness.embedderProblem {
            embedder["status"] = "unavailable"
            embedder["detail"] = .string(problem + " Search answers lexically until it recovers.")
        }
        var object: JSONObject = [
            "status": .string(readiness.isReady ? "ready" : "unavailable"),
            "store": .object(store),
            "cache": .object(["status": "ok", "backend": .string(readiness.cacheBackend)]),
            "embedder": .object(embedder),
        ]
        // Informational (API-more.md "Administration"): the cleanup never makes the deployment unready.
        if let cleanup = readiness.cleanup {
            object["cleanup"] = .object([
                "status": .string(cleanup.status), "last_cleanup": cleanup.lastCleanup.map { .string($0.iso8601) } ?? .null,
            ])
        }
        return .object(object)
    }

    /// `GET /api/memory/admin/cache/stats`: per cache, its counters and hit ratio.
    package static func cacheStatistics(_ statistics: [CacheStatistics]) -> JSONValue {
        var caches: JSONObject = [:]
        for stats in statistics {
            caches[stats.name] = .object([
                "backend": .string(stats.backend),
                "hits": .int(Int64(stats.hits)),
                "misses": .int(Int64(stats.misses)),
                "errors": .int(Int64(stats.errors)),
                "fills": .int(Int64(stats.fills)),
                "invalidations": .int(Int64(stats.invalidations)),
                "evictions": .int(Int64(stats.evictions)),
                "entries": stats.entries.map { .int(Int64($0)) } ?? .null,
                "hit_ratio": .double(stats.hitRatio),
            ])
        }
        return .object(["caches": .object(caches)])
    }
}
