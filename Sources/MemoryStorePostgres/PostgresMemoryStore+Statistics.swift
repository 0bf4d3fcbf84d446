import Logging
package import MemoryCore
package import MemoryStore
internal import PostgresNIO
import ServiceLifecycle
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension PostgresMemoryStore {
    package func memoryCounts(userID: String, projectID: String?, since: Timestamp, mostAccessed: Int) async throws -> StoredMemoryCounts {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        var counts = StoredMemoryCounts()
        let byType = try await fetch(
            """
            SELECT memory_type, count(*), sum(importance), count(*) FILTER (WHERE has_embedding),
                count(*) FILTER (WHERE created_at >= \(since.postgres))
            FROM memories WHERE user_id = \(userID) AND (\(projectID)::text IS NULL OR project_id = \(projectID)::text)
            GROUP BY memory_type
            """
        ) { try $0.decode((String, Int, Double, Int, Int).self) }
        for (type, n, importance, embedded, recent) in byType {
            counts.totalMemories += n
            counts.meanImportance += importance
            counts.withEmbedding += embedded
            counts.memoriesSince += recent
            if let type = MemoryType(rawValue: type) { counts.countsByType[type, default: 0] += n }
        }
        if counts.totalMemories > 0 { counts.meanImportance /= Double(counts.totalMemories) }
        let sessionCounts = try await fetch(
            """
            SELECT count(*), count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE started_at >= \(since.postgres))
            FROM sessions WHERE user_id = \(userID) AND (\(projectID)::text IS NULL OR project_id = \(projectID)::text)
            """
        ) { try $0.decode((Int, Int, Int).self) }
        if let (total, active, recent) = sessionCounts.first {
            counts.totalSessions = total
            counts.activeSessions = active
            counts.sessionsSince = recent
        }
        counts.mostAccessed = try await fetch(
            """
            SELECT \(unescaped: MemoryColumns.list) FROM memories
            WHERE user_id = \(userID) AND (\(projectID)::text IS NULL OR project_id = \(projectID)::text) AND access_count > 0
            ORDER BY access_count DESC, last_accessed DESC NULLS LAST LIMIT \(max(0, mostAccessed))
            """, MemoryColumns.decode)
        return counts
    }
}
