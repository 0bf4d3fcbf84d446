package import MemoryCore
import GRDB
import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SQLiteMemoryStore {
    package func memoryCounts(userID: String, projectID: String?, since: Timestamp, mostAccessed: Int) async throws -> StoredMemoryCounts {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        let projectClause = projectID == nil ? "" : " AND project_id = ?"
        let base: StatementArguments = projectID.map { [userID, $0] } ?? [userID]
        return try await read { db in
            var counts = StoredMemoryCounts()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT memory_type, COUNT(*) AS n, SUM(importance) AS importance, SUM(has_embedding) AS embedded,
                        SUM(created_at >= ?) AS recent
                    FROM memories WHERE user_id = ?\(projectClause) GROUP BY memory_type
                    """,
                arguments: [since.microsecondsSinceEpoch] + base)
            {
                let n: Int = row["n"]
                counts.totalMemories += n
                counts.withEmbedding += row["embedded"] as Int
                counts.memoriesSince += row["recent"] as Int
                counts.meanImportance += row["importance"] as Double
                if let type = MemoryType(rawValue: row["memory_type"]) { counts.countsByType[type, default: 0] += n }
            }
            if counts.totalMemories > 0 { counts.meanImportance /= Double(counts.totalMemories) }
            if let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS n, COALESCE(SUM(state = 'active'), 0) AS active, COALESCE(SUM(started_at >= ?), 0) AS recent
                    FROM sessions WHERE user_id = ?\(projectClause)
                    """,
                arguments: [since.microsecondsSinceEpoch] + base)
            {
                counts.totalSessions = row["n"]
                counts.activeSessions = row["active"]
                counts.sessionsSince = row["recent"]
            }
            counts.mostAccessed = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM memories WHERE user_id = ?\(projectClause) AND access_count > 0
                    ORDER BY access_count DESC, last_accessed DESC LIMIT ?
                    """,
                arguments: base + [mostAccessed]
            ).map(Self.memory(from:))
            return counts
        }
    }

    /// The SQL conditions of a search filter, on the memories table under `alias`.
}
