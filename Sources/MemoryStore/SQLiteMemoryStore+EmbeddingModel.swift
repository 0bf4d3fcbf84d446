import GRDB
import MemoryCore

extension SQLiteMemoryStore {
    package func embeddingModel() async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT value FROM memoryhub_settings WHERE key = 'embedding_model'")
        }
    }

    package func setEmbeddingModel(_ identity: String, clearingVectors: Bool) async throws -> Int {
        try await write { db in
            var queued = 0
            if clearingVectors {
                let users = try String.fetchAll(db, sql: "SELECT DISTINCT user_id FROM memories WHERE has_embedding = 1")
                for user in users {
                    try db.execute(
                        sql: "UPDATE memories SET embedding = NULL, has_embedding = 0, change_seq = ? WHERE user_id = ? AND has_embedding = 1",
                        arguments: [try Self.nextSequence(db, userID: user), user])
                    queued += db.changesCount
                }
            }
            try db.execute(
                sql: "INSERT INTO memoryhub_settings (key, value) VALUES ('embedding_model', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [identity])
            return queued
        }
    }

    package func storedVectorDimension() async throws -> Int? {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT length(embedding) / 4 FROM memories WHERE has_embedding = 1 LIMIT 1")
        }
    }
}
