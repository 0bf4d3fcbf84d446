import MemoryCore
import MemoryStore
internal import PostgresNIO

extension PostgresMemoryStore {
    package func embeddingModel() async throws -> String? {
        try await fetch("SELECT value FROM memoryhub_settings WHERE key = 'embedding_model'") { try $0.decode(String.self) }.first
    }

    /// One transaction: each user's sequence moves once, their vectors go, the model is recorded.
    package func setEmbeddingModel(_ identity: String, clearingVectors: Bool) async throws -> Int {
        try await transaction { connection, logger in
            var queued = 0
            if clearingVectors {
                queued = try await Self.fetch(
                    """
                    WITH target AS (SELECT DISTINCT user_id FROM memories WHERE has_embedding),
                    sequence AS (
                        INSERT INTO user_sequences (user_id, value) SELECT user_id, 1 FROM target
                        ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1
                        RETURNING user_id, value
                    )
                    , cleared AS (
                        UPDATE memories SET embedding = NULL, has_embedding = false, change_seq = sequence.value
                        FROM sequence WHERE memories.user_id = sequence.user_id AND memories.has_embedding
                        RETURNING 1
                    )
                    SELECT count(*) FROM cleared
                    """, on: connection, logger: logger
                ) { try $0.decode(Int.self) }.first ?? 0
            }
            try await Self.execute(
                """
                INSERT INTO memoryhub_settings (key, value) VALUES ('embedding_model', \(identity))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, on: connection, logger: logger)
            return queued
        }
    }

    package func storedVectorDimension() async throws -> Int? {
        try await fetch("SELECT length(embedding) / 4 FROM memories WHERE has_embedding LIMIT 1") { try $0.decode(Int.self) }.first
    }
}
