package import MemoryCore
import GRDB
package import Logging
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The embedded store: one SQLite file in WAL mode through GRDB. Several processes may share the
/// file; writes are IMMEDIATE transactions, so each read-modify-write below holds SQLite's write
/// lock from its read to its commit and concurrent merges never lose each other's changes.
package final class SQLiteMemoryStore: MemoryStore {
    /// How to open the database.
    package struct Configuration: Sendable {
        /// The database file; created with its folder when missing.
        package var path: String
        /// How long a write waits for another process's write lock before failing.
        package var busyTimeout: Double = 10
        /// Reader connections in the pool.
        package var maximumReaderCount: Int = 4

        package init(path: String) {
            self.path = path
        }
    }

    let pool: DatabasePool
    /// A connection of its own that only asks `PRAGMA data_version`, whose answer changes when any
    /// other connection (another process, or this store's writer) commits.
    private let watcher: DatabaseQueue
    private let logger: Logger

    package init(configuration: Configuration, logger: Logger) throws {
        var config = GRDB.Configuration()
        config.busyMode = .timeout(configuration.busyTimeout)
        config.maximumReaderCount = configuration.maximumReaderCount
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let folder = URL(fileURLWithPath: configuration.path).deletingLastPathComponent().path
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            self.pool = try DatabasePool(path: configuration.path, configuration: config)
            var watcherConfig = GRDB.Configuration()
            watcherConfig.busyMode = .timeout(configuration.busyTimeout)
            self.watcher = try DatabaseQueue(path: configuration.path, configuration: watcherConfig)
        } catch {
            throw MemoryHubError.unavailable("cannot open SQLite database at \(configuration.path): \(error)")
        }
        self.logger = logger
    }

    package func migrate() async throws {
        try await run { [pool] in try SQLiteSchema.migrator.migrate(pool) }
    }

    package func ping() async throws {
        try await read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// A number that changes whenever another connection has committed to the file since the last
    /// call: the cache uses it to know when its entries need checking.
    package func changeGeneration() async throws -> Int64 {
        try await run { [watcher] in
            try watcher.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        }
    }

    // MARK: Sessions

    package func insertSession(_ session: Session) async throws {
        try StoredTextCheck.check(session)
        try await write { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO sessions (id, user_id, project_id, client_session_id, parent_session_id, state,
                            started_at, ended_at, end_reason, summary, metadata, tags, memory_count,
                            created_at, updated_at, version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        session.id.lowercased, session.userID, session.projectID, session.clientSessionID,
                        session.parentSessionID?.lowercased, session.state.rawValue,
                        session.startedAt.microsecondsSinceEpoch, session.endedAt?.microsecondsSinceEpoch,
                        session.endReason, session.summary, JSONText.encode(session.metadata),
                        JSONText.encode(session.tags), session.memoryCount,
                        session.createdAt.microsecondsSinceEpoch, session.updatedAt.microsecondsSinceEpoch,
                        session.version,
                    ])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw MemoryHubError(
                    kind: .conflict, code: .duplicateClientSessionID,
                    detail: "The user already has a session with this client_session_id.")
            }
        }
    }

    package func session(id: UUID, userID: String?) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in try Self.fetchSession(db, id: id, userID: userID) }
    }

    package func session(clientSessionID: String, userID: String) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(clientSessionID, field: "client_session_id")
        return try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM sessions WHERE user_id = ? AND client_session_id = ?",
                arguments: [userID, clientSessionID]
            ).map(Self.session(from:))
        }
    }

    package func sessionVersion(id: UUID) async throws -> Int64? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT version FROM sessions WHERE id = ?", arguments: [id.lowercased])
        }
    }

    package func latestActiveSession(userID: String, projectID: String?, updatedSince: Timestamp) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        return try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM sessions
                    WHERE user_id = ? AND project_id IS ? AND state = 'active' AND updated_at >= ?
                    ORDER BY updated_at DESC, id DESC LIMIT 1
                    """,
                arguments: [userID, projectID, updatedSince.microsecondsSinceEpoch]
            ).map(Self.session(from:))
        }
    }

    package func updateSession(id: UUID, userID: String?, change: SessionChange, at now: Timestamp) async throws -> SessionUpdateResult {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(change)
        return try await write { db in
            guard let current = try Self.fetchSession(db, id: id, userID: userID) else { return .notFound }
            if let required = change.requiredStates, !required.contains(current.state) {
                return .stateMismatch(current)
            }
            let updated = change.applied(to: current, at: now)
            try db.execute(
                sql: """
                    UPDATE sessions SET state = ?, ended_at = ?, end_reason = ?, summary = ?, metadata = ?, tags = ?,
                        updated_at = ?, version = ?
                    WHERE id = ?
                    """,
                arguments: [
                    updated.state.rawValue, updated.endedAt?.microsecondsSinceEpoch, updated.endReason,
                    updated.summary, JSONText.encode(updated.metadata), JSONText.encode(updated.tags),
                    updated.updatedAt.microsecondsSinceEpoch, updated.version, id.lowercased,
                ])
            return .updated(updated)
        }
    }

    package func deleteSession(id: UUID, userID: String?, at now: Timestamp) async throws -> [Session]? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await write { db in
            guard let session = try Self.fetchSession(db, id: id, userID: userID) else { return nil }
            if session.memoryCount > 0 {
                let sequence = try Self.nextSequence(db, userID: session.userID)
                try db.execute(
                    sql: "INSERT OR REPLACE INTO memory_tombstones (id, user_id, change_seq) SELECT id, user_id, ? FROM memories WHERE session_id = ?",
                    arguments: [sequence, id.lowercased])
            }
            try db.execute(sql: "DELETE FROM memories WHERE session_id = ?", arguments: [id.lowercased])
            try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [id.lowercased])
            return try Row.fetchAll(
                db,
                sql: """
                    UPDATE sessions SET parent_session_id = NULL, updated_at = ?, version = version + 1
                    WHERE parent_session_id = ? AND user_id = ? RETURNING *
                    """,
                arguments: [now.microsecondsSinceEpoch, id.lowercased, session.userID]
            ).map(Self.session(from:))
        }
    }

    package func sessions(matching filter: SessionFilter, limit: Int, offset: Int) async throws -> Page<Session> {
        try StoredTextCheck.check(filter)
        var clauses = ["user_id = ?"]
        var arguments: StatementArguments = [filter.userID]
        if let projectID = filter.projectID {
            clauses.append("project_id = ?")
            _ = arguments.append(contentsOf: [projectID])
        }
        if let states = filter.states {
            let sorted = states.map(\.rawValue).sorted()
            clauses.append("state IN (\(sorted.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(sorted))
        }
        let whereClause = clauses.joined(separator: " AND ")
        let countArguments = arguments
        let pageArguments = arguments + [limit, offset]
        return try await read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions WHERE \(whereClause)", arguments: countArguments) ?? 0
            let items = try Row.fetchAll(
                db,
                sql: "SELECT * FROM sessions WHERE \(whereClause) ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
                arguments: pageArguments
            ).map(Self.session(from:))
            return Page(items: items, total: total)
        }
    }

    package func childSessions(of parentID: UUID, userID: String) async throws -> [Session] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM sessions WHERE parent_session_id = ? AND user_id = ? ORDER BY started_at, id",
                arguments: [parentID.lowercased, userID]
            ).map(Self.session(from:))
        }
    }

    package func cleanupCandidates(state: SessionState, before: Timestamp, limit: Int) async throws -> [Session] {
        let column = state == .ended ? "ended_at" : "updated_at"
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM sessions WHERE state = ? AND \(column) < ? ORDER BY \(column) LIMIT ?",
                arguments: [state.rawValue, before.microsecondsSinceEpoch, limit]
            ).map(Self.session(from:))
        }
    }

    // MARK: Memories

    package func insertMemory(_ memory: Memory, at now: Timestamp) async throws -> Session {
        try StoredTextCheck.check(memory)
        return try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        UPDATE sessions SET memory_count = memory_count + 1, updated_at = ?, version = version + 1
                        WHERE id = ? AND user_id = ? RETURNING *
                        """,
                    arguments: [now.microsecondsSinceEpoch, memory.sessionID.lowercased, memory.userID])
            else { throw MemoryHubError.sessionNotFound(memory.sessionID.lowercased) }
            try db.execute(
                sql: """
                    INSERT INTO memories (id, session_id, user_id, project_id, content, summary, memory_type, importance,
                        confidence, entities, tags, related_memories, metadata, has_embedding, access_count,
                        last_accessed, created_at, updated_at, version, change_seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: try Self.arguments(for: memory) + [try Self.nextSequence(db, userID: memory.userID)])
            return try Self.session(from: row)
        }
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
            try db.execute(
                sql: """
                    UPDATE memories SET content = ?, summary = ?, importance = ?, confidence = ?, entities = ?, tags = ?,
                        metadata = ?, has_embedding = ?, embedding = CASE WHEN ? THEN embedding END, updated_at = ?,
                        version = ?, change_seq = ?
                    WHERE id = ?
                    """,
                arguments: [
                    updated.content, updated.summary, updated.importance, updated.confidence,
                    JSONText.encode(updated.entities), JSONText.encode(updated.tags),
                    JSONText.encode(updated.metadata), updated.hasEmbedding, updated.hasEmbedding,
                    updated.updatedAt.microsecondsSinceEpoch, updated.version,
                    try Self.nextSequence(db, userID: current.userID), id.lowercased,
                ])
            return updated
        }
    }

    package func deleteMemory(id: UUID, userID: String?, at now: Timestamp) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await write { db in
            guard let memory = try Self.fetchMemory(db, id: id, userID: userID) else { return nil }
            try db.execute(sql: "DELETE FROM memories WHERE id = ?", arguments: [id.lowercased])
            try db.execute(
                sql: "INSERT OR REPLACE INTO memory_tombstones (id, user_id, change_seq) VALUES (?, ?, ?)",
                arguments: [id.lowercased, memory.userID, try Self.nextSequence(db, userID: memory.userID)])
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

    package func memories(matching filter: MemoryFilter, limit: Int, offset: Int) async throws -> Page<Memory> {
        try StoredTextCheck.check(filter)
        var clauses = ["user_id = ?"]
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
        let whereClause = clauses.joined(separator: " AND ")
        let countArguments = arguments
        let pageArguments = arguments + [limit, offset]
        return try await read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM memories WHERE \(whereClause)", arguments: countArguments) ?? 0
            let items = try Row.fetchAll(
                db,
                sql: "SELECT * FROM memories WHERE \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                arguments: pageArguments
            ).map(Self.memory(from:))
            return Page(items: items, total: total)
        }
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

    // MARK: Search index

    package func lexicalMatches(terms: [String], filter: SearchFilter, limit: Int) async throws -> [LexicalMatch] {
        try StoredTextCheck.check(filter)
        try StoredTextCheck.check(terms, field: "query")
        // Each term is quoted for FTS5, so no character of it is query syntax.
        let expression = terms.map { "\"" + $0.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" }.joined(separator: " OR ")
        guard !expression.isEmpty, limit > 0 else { return [] }
        var (clauses, arguments) = Self.conditions(for: filter, alias: "m")
        clauses.insert("memories_fts MATCH ?", at: 0)
        arguments = [expression] + arguments
        let whereClause = clauses.joined(separator: " AND ")
        let allArguments = arguments + [limit]
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.id AS id, bm25(memories_fts) AS rank, m.importance AS importance, m.created_at AS created_at
                    FROM memories_fts
                    JOIN memories m ON m.rowid = memories_fts.rowid
                    WHERE \(whereClause) ORDER BY rank LIMIT ?
                    """,
                arguments: allArguments
            ).map { row in
                LexicalMatch(
                    id: try Self.uuid(row["id"]), score: -(row["rank"] as Double), importance: row["importance"],
                    createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]))
            }
        }
    }

    package func changeSequence(userID: String) async throws -> Int64 {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            try Int64.fetchOne(db, sql: "SELECT value FROM user_sequences WHERE user_id = ?", arguments: [userID]) ?? 0
        }
    }

    package func indexChanges(userID: String, after sequence: Int64) async throws -> [IndexChange] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await read { db in
            var changes = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, change_seq, session_id, project_id, memory_type, importance, tags, created_at, embedding
                    FROM memories WHERE user_id = ? AND change_seq > ?
                    """,
                arguments: [userID, sequence]
            ).map { row -> IndexChange in
                let id = try Self.uuid(row["id"])
                let vector = (row["embedding"] as Data?).flatMap { VectorBytes.decode($0) }
                return IndexChange(
                    id: id, sequence: row["change_seq"],
                    entry: try vector.map { vector in
                        IndexedMemory(
                            id: id, sessionID: try Self.uuid(row["session_id"]), projectID: row["project_id"],
                            memoryType: MemoryType(rawValue: row["memory_type"]) ?? .fact, importance: row["importance"],
                            tags: try JSONText.decodeStrings(row["tags"]),
                            createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]), vector: vector)
                    })
            }
            changes += try Row.fetchAll(
                db, sql: "SELECT id, change_seq FROM memory_tombstones WHERE user_id = ? AND change_seq > ?",
                arguments: [userID, sequence]
            ).map { row in IndexChange(id: try Self.uuid(row["id"]), sequence: row["change_seq"], entry: nil) }
            return changes.sorted { $0.sequence < $1.sequence }
        }
    }

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

    package func memoryCounts(userID: String, projectID: String?, since: Timestamp, mostAccessed: Int) async throws -> StoredMemoryCounts {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        let projectClause = projectID == nil ? "" : " AND project_id = ?"
        let base: StatementArguments = projectID.map { [userID, $0] } ?? [userID]
        return try await read { db in
            var counts = StoredMemoryCounts()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT memory_type, COUNT(*) AS n, SUM(importance) AS importance, SUM(has_embedding) AS embedded,
                        SUM(created_at >= ?) AS recent
                    FROM memories WHERE user_id = ?\(projectClause) GROUP BY memory_type
                    """,
                arguments: [since.microsecondsSinceEpoch] + base)
            {
                let n: Int = row["n"]
                counts.totalMemories += n
                counts.withEmbedding += row["embedded"] as Int
                counts.memoriesSince += row["recent"] as Int
                counts.meanImportance += row["importance"] as Double
                if let type = MemoryType(rawValue: row["memory_type"]) { counts.countsByType[type, default: 0] += n }
            }
            if counts.totalMemories > 0 { counts.meanImportance /= Double(counts.totalMemories) }
            if let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS n, COALESCE(SUM(state = 'active'), 0) AS active, COALESCE(SUM(started_at >= ?), 0) AS recent
                    FROM sessions WHERE user_id = ?\(projectClause)
                    """,
                arguments: [since.microsecondsSinceEpoch] + base)
            {
                counts.totalSessions = row["n"]
                counts.activeSessions = row["active"]
                counts.sessionsSince = row["recent"]
            }
            counts.mostAccessed = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM memories WHERE user_id = ?\(projectClause) AND access_count > 0
                    ORDER BY access_count DESC, last_accessed DESC LIMIT ?
                    """,
                arguments: base + [mostAccessed]
            ).map(Self.memory(from:))
            return counts
        }
    }

    /// The SQL conditions of a search filter, on the memories table under `alias`.
    static func conditions(for filter: SearchFilter, alias: String) -> ([String], StatementArguments) {
        var clauses = ["\(alias).user_id = ?"]
        var arguments: StatementArguments = [filter.userID]
        if let projectID = filter.projectID {
            clauses.append("\(alias).project_id = ?")
            _ = arguments.append(contentsOf: [projectID])
        }
        if let sessionID = filter.sessionID {
            clauses.append("\(alias).session_id = ?")
            _ = arguments.append(contentsOf: [sessionID.lowercased])
        }
        if !filter.memoryTypes.isEmpty {
            let types = filter.memoryTypes.map(\.rawValue).sorted()
            clauses.append("\(alias).memory_type IN (\(types.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(types))
        }
        if let minImportance = filter.minImportance {
            clauses.append("\(alias).importance >= ?")
            _ = arguments.append(contentsOf: [minImportance])
        }
        if !filter.tags.isEmpty {
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(\(alias).tags) WHERE json_each.value IN (\(filter.tags.map { _ in "?" }.joined(separator: ", "))))")
            _ = arguments.append(contentsOf: StatementArguments(filter.tags))
        }
        if let createdAfter = filter.createdAfter {
            clauses.append("\(alias).created_at >= ?")
            _ = arguments.append(contentsOf: [createdAfter.microsecondsSinceEpoch])
        }
        return (clauses, arguments)
    }

    /// Moves the user's change sequence on inside the current write transaction.
    static func nextSequence(_ db: Database, userID: String) throws -> Int64 {
        try Int64.fetchOne(
            db,
            sql: """
                INSERT INTO user_sequences (user_id, value) VALUES (?, 1)
                ON CONFLICT (user_id) DO UPDATE SET value = value + 1 RETURNING value
                """,
            arguments: [userID]) ?? 0
    }

    // MARK: Rows

    static func fetchSession(_ db: Database, id: UUID, userID: String?) throws -> Session? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM sessions WHERE id = ? AND (? IS NULL OR user_id = ?)",
            arguments: [id.lowercased, userID, userID]
        ).map(session(from:))
    }

    static func fetchMemory(_ db: Database, id: UUID, userID: String?) throws -> Memory? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM memories WHERE id = ? AND (? IS NULL OR user_id = ?)",
            arguments: [id.lowercased, userID, userID]
        ).map(memory(from:))
    }

    static func session(from row: Row) throws -> Session {
        Session(
            id: try uuid(row["id"]),
            userID: row["user_id"],
            projectID: row["project_id"],
            clientSessionID: row["client_session_id"],
            parentSessionID: try (row["parent_session_id"] as String?).map(uuid),
            state: SessionState(rawValue: row["state"]) ?? .active,
            startedAt: Timestamp(microsecondsSinceEpoch: row["started_at"]),
            endedAt: (row["ended_at"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)),
            endReason: row["end_reason"],
            summary: row["summary"],
            metadata: try JSONText.decodeObject(row["metadata"]),
            tags: try JSONText.decodeStrings(row["tags"]),
            memoryCount: row["memory_count"],
            createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]),
            updatedAt: Timestamp(microsecondsSinceEpoch: row["updated_at"]),
            version: row["version"])
    }

    static func memory(from row: Row) throws -> Memory {
        Memory(
            id: try uuid(row["id"]),
            sessionID: try uuid(row["session_id"]),
            userID: row["user_id"],
            projectID: row["project_id"],
            content: row["content"],
            summary: row["summary"],
            memoryType: MemoryType(rawValue: row["memory_type"]) ?? .fact,
            importance: row["importance"],
            confidence: row["confidence"],
            entities: try JSONText.decodeStrings(row["entities"]),
            tags: try JSONText.decodeStrings(row["tags"]),
            relatedMemories: try JSONText.decodeStrings(row["related_memories"]).map(uuid),
            metadata: try JSONText.decodeObject(row["metadata"]),
            hasEmbedding: row["has_embedding"],
            accessCount: row["access_count"],
            lastAccessed: (row["last_accessed"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)),
            createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]),
            updatedAt: Timestamp(microsecondsSinceEpoch: row["updated_at"]),
            version: row["version"])
    }

    static func arguments(for memory: Memory) throws -> StatementArguments {
        [
            memory.id.lowercased, memory.sessionID.lowercased, memory.userID, memory.projectID, memory.content,
            memory.summary, memory.memoryType.rawValue, memory.importance, memory.confidence,
            JSONText.encode(memory.entities), JSONText.encode(memory.tags),
            JSONText.encode(memory.relatedMemories.map(\.lowercased)), JSONText.encode(memory.metadata),
            memory.hasEmbedding, memory.accessCount, memory.lastAccessed?.microsecondsSinceEpoch,
            memory.createdAt.microsecondsSinceEpoch, memory.updatedAt.microsecondsSinceEpoch, memory.version,
        ]
    }

    static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw MemoryHubError.internal("corrupt id in store: \(text)") }
        return id
    }

    // MARK: Running

    /// Reads run synchronously on the calling thread: in WAL mode a reader never waits for a lock,
    /// and hopping to GRDB's dispatch queue and back costs more (two thread wake-ups, ~300 µs on
    /// these machines) than the query itself. Writes may wait for another process's lock, so they
    /// stay asynchronous.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await run { [pool] in try pool.read(body) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await run { [pool] in try await pool.write(body) }
    }

    /// Runs a database operation and turns failures that are the store's fault (busy, I/O, a
    /// missing file) into `unavailable`; errors of ours pass through.
    private func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MemoryHubError {
            throw error
        } catch let error as DatabaseError {
            logger.error("SQLite error", metadata: ["memoryhub.error": "\(error)"])
            throw MemoryHubError.unavailable("\(error)")
        }
    }
}
