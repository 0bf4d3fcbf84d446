import Logging
package import MemoryCore
package import MemoryStore
internal import PostgresNIO
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension PostgresMemoryStore {
    package func chainSessions(of id: UUID, userID: String) async throws -> [Session] {
        try StoredTextCheck.check(userID, field: "user_id")
        // UNION (not UNION ALL) drops a row already produced, so a parent cycle ends the walk.
        return try await fetch(
            """
            WITH RECURSIVE up(id, parent_session_id) AS (
                SELECT id, parent_session_id FROM sessions WHERE id = \(id) AND user_id = \(userID)
                UNION
                SELECT s.id, s.parent_session_id FROM sessions s JOIN up ON s.id = up.parent_session_id WHERE s.user_id = \(userID)
            ), down(id) AS (
                SELECT id FROM sessions WHERE id = \(id) AND user_id = \(userID)
                UNION
                SELECT s.id FROM sessions s JOIN down ON s.parent_session_id = down.id WHERE s.user_id = \(userID)
            )
            SELECT \(unescaped: SessionColumns.list) FROM sessions WHERE id IN (SELECT id FROM up UNION SELECT id FROM down)
            """, SessionColumns.decode)
    }

    package func recordContextFeedback(_ feedback: ContextFeedback) async throws -> Int {
        try StoredTextCheck.check(feedback.userID, field: "user_id")
        try StoredTextCheck.check(feedback.text, field: "feedback")
        var seen = Set<UUID>()
        let ids = feedback.memoryIDs.filter { seen.insert($0).inserted }
        return try await fetch(
            """
            WITH counted AS (
                UPDATE memories SET access_count = access_count + 1, last_accessed = \(feedback.createdAt.postgres)
                WHERE user_id = \(feedback.userID) AND id = ANY(\(ids)::uuid[])
                RETURNING id
            ), event AS (
                INSERT INTO context_feedback (user_id, memory_ids, effectiveness_score, feedback, memories_updated, created_at)
                SELECT \(feedback.userID), \(ids)::uuid[], \(feedback.effectivenessScore), \(feedback.text)::text, count(*),
                    \(feedback.createdAt.postgres)
                FROM counted
                RETURNING memories_updated
            )
            SELECT memories_updated FROM event
            """
        ) { try $0.decode(Int.self) }.first ?? 0
    }
}
