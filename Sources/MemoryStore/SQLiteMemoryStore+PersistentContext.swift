package import MemoryCore
import GRDB
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Persistent context on SQLite: the `context_items` table, its FTS5 index (kept by triggers)
/// and its background embeddings. Every statement that names items by id is scoped by user.
extension SQLiteMemoryStore {
    static let contextItemColumns = """
        id, user_id, scope, project_id, session_id, context_type, content, importance, access_count, last_accessed,
        related_entities, metadata, created_at, updated_at, decayed_at, version
        """

    package func insertContextItem(_ item: ContextItem) async throws {
        try Self.check(item)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO context_items (\(Self.contextItemColumns), has_embedding)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                    """,
                arguments: [
                    item.id.lowercased, item.userID, item.scope.rawValue, item.projectID, item.sessionID?.lowercased,
                    item.contextType.rawValue, item.content, item.importance, item.accessCount,
                    item.lastAccessed.microsecondsSinceEpoch, JSONText.encode(item.relatedEntities), JSONText.encode(item.metadata),
                    item.createdAt.microsecondsSinceEpoch, item.updatedAt.microsecondsSinceEpoch,
                    item.decayedAt?.microsecondsSinceEpoch, item.version,
                ])
        }
    }

    package func contextItem(id: UUID, userID: String?) async throws -> ContextItem? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(Self.contextItemColumns), embedding FROM context_items WHERE id = ? AND (? IS NULL OR user_id = ?)",
                arguments: [id.lowercased, userID, userID]
            ).map { try Self.contextItem($0, withEmbedding: true) }
        }
    }

    package func contextItems(matching filter: ContextItemFilter, limit: Int) async throws -> [ContextItem] {
        let (clauses, arguments) = try Self.conditions(for: filter)
        let columns = Self.contextItemColumns + (filter.includeEmbeddings ? ", embedding" : "")
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(columns) FROM context_items WHERE rowid IN (\(Self.newestRowIDs(clauses)))
                    ORDER BY created_at DESC, id
                    """,
                arguments: arguments + [max(0, limit)]
            ).map { try Self.contextItem($0, withEmbedding: filter.includeEmbeddings) }
        }
    }

    package func contextItemSketches(matching filter: ContextItemFilter, limit: Int) async throws -> [ContextItemSketch] {
        let (clauses, arguments) = try Self.conditions(for: filter)
        return try await read { db in
            try Self.sketches(
                db, sql: "SELECT \(Self.sketchColumns) FROM context_items WHERE rowid IN (\(Self.newestRowIDs(clauses)))",
                arguments: arguments + [max(0, limit)])
        }
    }

    package func contextItemMatches(terms: [String], filter: ContextItemFilter, limit: Int) async throws -> [ContextItemSketch] {
        try StoredTextCheck.check(terms, field: "query")
        // Each term quoted for FTS5, so no character of it is query syntax.
        let expression = terms.map { term in
            let spaced = SearchText.spacingUnspacedScripts(term).trimmedWhitespace
            return "\"" + spaced.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
        }.joined(separator: " OR ")
        guard !terms.isEmpty, limit > 0 else { return [] }
        let (clauses, arguments) = try Self.conditions(for: filter, alias: "c")
        let columns = Self.sketchColumns.split(separator: ",").map { "c." + String($0).trimmedWhitespace }.joined(separator: ", ")
        return try await read { db in
            try Self.sketches(
                db,
                sql: """
                    SELECT \(columns) FROM context_items_fts JOIN context_items c ON c.rowid = context_items_fts.rowid
                    WHERE context_items_fts MATCH ? AND \(clauses.joined(separator: " AND "))
                    ORDER BY \(FTS5BM25.name)(context_items_fts, 'context_items_fts') LIMIT ?
                    """,
                arguments: [expression] + arguments + [limit])
        }
    }

    package func contextItems(ids: [UUID], userID: String) async throws -> [ContextItem] {
        try StoredTextCheck.check(userID, field: "user_id")
        guard !ids.isEmpty else { return [] }
        return try await read { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            return try Row.fetchAll(
                db,
                sql: "SELECT \(Self.contextItemColumns) FROM context_items WHERE user_id = ? AND id IN (\(marks))",
                arguments: [userID] + StatementArguments(ids.map(\.lowercased))
            ).map { try Self.contextItem($0, withEmbedding: false) }
        }
    }

    static let sketchColumns = "id, content, importance, access_count, embedding"

    /// The rowids of the newest `?` items passing `clauses`. Sorting rowids alone, then reading
    /// the rows, keeps SQLite from copying every row with its 1.5 KB vector into its sorter (ten
    /// times slower at 10k items).
    static func newestRowIDs(_ clauses: [String]) -> String {
        "SELECT rowid FROM context_items WHERE \(clauses.joined(separator: " AND ")) ORDER BY created_at DESC, id LIMIT ?"
    }

    /// Ranking reads every candidate: through a cursor (no row kept), columns by position, each
    /// vector decoded from SQLite's own buffer.
    static func sketches(_ db: Database, sql: String, arguments: StatementArguments) throws -> [ContextItemSketch] {
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        var sketches: [ContextItemSketch] = []
        while let row = try cursor.next() {
            sketches.append(
                ContextItemSketch(
                    id: try uuid(row[0]), content: row[1], importance: row[2], accessCount: row[3],
                    embedding: try row.withUnsafeData(atIndex: 4) { $0.flatMap { VectorBytes.decode($0) } }))
        }
        return sketches
    }

    package func recordContextItemAccess(ids: [UUID], userID: String, at now: Timestamp) async throws {
        try StoredTextCheck.check(userID, field: "user_id")
        guard !ids.isEmpty else { return }
        try await write { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            try db.execute(
                sql: """
                    UPDATE context_items SET access_count = access_count + 1, last_accessed = ?
                    WHERE user_id = ? AND id IN (\(marks))
                    """,
                arguments: [now.microsecondsSinceEpoch, userID] + StatementArguments(ids.map(\.lowercased)))
        }
    }

    package func deleteContextItem(id: UUID, userID: String) async throws -> Bool {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await write { db in
            try db.execute(sql: "DELETE FROM context_items WHERE id = ? AND user_id = ?", arguments: [id.lowercased, userID])
            return db.changesCount > 0
        }
    }

    /// The formula runs in Swift (`PersistentContextMath`), called by SQLite for each row inside
    /// one write transaction, so the stored values and the rule cannot drift apart.
    package func decayContextItems(userID: String?, at now: Timestamp) async throws -> Int {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await write { db in
            db.add(function: Self.decayFunction)
            let decayed = "memoryhub_decayed_importance(importance, last_accessed, decayed_at, ?)"
            try db.execute(
                sql: """
                    UPDATE context_items SET importance = \(decayed), decayed_at = ?
                    WHERE (? IS NULL OR user_id = ?) AND \(decayed) IS NOT NULL
                    """,
                arguments: [
                    now.microsecondsSinceEpoch, now.microsecondsSinceEpoch, userID, userID, now.microsecondsSinceEpoch,
                ])
            return db.changesCount
        }
    }

    /// `memoryhub_decayed_importance(importance, last_accessed, decayed_at, now)`: the decayed
    /// importance, or NULL when the item is left as it is.
    static let decayFunction = DatabaseFunction("memoryhub_decayed_importance", argumentCount: 4, pure: true) { values in
        guard let importance = Double.fromDatabaseValue(values[0]), let lastAccessed = Int64.fromDatabaseValue(values[1]),
            let now = Int64.fromDatabaseValue(values[3])
        else { return nil }
        return PersistentContextMath.decayedImportance(
            importance, lastAccessed: Timestamp(microsecondsSinceEpoch: lastAccessed),
            decayedAt: Int64.fromDatabaseValue(values[2]).map(Timestamp.init(microsecondsSinceEpoch:)),
            now: Timestamp(microsecondsSinceEpoch: now))
    }

    package func removeStaleContextItems(userID: String?, unaccessedSince: Timestamp) async throws -> Int {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await write { db in
            try db.execute(
                sql: """
                    DELETE FROM context_items
                    WHERE (? IS NULL OR user_id = ?) AND last_accessed < ? AND importance < 0.2 AND access_count < 3
                    """,
                arguments: [userID, userID, unaccessedSince.microsecondsSinceEpoch])
            return db.changesCount
        }
    }

    package func contextEmbeddingJobs(limit: Int) async throws -> [EmbeddingJob] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, user_id, version, content FROM context_items WHERE has_embedding = 0 ORDER BY created_at LIMIT ?",
                arguments: [max(0, limit)]
            ).map { row in
                EmbeddingJob(id: try Self.uuid(row["id"]), userID: row["user_id"], version: row["version"], text: row["content"])
            }
        }
    }

    package func storeContextEmbeddings(_ embeddings: [ComputedEmbedding]) async throws -> Int {
        guard !embeddings.isEmpty else { return 0 }
        return try await write { db in
            var stored = 0
            for embedding in embeddings {
                try db.execute(
                    sql: "UPDATE context_items SET embedding = ?, has_embedding = 1 WHERE id = ? AND version = ?",
                    arguments: [
                        embedding.vector.isEmpty ? nil : Data(VectorBytes.encode(embedding.vector)), embedding.id.lowercased,
                        embedding.version,
                    ])
                stored += db.changesCount
            }
            return stored
        }
    }

    // MARK: Rows

    static func check(_ item: ContextItem) throws {
        try StoredTextCheck.check(item.userID, field: "user_id")
        try StoredTextCheck.check(item.projectID, field: "project_id")
        try StoredTextCheck.check(item.content, field: "content")
        try StoredTextCheck.check(item.relatedEntities, field: "related_entities")
        try StoredTextCheck.check(item.metadata, field: "metadata")
    }

    static func conditions(for filter: ContextItemFilter, alias: String? = nil) throws -> ([String], StatementArguments) {
        try StoredTextCheck.check(filter.userID, field: "user_id")
        try StoredTextCheck.check(filter.projectID, field: "project_id")
        let prefix = alias.map { $0 + "." } ?? ""
        var clauses = ["1 = 1"]
        var arguments: StatementArguments = []
        if let userID = filter.userID {
            clauses.append("\(prefix)user_id = ?")
            arguments += [userID]
        }
        if let type = filter.contextType {
            clauses.append("\(prefix)context_type = ?")
            arguments += [type.rawValue]
        }
        if let scope = filter.scope {
            clauses.append("\(prefix)scope = ?")
            arguments += [scope.rawValue]
        }
        if let projectID = filter.projectID {
            clauses.append("\(prefix)project_id = ?")
            arguments += [projectID]
        }
        if let sessionID = filter.sessionID {
            clauses.append("\(prefix)session_id = ?")
            arguments += [sessionID.lowercased]
        }
        return (clauses, arguments)
    }

    static func contextItem(_ row: Row, withEmbedding: Bool) throws -> ContextItem {
        guard let scope = ContextItemScope(rawValue: row["scope"]), let type = ContextItemType(rawValue: row["context_type"]) else {
            throw MemoryHubError.internal("corrupt context item in store: \(row["id"] as String? ?? "?")")
        }
        return ContextItem(
            id: try uuid(row["id"]), userID: row["user_id"], scope: scope, projectID: row["project_id"],
            sessionID: try (row["session_id"] as String?).map(uuid), contextType: type, content: row["content"],
            importance: row["importance"], accessCount: row["access_count"],
            lastAccessed: Timestamp(microsecondsSinceEpoch: row["last_accessed"]),
            relatedEntities: try JSONText.decodeStrings(row["related_entities"]), metadata: try JSONText.decodeObject(row["metadata"]),
            createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]),
            updatedAt: Timestamp(microsecondsSinceEpoch: row["updated_at"]),
            decayedAt: (row["decayed_at"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)), version: row["version"],
            embedding: withEmbedding ? (row["embedding"] as Data?).flatMap { VectorBytes.decode($0) } : nil)
    }
}
