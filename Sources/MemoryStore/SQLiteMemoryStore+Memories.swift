package import MemoryCore
import GRDB
import Logging
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension SQLiteMemoryStore {
    /// The most memory inserts one write transaction takes.
    static let maximumInsertBatch = 64

    package var insertBatching: GroupCommitStatistics { memoryInserts.statistics }

    package func insertMemory(_ memory: Memory, contentHash: String?, at now: Timestamp) async throws -> MemoryInsertion {
        try StoredTextCheck.check(memory)
        return try await run { try await memoryInserts.submit(MemoryInsert(memory: memory, contentHash: contentHash, now: now)) }
    }

    /// One write transaction for a batch of inserts, each in a savepoint of its own so that one
    /// item's failure (its session gone) undoes only that item.
    static func writeInserts(_ items: [MemoryInsert], pool: DatabasePool) async -> [Result<MemoryInsertion, any Error>] {
        do {
            return try await pool.write { db in
                items.map { item in
                    Result<MemoryInsertion, any Error> {
                        var outcome: MemoryInsertion?
                        try db.inSavepoint {
                            outcome = try insert(item, db)
                            return .commit
                        }
                        guard let outcome else { throw MemoryHubError.internal("an insert's savepoint returned nothing") }
                        return outcome
                    }
                }
            }
        } catch {
            return Array(repeating: .failure(error), count: items.count)
        }
    }

    /// The insert itself: an identical memory of the user's project has its access counted and is
    /// returned; otherwise the session is counted and the memory inserted with the user's next
    /// change sequence.
    private static func insert(_ item: MemoryInsert, _ db: Database) throws -> MemoryInsertion {
        let memory = item.memory
        if let contentHash = item.contentHash,
            let existing = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE memories SET access_count = access_count + 1, last_accessed = ?
                        WHERE user_id = ? AND ifnull(project_id, '') = ifnull(?, '') AND content_hash = ? RETURNING *
                        """),
                arguments: [item.now.microsecondsSinceEpoch, memory.userID, memory.projectID, contentHash])
        {
            return .duplicate(of: try Self.memory(from: existing))
        }
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE sessions SET memory_count = memory_count + 1, updated_at = ?, version = version + 1
                        WHERE id = ? AND user_id = ? RETURNING *
                        """),
                arguments: [item.now.microsecondsSinceEpoch, memory.sessionID.lowercased, memory.userID])
        else { throw MemoryHubError.sessionNotFound(memory.sessionID.lowercased) }
        try db.cachedStatement(
            sql: """
                INSERT INTO memories (id, session_id, user_id, project_id, content, summary, memory_type, importance,
                    confidence, entities, tags, related_memories, metadata, has_embedding, access_count,
                    last_accessed, created_at, updated_at, version, superseded_by, change_seq, content_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: try Self.arguments(for: memory) + [try Self.nextSequence(db, userID: memory.userID), item.contentHash])
        return .inserted(try Self.session(from: row))
    }

    package func memory(id: UUID, userID: String?) async throws -> Memory? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in try Self.fetchMemory(db, id: id, userID: userID) }
    }

    package func recordAccess(memoryID: UUID, userID: String?, at now: Timestamp) async throws -> Memory? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await write { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE memories SET access_count = access_count + 1, last_accessed = ?
                    WHERE id = ? AND (? IS NULL OR user_id = ?) RETURNING *
                    """,
                arguments: [now.microsecondsSinceEpoch, memoryID.lowercased, userID, userID]
            ).map(Self.memory(from:))
        }
    }

    package func updateMemory(id: UUID, userID: String?, change: MemoryChange, at now: Timestamp) async throws -> Memory? {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(change)
        return try await write { db in
            guard let current = try Self.fetchMemory(db, id: id, userID: userID) else { return nil }
            let updated = change.applied(to: current, at: now)
            // An edit that makes the content equal another memory's is kept as asked, unhashed:
            // de-duplication applies to new writes, never to an explicit edit.
            try db.execute(
                sql: """
                    UPDATE memories SET content = ?, summary = ?, importance = ?, confidence = ?, entities = ?, tags = ?,
                        metadata = ?, has_embedding = ?, embedding = CASE WHEN ? THEN embedding END, updated_at = ?,
                        version = ?, superseded_by = ?, change_seq = ?,
                        content_hash = CASE WHEN ? IS NULL THEN (CASE WHEN content = ? THEN content_hash END) WHEN EXISTS (
                            SELECT 1 FROM memories other WHERE other.user_id = memories.user_id
                                AND ifnull(other.project_id, '') = ifnull(memories.project_id, '')
                                AND other.content_hash = ? AND other.id <> memories.id) THEN NULL ELSE ? END
                    WHERE id = ?
                    """,
                arguments: [
                    updated.content, updated.summary, updated.importance, updated.confidence,
                    JSONText.encode(updated.entities), JSONText.encode(updated.tags),
                    JSONText.encode(updated.metadata), updated.hasEmbedding, updated.hasEmbedding,
                    updated.updatedAt.microsecondsSinceEpoch, updated.version, updated.supersededBy?.lowercased,
                    try Self.nextSequence(db, userID: current.userID), change.contentHash, updated.content, change.contentHash, change.contentHash,
                    id.lowercased,
                ])
            return updated
        }
    }

    package func deleteMemory(id: UUID, userID: String?, at now: Timestamp) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await write { db in
            guard let memory = try Self.fetchMemory(db, id: id, userID: userID) else { return nil }
            try db.execute(sql: "DELETE FROM memories WHERE id = ?", arguments: [id.lowercased])
            let sequence = try Self.nextSequence(db, userID: memory.userID)
            try db.execute(
                sql: "INSERT OR REPLACE INTO memory_tombstones (id, user_id, change_seq) VALUES (?, ?, ?)",
                arguments: [id.lowercased, memory.userID, sequence])
            // Memories it superseded are current again: nothing replaces them any more.
            try db.execute(
                sql: """
                    UPDATE memories SET superseded_by = NULL, metadata = json_remove(metadata, '$.superseded_reason'),
                        version = version + 1, updated_at = ?, change_seq = ?
                    WHERE user_id = ? AND superseded_by = ?
                    """,
                arguments: [now.microsecondsSinceEpoch, sequence, memory.userID, id.lowercased])
            return try Row.fetchOne(
                db,
                sql: """
                    UPDATE sessions SET memory_count = memory_count - 1, updated_at = ?, version = version + 1
                    WHERE id = ? RETURNING *
                    """,
                arguments: [now.microsecondsSinceEpoch, memory.sessionID.lowercased]
            ).map(Self.session(from:))
        }
    }

    package func memoryID(contentHash: String, userID: String, projectID: String?) async throws -> UUID? {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        return try await read { db in
            try String.fetchOne(
                db, sql: "SELECT id FROM memories WHERE user_id = ? AND ifnull(project_id, '') = ifnull(?, '') AND content_hash = ?",
                arguments: [userID, projectID, contentHash]
            ).map { try Self.uuid($0) }
        }
    }

    package func newestMemories(userID: String, projectID: String?, limit: Int) async throws -> [MemorySketch] {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        return try await read { db in
            // Every capture write reads this: a cached statement is compiled once per connection,
            // and rows are decoded by position as the cursor steps (by name, GRDB lower-cases
            // each column name for every row).
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT id, session_id, content, memory_type, created_at, superseded_by FROM memories
                        WHERE user_id = ? AND project_id IS ? ORDER BY created_at DESC LIMIT ?
                        """),
                arguments: [userID, projectID, max(0, limit)])
            var sketches: [MemorySketch] = []
            while let row = try rows.next() {
                sketches.append(MemorySketch(
                    id: try Self.uuid(row, at: 0), sessionID: try Self.uuid(row, at: 1), content: row[2],
                    memoryType: MemoryType(rawValue: row[3]) ?? .fact, createdAt: Timestamp(microsecondsSinceEpoch: row[4]),
                    supersededBy: try (row[5] as String?).map { try Self.uuid($0) }))
            }
            return sketches
        }
    }

    package func memories(matching filter: MemoryFilter, limit: Int, offset: Int) async throws -> Page<Memory> {
        try StoredTextCheck.check(filter)
        let (clauses, arguments) = Self.clauses(of: filter)
        return try await page(
            table: "memories", where: clauses, arguments: arguments, order: Self.memoryOrder, limit: limit, offset: offset,
            Self.memory(from:))
    }

    /// How pages of memories are ordered: newest first.
    static let memoryOrder = "created_at DESC, id DESC"

    /// The WHERE clauses (joined by AND) and their arguments that select `filter`'s memories.
    static func clauses(of filter: MemoryFilter) -> (clauses: [String], arguments: StatementArguments) {
        // Within a session, its own index is the one to use: without `+`, SQLite (no ANALYZE
        // statistics) walks all the user's memories in time order looking for the session's.
        var clauses = [filter.sessionID == nil ? "user_id = ?" : "+user_id = ?"]
        var arguments: StatementArguments = [filter.userID]
        if let sessionID = filter.sessionID {
            clauses.append("session_id = ?")
            _ = arguments.append(contentsOf: [sessionID.lowercased])
        }
        if let projectID = filter.projectID {
            clauses.append("project_id = ?")
            _ = arguments.append(contentsOf: [projectID])
        }
        if let memoryType = filter.memoryType {
            clauses.append("memory_type = ?")
            _ = arguments.append(contentsOf: [memoryType.rawValue])
        }
        if let minImportance = filter.minImportance {
            clauses.append("importance >= ?")
            _ = arguments.append(contentsOf: [minImportance])
        }
        if !filter.memoryTypes.isEmpty {
            let types = filter.memoryTypes.map(\.rawValue).sorted()
            clauses.append("memory_type IN (\(types.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(types))
        }
        if !filter.tags.isEmpty {
            clauses.append("EXISTS (SELECT 1 FROM json_each(memories.tags) WHERE json_each.value IN (\(filter.tags.map { _ in "?" }.joined(separator: ", "))))")
            _ = arguments.append(contentsOf: StatementArguments(filter.tags))
        }
        if let createdAfter = filter.createdAfter {
            clauses.append("created_at >= ?")
            _ = arguments.append(contentsOf: [createdAfter.microsecondsSinceEpoch])
        }
        return (clauses, arguments)
    }

    package func existingMemoryIDs(_ ids: [UUID], userID: String) async throws -> Set<UUID> {
        try StoredTextCheck.check(userID, field: "user_id")
        guard !ids.isEmpty else { return [] }
        let texts = ids.map(\.lowercased)
        return try await read { db in
            let found = try String.fetchAll(
                db,
                sql: "SELECT id FROM memories WHERE +user_id = ? AND id IN (\(texts.map { _ in "?" }.joined(separator: ", ")))",
                arguments: [userID] + StatementArguments(texts))
            return Set(found.compactMap(UUID.init(uuidString:)))
        }
    }

    package func memories(ids: [UUID], userID: String) async throws -> [Memory] {
        try StoredTextCheck.check(userID, field: "user_id")
        guard !ids.isEmpty else { return [] }
        let texts = ids.map(\.lowercased)
        return try await read { db in
            var found: [Memory] = []
            // Bounded IN lists keep each statement under SQLite's variable limit. `+user_id` keeps
            // the planner on the primary key: the user index would scan all of the user's rows.
            for start in stride(from: 0, to: texts.count, by: 500) {
                let chunk = Array(texts[start..<min(start + 500, texts.count)])
                found += try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM memories WHERE +user_id = ? AND id IN (\(chunk.map { _ in "?" }.joined(separator: ", ")))",
                    arguments: [userID] + StatementArguments(chunk)
                ).map(Self.memory(from:))
            }
            return found
        }
    }
}
