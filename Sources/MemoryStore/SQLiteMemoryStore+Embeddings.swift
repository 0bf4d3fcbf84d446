import MemoryCore
import GRDB
import Logging
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension SQLiteMemoryStore {
    package func embeddingJobs(limit: Int) async throws -> [EmbeddingJob] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, user_id, version, content, summary, entities, tags FROM memories
                    WHERE has_embedding = 0 ORDER BY created_at LIMIT ?
                    """,
                arguments: [limit]
            ).map { row in
                let text = Memory.indexedText(
                    content: row["content"], summary: row["summary"],
                    entities: try JSONText.decodeStrings(row["entities"]), tags: try JSONText.decodeStrings(row["tags"]))
                return EmbeddingJob(id: try Self.uuid(row["id"]), userID: row["user_id"], version: row["version"], text: text)
            }
        }
    }

    package func embeddingBacklog() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM memories WHERE has_embedding = 0") ?? 0 }
    }

    package func storeEmbeddings(_ embeddings: [ComputedEmbedding]) async throws -> Int {
        guard !embeddings.isEmpty else { return 0 }
        return try await write { db in
            var stored = 0
            for embedding in embeddings {
                guard
                    let userID = try String.fetchOne(
                        db, sql: "SELECT user_id FROM memories WHERE id = ? AND version = ?",
                        arguments: [embedding.id.lowercased, embedding.version])
                else { continue }
                try db.execute(
                    sql: "UPDATE memories SET embedding = ?, has_embedding = 1, change_seq = ? WHERE id = ?",
                    arguments: [
                        Data(VectorBytes.encode(embedding.vector)), try Self.nextSequence(db, userID: userID),
                        embedding.id.lowercased,
                    ])
                stored += 1
            }
            return stored
        }
    }

    package func clearEmbeddings(sessionID: UUID, userID: String) async throws -> Int {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await write { db in
            guard try Self.fetchSession(db, id: sessionID, userID: userID) != nil else {
                throw MemoryHubError.sessionNotFound(sessionID.lowercased)
            }
            let sequence = try Self.nextSequence(db, userID: userID)
            try db.execute(
                sql: "UPDATE memories SET embedding = NULL, has_embedding = 0, change_seq = ? WHERE session_id = ? AND user_id = ?",
                arguments: [sequence, sessionID.lowercased, userID])
            return db.changesCount
        }
    }

    package func embedding(memoryID: UUID, userID: String) async throws -> [Float]? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            try (Data.fetchOne(
                db, sql: "SELECT embedding FROM memories WHERE id = ? AND user_id = ?",
                arguments: [memoryID.lowercased, userID]
            )).flatMap { VectorBytes.decode($0) }
        }
    }
}
