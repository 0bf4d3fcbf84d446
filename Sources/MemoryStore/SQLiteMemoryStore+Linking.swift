package import MemoryCore
import GRDB
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension SQLiteMemoryStore {
    package func chainSessions(of id: UUID, userID: String) async throws -> [Session] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            // UNION (not UNION ALL) drops a row already produced, so a parent cycle ends the walk.
            try Row.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE up(id, parent_session_id) AS (
                        SELECT id, parent_session_id FROM sessions WHERE id = ?1 AND user_id = ?2
                        UNION
                        SELECT s.id, s.parent_session_id FROM sessions s JOIN up ON s.id = up.parent_session_id
                        WHERE s.user_id = ?2
                    ), down(id) AS (
                        SELECT id FROM sessions WHERE id = ?1 AND user_id = ?2
                        UNION
                        SELECT s.id FROM sessions s JOIN down ON s.parent_session_id = down.id WHERE s.user_id = ?2
                    )
                    SELECT * FROM sessions WHERE id IN (SELECT id FROM up UNION SELECT id FROM down)
                    """,
                arguments: [id.lowercased, userID]
            ).map(Self.session(from:))
        }
    }

    package func recordContextFeedback(_ feedback: ContextFeedback) async throws -> Int {
        try StoredTextCheck.check(feedback.userID, field: "user_id")
        try StoredTextCheck.check(feedback.text, field: "feedback")
        let ids = [String]().addingUnique(feedback.memoryIDs.map(\.lowercased))
        return try await write { db in
            var counted = 0
            for chunk in Self.chunks(ids) {
                try db.execute(
                    sql: """
                        UPDATE memories SET access_count = access_count + 1, last_accessed = ?
                        WHERE +user_id = ? AND id IN (\(Self.placeholders(chunk.count)))
                        """,
                    arguments: [feedback.createdAt.microsecondsSinceEpoch, feedback.userID] + StatementArguments(chunk))
                counted += db.changesCount
            }
            try db.execute(
                sql: """
                    INSERT INTO context_feedback (user_id, memory_ids, effectiveness_score, feedback, memories_updated, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    feedback.userID, JSONText.encode(ids), feedback.effectivenessScore, feedback.text, counted,
                    feedback.createdAt.microsecondsSinceEpoch,
                ])
            return counted
        }
    }
}
