import GRDB
package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension SQLiteMemoryStore {
    package func insertAPIKey(_ key: APIKey) async throws {
        try StoredTextCheck.check(key.userID, field: "user_id")
        try StoredTextCheck.check(key.name, field: "name")
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, user_id, name, is_admin, secret_hash, created_at, last_used_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id.lowercased, key.userID, key.name, key.isAdmin, Data(key.secretHash),
                    key.createdAt.microsecondsSinceEpoch, key.lastUsedAt?.microsecondsSinceEpoch,
                    key.revokedAt?.microsecondsSinceEpoch,
                ])
        }
    }

    package func apiKey(id: UUID) async throws -> APIKey? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id.lowercased]).map(Self.apiKey(from:))
        }
    }

    package func apiKeys(userID: String?) async throws -> [APIKey] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM api_keys WHERE ? IS NULL OR user_id = ? ORDER BY created_at DESC, id DESC",
                arguments: [userID, userID]
            ).map(Self.apiKey(from:))
        }
    }

    package func revokeAPIKey(id: UUID, at now: Timestamp) async throws -> APIKey? {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                arguments: [now.microsecondsSinceEpoch, id.lowercased])
            return try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id.lowercased]).map(Self.apiKey(from:))
        }
    }

    package func recordAPIKeyUse(id: UUID, at now: Timestamp) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ?", arguments: [now.microsecondsSinceEpoch, id.lowercased])
        }
    }

    static func apiKey(from row: Row) throws -> APIKey {
        let hash: Data = row["secret_hash"]
        return APIKey(
            id: try uuid(row["id"]), userID: row["user_id"], name: row["name"], isAdmin: row["is_admin"],
            secretHash: [UInt8](hash), createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]),
            lastUsedAt: (row["last_used_at"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)),
            revokedAt: (row["revoked_at"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)))
    }
}
