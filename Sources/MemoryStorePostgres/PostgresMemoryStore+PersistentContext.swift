package import MemoryCore
package import MemoryStore
internal import PostgresNIO
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Persistent context on PostgreSQL: the `context_items` table, its `tsvector` GIN index (kept by
/// a trigger) and its background embeddings. Every statement that names items by id is scoped by user.
extension PostgresMemoryStore {
    static let contextItemColumns = """
        id, user_id, scope, project_id, session_id, context_type, content, importance, access_count, last_accessed,
        related_entities, metadata, created_at, updated_at, decayed_at, version
        """

    package func insertContextItem(_ item: ContextItem) async throws {
        try StoredTextCheck.check(item.userID, field: "user_id")
        try StoredTextCheck.check(item.projectID, field: "project_id")
        try StoredTextCheck.check(item.content, field: "content")
        try StoredTextCheck.check(item.relatedEntities, field: "related_entities")
        try StoredTextCheck.check(item.metadata, field: "metadata")
        try await execute(
            """
            INSERT INTO context_items (\(unescaped: Self.contextItemColumns), has_embedding)
            VALUES (\(item.id), \(item.userID), \(item.scope.rawValue), \(item.projectID)::text, \(item.sessionID)::uuid,
                \(item.contextType.rawValue), \(item.content), \(item.importance), \(item.accessCount), \(item.lastAccessed.postgres),
                \(item.relatedEntities), \(PostgresJSONObject(item.metadata)), \(item.createdAt.postgres), \(item.updatedAt.postgres),
                \(item.decayedAt?.postgres)::timestamptz, \(item.version), false)
            """)
    }

    package func contextItem(id: UUID, userID: String?) async throws -> ContextItem? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            SELECT \(unescaped: Self.contextItemColumns), embedding FROM context_items
            WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
            """, Self.decodeContextItem
        ).first
    }

    package func contextItems(matching filter: ContextItemFilter, limit: Int) async throws -> [ContextItem] {
        try await selectContextItems(
            columns: Self.contextItemColumns + ", CASE WHEN \(filter.includeEmbeddings) THEN embedding END", query: nil, filter: filter,
            limit: limit, Self.decodeContextItem)
    }

    package func contextItemSketches(matching filter: ContextItemFilter, limit: Int) async throws -> [ContextItemSketch] {
        try await selectContextItems(columns: Self.sketchColumns, query: nil, filter: filter, limit: limit, Self.decodeSketch)
    }

    package func contextItems(ids: [UUID], userID: String) async throws -> [ContextItem] {
        try StoredTextCheck.check(userID, field: "user_id")
        guard !ids.isEmpty else { return [] }
        return try await fetch(
            """
            SELECT \(unescaped: Self.contextItemColumns), NULL::bytea FROM context_items
            WHERE user_id = \(userID) AND id = ANY(\(ids)::uuid[])
            """, Self.decodeContextItem)
    }

    static let sketchColumns = "id, content, importance, access_count, embedding"

    static func decodeSketch(_ row: PostgresRow) throws -> ContextItemSketch {
        let (id, content, importance, accessCount, embedding) = try row.decode((UUID, String, Double, Int64, ByteBuffer?).self)
        return ContextItemSketch(
            id: id, content: content, importance: importance, accessCount: accessCount,
            embedding: embedding.flatMap { VectorBytes.decode($0.readableBytesView) })
    }

    package func contextItemMatches(terms: [String], filter: ContextItemFilter, limit: Int) async throws -> [ContextItemSketch] {
        let words = terms.filter { !$0.isEmpty && $0.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil } }
        guard !words.isEmpty, limit > 0 else { return [] }
        // A run of an unspaced script (Chinese, Japanese, Korean) becomes a phrase of its characters.
        let query = words.map { word in
            let parts = SearchText.spacingUnspacedScripts(word).split(separator: " ")
            return parts.count == 1 ? word : "(" + parts.joined(separator: " <-> ") + ")"
        }.joined(separator: " | ")
        return try await selectContextItems(columns: Self.sketchColumns, query: query, filter: filter, limit: limit, Self.decodeSketch)
    }

    /// `columns` of the filter's items; with a `query` (a `tsquery`), only those it matches, best first.
    private func selectContextItems<Item: Sendable>(
        columns: String, query: String?, filter: ContextItemFilter, limit: Int, _ decode: @escaping @Sendable (PostgresRow) throws -> Item
    ) async throws -> [Item] {
        try StoredTextCheck.check(filter.userID, field: "user_id")
        try StoredTextCheck.check(filter.projectID, field: "project_id")
        let type = filter.contextType?.rawValue
        let scope = filter.scope?.rawValue
        return try await fetch(
            """
            SELECT \(unescaped: columns)
            FROM context_items, to_tsquery('memoryhub_english'::regconfig, coalesce(\(query)::text, '')) AS query
            WHERE (\(query)::text IS NULL OR search_vector @@ query)
                AND (\(filter.userID)::text IS NULL OR user_id = \(filter.userID)::text)
                AND (\(type)::text IS NULL OR context_type = \(type)::text)
                AND (\(scope)::text IS NULL OR scope = \(scope)::text)
                AND (\(filter.projectID)::text IS NULL OR project_id = \(filter.projectID)::text)
                AND (\(filter.sessionID)::uuid IS NULL OR session_id = \(filter.sessionID)::uuid)
            ORDER BY CASE WHEN \(query)::text IS NULL THEN 0 ELSE ts_rank(search_vector, query, 1) END DESC, created_at DESC, id
            LIMIT \(max(0, limit))
            """, decode)
    }

    package func recordContextItemAccess(ids: [UUID], userID: String, at now: Timestamp) async throws {
        try StoredTextCheck.check(userID, field: "user_id")
        guard !ids.isEmpty else { return }
        try await execute(
            """
            UPDATE context_items SET access_count = access_count + 1, last_accessed = \(now.postgres)
            WHERE user_id = \(userID) AND id = ANY(\(ids)::uuid[])
            """)
    }

    package func deleteContextItem(id: UUID, userID: String) async throws -> Bool {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await !fetch("DELETE FROM context_items WHERE id = \(id) AND user_id = \(userID) RETURNING id") {
            try $0.decode(UUID.self)
        }.isEmpty
    }

    /// `PersistentContextMath.decayedImportance` in SQL, evaluated on each row as it is updated
    /// (an access committed meanwhile is seen): weeks since the later of last access and last decay.
    /// `now` is written into the statement as our own ISO 8601 text, never caller input.
    package func decayContextItems(userID: String?, at now: Timestamp) async throws -> Int {
        try StoredTextCheck.check(userID, field: "user_id")
        let decayed = """
            LEAST(importance, GREATEST(\(PersistentContextMath.importanceFloor), importance * power(\(PersistentContextMath.weeklyRetention),
                GREATEST(0, EXTRACT(EPOCH FROM ('\(now.iso8601)'::timestamptz - GREATEST(last_accessed, coalesce(decayed_at, last_accessed))))
                    / \(PersistentContextMath.week)))))
            """
        return try await fetch(
            """
            UPDATE context_items SET importance = \(unescaped: decayed), decayed_at = \(now.postgres)
            WHERE (\(userID)::text IS NULL OR user_id = \(userID)::text)
                AND importance - \(unescaped: decayed) >= \(unescaped: "\(PersistentContextMath.smallestDecay)")
            RETURNING id
            """
        ) { try $0.decode(UUID.self) }.count
    }

    package func removeStaleContextItems(userID: String?, unaccessedSince: Timestamp) async throws -> Int {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            DELETE FROM context_items
            WHERE (\(userID)::text IS NULL OR user_id = \(userID)::text) AND last_accessed < \(unaccessedSince.postgres)
                AND importance < 0.2 AND access_count < 3
            RETURNING id
            """
        ) { try $0.decode(UUID.self) }.count
    }

    package func contextEmbeddingJobs(limit: Int) async throws -> [EmbeddingJob] {
        try await fetch(
            "SELECT id, user_id, version, content FROM context_items WHERE NOT has_embedding ORDER BY created_at LIMIT \(max(0, limit))"
        ) { row in
            let (id, userID, version, content) = try row.decode((UUID, String, Int64, String).self)
            return EmbeddingJob(id: id, userID: userID, version: version, text: content)
        }
    }

    package func storeContextEmbeddings(_ embeddings: [ComputedEmbedding]) async throws -> Int {
        var stored = 0
        for embedding in embeddings {
            let bytes = embedding.vector.isEmpty ? nil : ByteBuffer(bytes: VectorBytes.encode(embedding.vector))
            stored += try await fetch(
                """
                UPDATE context_items SET embedding = \(bytes)::bytea, has_embedding = true
                WHERE id = \(embedding.id) AND version = \(embedding.version) RETURNING id
                """
            ) { try $0.decode(UUID.self) }.count
        }
        return stored
    }

    static func decodeContextItem(_ row: PostgresRow) throws -> ContextItem {
        let (
            id, userID, scope, projectID, sessionID, type, content, importance, accessCount, lastAccessed, entities, metadata,
            createdAt, updatedAt, decayedAt, version, embedding
        ) = try row.decode(
            (
                UUID, String, String, String?, UUID?, String, String, Double, Int64, PostgresTimestamp, [String], PostgresJSONObject,
                PostgresTimestamp, PostgresTimestamp, PostgresTimestamp?, Int64, ByteBuffer?
            ).self)
        guard let itemScope = ContextItemScope(rawValue: scope), let itemType = ContextItemType(rawValue: type) else {
            throw MemoryHubError.internal("corrupt context item in store: \(id.lowercased)")
        }
        return ContextItem(
            id: id, userID: userID, scope: itemScope, projectID: projectID, sessionID: sessionID, contextType: itemType,
            content: content, importance: importance, accessCount: accessCount, lastAccessed: lastAccessed.timestamp,
            relatedEntities: entities, metadata: metadata.object, createdAt: createdAt.timestamp, updatedAt: updatedAt.timestamp,
            decayedAt: decayedAt?.timestamp, version: version, embedding: embedding.flatMap { VectorBytes.decode($0.readableBytesView) })
    }
}
