package import MemoryCore
import MemoryStore
import NIOCore
internal import PostgresNIO
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension PostgresMemoryStore {
    static let apiKeyColumns = "id, user_id, name, is_admin, secret_hash, created_at, last_used_at, revoked_at"

    package func insertAPIKey(_ key: APIKey) async throws {
        try StoredTextCheck.check(key.userID, field: "user_id")
        try StoredTextCheck.check(key.name, field: "name")
        try await execute(
            """
            INSERT INTO api_keys (\(unescaped: Self.apiKeyColumns))
            VALUES (\(key.id), \(key.userID), \(key.name), \(key.isAdmin), \(ByteBuffer(bytes: key.secretHash)),
                \(key.createdAt.postgres), \(key.lastUsedAt?.postgres), \(key.revokedAt?.postgres))
            """)
    }

    package func apiKey(id: UUID) async throws -> APIKey? {
        try await fetch("SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE id = \(id)", Self.apiKey(from:)).first
    }

    package func apiKeys(userID: String?) async throws -> [APIKey] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE \(userID)::text IS NULL OR user_id = \(userID)::text
            ORDER BY created_at DESC, id DESC
            """, Self.apiKey(from:))
    }

    package func revokeAPIKey(id: UUID, at now: Timestamp) async throws -> APIKey? {
        try await fetch(
            """
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, \(now.postgres)) WHERE id = \(id)
            RETURNING \(unescaped: Self.apiKeyColumns)
            """, Self.apiKey(from:)
        ).first
    }

    package func recordAPIKeyUse(id: UUID, at now: Timestamp) async throws {
        try await execute("UPDATE api_keys SET last_used_at = \(now.postgres) WHERE id = \(id)")
    }

    static func apiKey(from row: PostgresRow) throws -> APIKey {
        let (id, userID, name, isAdmin, hash, createdAt, lastUsedAt, revokedAt) = try row.decode(
            (UUID, String, String?, Bool, ByteBuffer, PostgresTimestamp, PostgresTimestamp?, PostgresTimestamp?).self)
        return APIKey(
            id: id, userID: userID, name: name, isAdmin: isAdmin, secretHash: Array(hash.readableBytesView),
            createdAt: createdAt.timestamp, lastUsedAt: lastUsedAt?.timestamp, revokedAt: revokedAt?.timestamp)
    }
}
