package import MemoryCore
import GRDB
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension SQLiteMemoryStore {
    package func exportSessions(_ filter: TransferFilter, after: UUID?, limit: Int) async throws -> [Session] {
        var (clauses, arguments) = Self.transferClauses(filter, table: "sessions")
        if let since = filter.since {
            clauses[clauses.count - 1] =
                "(sessions.updated_at >= ? OR EXISTS (SELECT 1 FROM memories m WHERE m.session_id = sessions.id AND m.updated_at >= ?))"
            _ = arguments.append(contentsOf: [since.microsecondsSinceEpoch])
        }
        if let after {
            clauses.append("sessions.id > ?")
            _ = arguments.append(contentsOf: [after.lowercased])
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let statementArguments = arguments + [max(0, limit)]
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM sessions \(whereClause) ORDER BY sessions.id LIMIT ?", arguments: statementArguments
            ).map(Self.session(from:))
        }
    }

    package func exportMemories(_ filter: TransferFilter, after: UUID?, limit: Int, embeddings: Bool) async throws -> [ExportedMemory] {
        var (clauses, arguments) = Self.transferClauses(filter, table: "memories")
        if let after {
            clauses.append("memories.id > ?")
            _ = arguments.append(contentsOf: [after.lowercased])
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let statementArguments = arguments + [max(0, limit)]
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM memories \(whereClause) ORDER BY memories.id LIMIT ?", arguments: statementArguments
            ).map { row in
                let memory = try Self.memory(from: row)
                let vector = embeddings && memory.hasEmbedding ? (row["embedding"] as Data?).flatMap { VectorBytes.decode($0) } : nil
                return ExportedMemory(memory: memory, embedding: vector)
            }
        }
    }

    /// The filter's conditions on `table` (user, project, and last a `since` condition on
    /// `updated_at` that sessions widen).
    private static func transferClauses(_ filter: TransferFilter, table: String) -> ([String], StatementArguments) {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let userID = filter.userID {
            clauses.append("\(table).user_id = ?")
            _ = arguments.append(contentsOf: [userID])
        }
        if let projectID = filter.projectID {
            clauses.append("\(table).project_id = ?")
            _ = arguments.append(contentsOf: [projectID])
        }
        if let since = filter.since {
            clauses.append("\(table).updated_at >= ?")
            _ = arguments.append(contentsOf: [since.microsecondsSinceEpoch])
        }
        return (clauses, arguments)
    }

    package func transferOwnership(
        sessionIDs: [UUID], memoryIDs: [UUID], clientSessions: [(userID: String, clientSessionID: String)]
    ) async throws -> TransferOwnership {
        try await read { db in
            var ownership = TransferOwnership()
            for chunk in Self.chunks(sessionIDs.map(\.lowercased)) {
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, user_id FROM sessions WHERE id IN (\(Self.placeholders(chunk.count)))",
                    arguments: StatementArguments(chunk))
                {
                    ownership.sessionUsers[try Self.uuid(row["id"])] = row["user_id"]
                }
            }
            for chunk in Self.chunks(memoryIDs.map(\.lowercased)) {
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, user_id, session_id FROM memories WHERE id IN (\(Self.placeholders(chunk.count)))",
                    arguments: StatementArguments(chunk))
                {
                    ownership.memoryOwners[try Self.uuid(row["id"])] = (row["user_id"], try Self.uuid(row["session_id"]))
                }
            }
            for pair in clientSessions {
                if let id = try String.fetchOne(
                    db, sql: "SELECT id FROM sessions WHERE user_id = ? AND client_session_id = ?",
                    arguments: [pair.userID, pair.clientSessionID])
                {
                    ownership.clientSessions[TransferOwnership.clientKey(userID: pair.userID, clientSessionID: pair.clientSessionID)] =
                        try Self.uuid(id)
                }
            }
            return ownership
        }
    }

    package func importSessions(_ sessions: [Session], policy: ConflictPolicy) async throws -> [ImportOutcome] {
        guard !sessions.isEmpty else { return [] }
        return try await write { db in
            var outcomes: [ImportOutcome] = []
            for session in sessions {
                do {
                    try StoredTextCheck.check(session)
                } catch let error as MemoryHubError {
                    outcomes.append(.refused(error))
                    continue
                }
                outcomes.append(try Self.importSession(session, policy: policy, db: db))
            }
            return outcomes
        }
    }

    private static func importSession(_ session: Session, policy: ConflictPolicy, db: Database) throws -> ImportOutcome {
        let values: StatementArguments = [
            session.userID, session.projectID, session.clientSessionID, session.parentSessionID?.lowercased, session.state.rawValue,
            session.startedAt.microsecondsSinceEpoch, session.endedAt?.microsecondsSinceEpoch, session.endReason, session.summary,
            JSONText.encode(session.metadata), JSONText.encode(session.tags), session.createdAt.microsecondsSinceEpoch,
            session.updatedAt.microsecondsSinceEpoch,
        ]
        if let stored = try fetchSession(db, id: session.id, userID: nil) {
            let version: Int64
            switch policy.decision(for: session, stored: stored) {
            case .refuse(let error): return .refused(error)
            case .keep: return .unchanged
            case .write(let resolved): version = resolved
            }
            if let clientID = session.clientSessionID, clientID != stored.clientSessionID,
                let other = try String.fetchOne(
                    db, sql: "SELECT id FROM sessions WHERE user_id = ? AND client_session_id = ? AND id <> ?",
                    arguments: [session.userID, clientID, session.id.lowercased])
            {
                return .refused(TransferRefusal.duplicateClientSession(other))
            }
            try db.execute(
                sql: """
                    UPDATE sessions SET user_id = ?, project_id = ?, client_session_id = ?, parent_session_id = ?, state = ?,
                        started_at = ?, ended_at = ?, end_reason = ?, summary = ?, metadata = ?, tags = ?, created_at = ?,
                        updated_at = ?, version = ?
                    WHERE id = ?
                    """,
                arguments: values + [version, session.id.lowercased])
            return .updated
        }
        if let clientID = session.clientSessionID,
            let other = try String.fetchOne(
                db, sql: "SELECT id FROM sessions WHERE user_id = ? AND client_session_id = ?", arguments: [session.userID, clientID])
        {
            return .refused(TransferRefusal.duplicateClientSession(other))
        }
        try db.execute(
            sql: """
                INSERT INTO sessions (user_id, project_id, client_session_id, parent_session_id, state, started_at, ended_at,
                    end_reason, summary, metadata, tags, created_at, updated_at, version, memory_count, id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: values + [session.version, session.memoryCount, session.id.lowercased])
        return .inserted
    }

    package func importMemories(_ memories: [ImportedMemory], policy: ConflictPolicy) async throws -> [ImportOutcome] {
        guard !memories.isEmpty else { return [] }
        return try await write { db in
            // One sequence number per user for the whole batch, taken when the user's first
            // record is written (a batch that changes nothing moves no sequence).
            var sequences: [String: Int64] = [:]
            let sequence = { (userID: String) throws -> Int64 in
                if let taken = sequences[userID] { return taken }
                let taken = try Self.nextSequence(db, userID: userID)
                sequences[userID] = taken
                return taken
            }
            var outcomes: [ImportOutcome] = []
            for item in memories {
                do {
                    try StoredTextCheck.check(item.memory)
                } catch let error as MemoryHubError {
                    outcomes.append(.refused(error))
                    continue
                }
                outcomes.append(try Self.importMemory(item, policy: policy, sequence: { try sequence(item.memory.userID) }, db: db))
            }
            return outcomes
        }
    }

    private static func importMemory(
        _ item: ImportedMemory, policy: ConflictPolicy, sequence: () throws -> Int64, db: Database
    ) throws -> ImportOutcome {
        var memory = item.memory
        let vector = item.embedding.map { Data(VectorBytes.encode($0)) }
        // The stored record first: a record the policy keeps costs one read.
        let stored = try fetchMemory(db, id: memory.id, userID: nil)
        if let stored {
            switch policy.decision(for: memory, bringsVector: vector != nil, stored: stored) {
            case .refuse(let error): return .refused(error)
            case .keep: return .unchanged
            case .write(let version): memory.version = version
            }
        }
        guard
            let owner = try Row.fetchOne(db.cachedStatement(sql: "SELECT user_id, project_id FROM sessions WHERE id = ?"), arguments: [memory.sessionID.lowercased]),
            owner["user_id"] as String == memory.userID
        else { return .refused(.sessionNotFound(memory.sessionID.lowercased)) }
        memory.projectID = owner["project_id"]
        // A hash another memory of the user and project holds is stored as none (as an edit is).
        let hash = try item.contentHash.flatMap { hash -> String? in
            let taken = try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                    SELECT EXISTS (SELECT 1 FROM memories WHERE user_id = ? AND ifnull(project_id, '') = ifnull(?, '')
                        AND content_hash = ? AND id <> ?)
                    """),
                arguments: [memory.userID, memory.projectID, hash, memory.id.lowercased]) ?? false
            return taken ? nil : hash
        }
        if let stored {
            // The stored vector stays when the embedded text is the same and the file brings none.
            let keepVector = vector == nil && stored.hasEmbedding && stored.indexedText == memory.indexedText
            try db.cachedStatement(
                sql: """
                    UPDATE memories SET content = ?, summary = ?, memory_type = ?, importance = ?, confidence = ?, entities = ?,
                        tags = ?, related_memories = ?, metadata = ?, access_count = ?, last_accessed = ?, created_at = ?,
                        updated_at = ?, version = ?, superseded_by = ?, content_hash = ?, change_seq = ?,
                        has_embedding = ?, embedding = CASE WHEN ? THEN embedding ELSE ? END
                    WHERE id = ?
                    """
            ).execute(
                arguments: [
                    memory.content, memory.summary, memory.memoryType.rawValue, memory.importance, memory.confidence,
                    JSONText.encode(memory.entities), JSONText.encode(memory.tags), JSONText.encode(memory.relatedMemories.map(\.lowercased)),
                    JSONText.encode(memory.metadata), memory.accessCount, memory.lastAccessed?.microsecondsSinceEpoch,
                    memory.createdAt.microsecondsSinceEpoch, memory.updatedAt.microsecondsSinceEpoch, memory.version,
                    memory.supersededBy?.lowercased, hash, try sequence(), keepVector || vector != nil, keepVector, vector,
                    memory.id.lowercased,
                ])
            return .updated
        }
        memory.hasEmbedding = vector != nil
        try db.cachedStatement(sql: "DELETE FROM memory_tombstones WHERE id = ?").execute(arguments: [memory.id.lowercased])
        try db.cachedStatement(
            sql: """
                INSERT INTO memories (id, session_id, user_id, project_id, content, summary, memory_type, importance,
                    confidence, entities, tags, related_memories, metadata, has_embedding, access_count,
                    last_accessed, created_at, updated_at, version, superseded_by, change_seq, content_hash, embedding)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: try arguments(for: memory) + [try sequence(), hash, vector])
        return .inserted
    }

    package func reconcileMemoryCounts(sessionIDs: [UUID]) async throws -> [Session] {
        guard !sessionIDs.isEmpty else { return [] }
        return try await write { db in
            var repaired: [Session] = []
            for chunk in Self.chunks(sessionIDs.map(\.lowercased)) {
                repaired += try Row.fetchAll(
                    db,
                    sql: """
                        UPDATE sessions SET memory_count = (SELECT count(*) FROM memories WHERE session_id = sessions.id),
                            version = version + 1
                        WHERE id IN (\(Self.placeholders(chunk.count)))
                            AND memory_count <> (SELECT count(*) FROM memories WHERE session_id = sessions.id)
                        RETURNING *
                        """,
                    arguments: StatementArguments(chunk)
                ).map(Self.session(from:))
            }
            return repaired
        }
    }

    /// Slices of at most 500 values, under SQLite's variable limit.
    static func chunks(_ values: [String]) -> [[String]] {
        stride(from: 0, to: values.count, by: 500).map { Array(values[$0..<min($0 + 500, values.count)]) }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
