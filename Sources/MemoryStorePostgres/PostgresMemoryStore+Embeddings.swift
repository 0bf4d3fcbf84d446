import Logging
import MemoryCore
package import MemoryStore
internal import PostgresNIO
import ServiceLifecycle
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension PostgresMemoryStore {
    package func embeddingJobs(limit: Int) async throws -> [EmbeddingJob] {
        try await fetch(
            """
            SELECT id, user_id, version, content, summary, entities, tags FROM memories
            WHERE NOT has_embedding ORDER BY created_at LIMIT \(max(0, limit))
            """
        ) { row in
            let (id, userID, version, content, summary, entities, tags) = try row.decode(
                (UUID, String, Int64, String, String?, [String], [String]).self)
            return EmbeddingJob(
                id: id, userID: userID, version: version,
                text: Memory.indexedText(content: content, summary: summary, entities: entities, tags: tags))
        }
    }

    package func embeddingBacklog() async throws -> Int {
        try await fetch("SELECT count(*) FROM memories WHERE NOT has_embedding") { try $0.decode(Int.self) }.first ?? 0
    }

    /// One statement per vector, each applied only if the memory still has the embedded version.
    package func storeEmbeddings(_ embeddings: [ComputedEmbedding]) async throws -> Int {
        var stored = 0
        for embedding in embeddings {
            let bytes = ByteBuffer(bytes: VectorBytes.encode(embedding.vector))
            let updated = try await fetch(
                """
                WITH target AS (
                    SELECT user_id FROM memories WHERE id = \(embedding.id) AND version = \(embedding.version)
                ), sequence AS (
                    \(unescaped: Self.bumpSequence(forUsersIn: "target"))
                )
                UPDATE memories SET embedding = \(bytes), has_embedding = true, change_seq = (SELECT value FROM sequence)
                WHERE id = \(embedding.id) AND version = \(embedding.version) AND EXISTS (SELECT 1 FROM sequence)
                RETURNING id
                """
            ) { try $0.decode(UUID.self) }
            stored += updated.count
        }
        return stored
    }

    package func clearEmbeddings(sessionID: UUID, userID: String) async throws -> Int {
        try StoredTextCheck.check(userID, field: "user_id")
        guard try await session(id: sessionID, userID: userID) != nil else {
            throw MemoryHubError.sessionNotFound(sessionID.lowercased)
        }
        return try await fetch(
            """
            WITH target AS (
                SELECT \(userID)::text AS user_id
            ), sequence AS (
                \(unescaped: Self.bumpSequence(forUsersIn: "target"))
            )
            UPDATE memories SET embedding = NULL, has_embedding = false, change_seq = (SELECT value FROM sequence)
            WHERE session_id = \(sessionID) AND user_id = \(userID) AND EXISTS (SELECT 1 FROM sequence)
            RETURNING id
            """
        ) { try $0.decode(UUID.self) }.count
    }

    package func embedding(memoryID: UUID, userID: String) async throws -> [Float]? {
        try StoredTextCheck.check(userID, field: "user_id")
        let rows = try await fetch("SELECT embedding FROM memories WHERE id = \(memoryID) AND user_id = \(userID)") {
            try $0.decode(ByteBuffer?.self)
        }
        return rows.first.flatMap { $0 }.flatMap { VectorBytes.decode($0.readableBytesView) }
    }
}
