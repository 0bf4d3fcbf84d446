import Logging
package import MemoryCore
package import MemoryStore
internal import PostgresNIO
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension PostgresMemoryStore {
    package func exportSessions(_ filter: TransferFilter, after: UUID?, limit: Int) async throws -> [Session] {
        try await fetch(
            """
            SELECT \(unescaped: SessionColumns.list) FROM sessions
            WHERE (\(filter.userID)::text IS NULL OR user_id = \(filter.userID)::text)
                AND (\(filter.projectID)::text IS NULL OR project_id = \(filter.projectID)::text)
                AND (\(filter.since?.postgres)::timestamptz IS NULL OR updated_at >= \(filter.since?.postgres)::timestamptz
                    OR EXISTS (SELECT 1 FROM memories m WHERE m.session_id = sessions.id AND m.updated_at >= \(filter.since?.postgres)::timestamptz))
                AND (\(after)::uuid IS NULL OR id > \(after)::uuid)
            ORDER BY id LIMIT \(max(0, limit))
            """, SessionColumns.decode)
    }

    package func exportMemories(_ filter: TransferFilter, after: UUID?, limit: Int, embeddings: Bool) async throws -> [ExportedMemory] {
        try await fetch(
            """
            SELECT \(unescaped: MemoryColumns.list), CASE WHEN \(embeddings) THEN embedding END FROM memories
            WHERE (\(filter.userID)::text IS NULL OR user_id = \(filter.userID)::text)
                AND (\(filter.projectID)::text IS NULL OR project_id = \(filter.projectID)::text)
                AND (\(filter.since?.postgres)::timestamptz IS NULL OR updated_at >= \(filter.since?.postgres)::timestamptz)
                AND (\(after)::uuid IS NULL OR id > \(after)::uuid)
            ORDER BY id LIMIT \(max(0, limit))
            """
        ) { row in
            let memory = try MemoryColumns.decode(row)
            let bytes = try row.makeRandomAccess()[MemoryColumns.names.count].decode(ByteBuffer?.self)
            return ExportedMemory(memory: memory, embedding: bytes.flatMap { VectorBytes.decode($0.readableBytesView) })
        }
    }

    package func transferOwnership(
        sessionIDs: [UUID], memoryIDs: [UUID], clientSessions: [(userID: String, clientSessionID: String)]
    ) async throws -> TransferOwnership {
        var ownership = TransferOwnership()
        if !sessionIDs.isEmpty {
            for (id, user) in try await fetch("SELECT id, user_id FROM sessions WHERE id = ANY(\(sessionIDs)::uuid[])", {
                try $0.decode((UUID, String).self)
            }) {
                ownership.sessionUsers[id] = user
            }
        }
        if !memoryIDs.isEmpty {
            for (id, user, session) in try await fetch("SELECT id, user_id, session_id FROM memories WHERE id = ANY(\(memoryIDs)::uuid[])", {
                try $0.decode((UUID, String, UUID).self)
            }) {
                ownership.memoryOwners[id] = (user, session)
            }
        }
        if !clientSessions.isEmpty {
            let users = clientSessions.map(\.userID)
            let clientIDs = clientSessions.map(\.clientSessionID)
            for (id, user, clientID) in try await fetch(
                """
                SELECT s.id, s.user_id, s.client_session_id FROM sessions s
                JOIN unnest(\(users)::text[], \(clientIDs)::text[]) AS pair(user_id, client_session_id)
                    ON s.user_id = pair.user_id AND s.client_session_id = pair.client_session_id
                """, { try $0.decode((UUID, String, String).self) })
            {
                ownership.clientSessions[TransferOwnership.clientKey(userID: user, clientSessionID: clientID)] = id
            }
        }
        return ownership
    }

    package func importSessions(_ sessions: [Session], policy: ConflictPolicy) async throws -> [ImportOutcome] {
        guard !sessions.isEmpty else { return [] }
        let refusals = sessions.map { session in Self.refusal { try StoredTextCheck.check(session) } }
        return try await transaction { connection, logger in
            let stored = try await Self.fetch(
                "SELECT \(unescaped: SessionColumns.list) FROM sessions WHERE id = ANY(\(sessions.map(\.id))::uuid[]) FOR UPDATE",
                on: connection, logger: logger, SessionColumns.decode)
            let byID = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var outcomes: [ImportOutcome] = []
            for (session, refusal) in zip(sessions, refusals) {
                if let refusal {
                    outcomes.append(.refused(refusal))
                    continue
                }
                outcomes.append(try await Self.importSession(session, stored: byID[session.id], policy: policy, on: connection, logger: logger))
            }
            return outcomes
        }
    }

    private static func importSession(
        _ session: Session, stored: Session?, policy: ConflictPolicy, on connection: PostgresConnection, logger: Logger
    ) async throws -> ImportOutcome {
        var version = session.version
        if let stored {
            switch policy.decision(for: session, stored: stored) {
            case .refuse(let error): return .refused(error)
            case .keep: return .unchanged
            case .write(let resolved): version = resolved
            }
        }
        if let clientID = session.clientSessionID, clientID != stored?.clientSessionID,
            let other = try await fetch(
                "SELECT id FROM sessions WHERE user_id = \(session.userID) AND client_session_id = \(clientID) AND id <> \(session.id)",
                on: connection, logger: logger, { try $0.decode(UUID.self) }
            ).first
        {
            return .refused(TransferRefusal.duplicateClientSession(other.lowercased))
        }
        try await execute(
            """
            INSERT INTO sessions (id, user_id, project_id, client_session_id, parent_session_id, state, started_at, ended_at,
                end_reason, summary, metadata, tags, memory_count, created_at, updated_at, version)
            VALUES (\(session.id), \(session.userID), \(session.projectID)::text, \(session.clientSessionID)::text,
                \(session.parentSessionID)::uuid, \(session.state.rawValue), \(session.startedAt.postgres),
                \(session.endedAt?.postgres)::timestamptz, \(session.endReason)::text, \(session.summary)::text,
                \(PostgresJSONObject(session.metadata)), \(session.tags), \(session.memoryCount), \(session.createdAt.postgres),
                \(session.updatedAt.postgres), \(version))
            ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, client_session_id = excluded.client_session_id,
                parent_session_id = excluded.parent_session_id, state = excluded.state, started_at = excluded.started_at,
                ended_at = excluded.ended_at, end_reason = excluded.end_reason, summary = excluded.summary,
                metadata = excluded.metadata, tags = excluded.tags, created_at = excluded.created_at,
                updated_at = excluded.updated_at, version = excluded.version
            """, on: connection, logger: logger)
        return stored == nil ? .inserted : .updated
    }

    package func importMemories(_ memories: [ImportedMemory], policy: ConflictPolicy) async throws -> [ImportOutcome] {
        guard !memories.isEmpty else { return [] }
        let refusals = memories.map { item in Self.refusal { try StoredTextCheck.check(item.memory) } }
        do {
            return try await importMemoryBatch(memories, refusals: refusals, policy: policy)
        } catch let unchanged as UnchangedBatch {
            return unchanged.outcomes
        }
    }

    private func importMemoryBatch(_ memories: [ImportedMemory], refusals: [MemoryHubError?], policy: ConflictPolicy) async throws
        -> [ImportOutcome]
    {
        try await transaction { connection, logger in
            // One sequence number per user for the whole batch, taken first (as every memory write
            // does; the row lock orders writers of a user), users in order so that two imports
            // cannot deadlock. A batch that changes nothing gives its numbers back on rollback.
            var sequences: [String: Int64] = [:]
            for userID in Set(memories.map(\.memory.userID)).sorted() {
                sequences[userID] = try await Self.fetch(
                    """
                    INSERT INTO user_sequences (user_id, value) VALUES (\(userID), 1)
                    ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1 RETURNING value
                    """, on: connection, logger: logger, { try $0.decode(Int64.self) }
                ).first
            }
            let owners = try await Self.fetch(
                "SELECT id, user_id, project_id FROM sessions WHERE id = ANY(\(memories.map(\.memory.sessionID))::uuid[])",
                on: connection, logger: logger, { try $0.decode((UUID, String, String?).self) })
            let sessionOwners = Dictionary(owners.map { ($0.0, ($0.1, $0.2)) }, uniquingKeysWith: { first, _ in first })
            let stored = try await Self.fetch(
                "SELECT \(unescaped: MemoryColumns.list) FROM memories WHERE id = ANY(\(memories.map(\.memory.id))::uuid[]) FOR UPDATE",
                on: connection, logger: logger, MemoryColumns.decode)
            let storedByID = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            // A deleted memory imported again is no longer deleted (one statement for the batch).
            let fresh = memories.map(\.memory.id).filter { storedByID[$0] == nil }
            if !fresh.isEmpty {
                try await Self.execute("DELETE FROM memory_tombstones WHERE id = ANY(\(fresh)::uuid[])", on: connection, logger: logger)
            }
            var outcomes: [ImportOutcome] = []
            for (item, refusal) in zip(memories, refusals) {
                if let refusal {
                    outcomes.append(.refused(refusal))
                    continue
                }
                var memory = item.memory
                guard let owner = sessionOwners[memory.sessionID], owner.0 == memory.userID else {
                    outcomes.append(.refused(.sessionNotFound(memory.sessionID.lowercased)))
                    continue
                }
                memory.projectID = owner.1
                outcomes.append(
                    try await Self.importMemory(
                        memory, hash: item.contentHash, vector: item.embedding, stored: storedByID[memory.id], policy: policy,
                        sequence: sequences[memory.userID] ?? 0, on: connection, logger: logger))
            }
            if !outcomes.contains(where: \.wroteRecord) { throw UnchangedBatch(outcomes: outcomes) }
            return outcomes
        }
    }

    private static func importMemory(
        _ incoming: Memory, hash: String?, vector: [Float]?, stored: Memory?, policy: ConflictPolicy, sequence: Int64,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> ImportOutcome {
        var memory = incoming
        var keepVector = false
        if let stored {
            switch policy.decision(for: memory, bringsVector: vector != nil, stored: stored) {
            case .refuse(let error): return .refused(error)
            case .keep: return .unchanged
            case .write(let version): memory.version = version
            }
            // The stored vector stays when the embedded text is the same and the file brings none.
            keepVector = vector == nil && stored.hasEmbedding && stored.indexedText == memory.indexedText
        }
        memory.hasEmbedding = keepVector || vector != nil
        let bytes = vector.map { ByteBuffer(bytes: VectorBytes.encode($0)) }
        // A hash another memory of the user and project holds is stored as none (as an edit is).
        try await execute(
            """
            INSERT INTO memories (id, session_id, user_id, project_id, content, summary, memory_type, importance,
                confidence, entities, tags, related_memories, metadata, has_embedding, access_count, last_accessed,
                created_at, updated_at, version, superseded_by, change_seq, content_hash, embedding)
            VALUES (\(memory.id), \(memory.sessionID), \(memory.userID), \(memory.projectID)::text, \(memory.content),
                \(memory.summary)::text, \(memory.memoryType.rawValue), \(memory.importance), \(memory.confidence),
                \(memory.entities), \(memory.tags), \(memory.relatedMemories), \(PostgresJSONObject(memory.metadata)),
                \(memory.hasEmbedding), \(memory.accessCount), \(memory.lastAccessed?.postgres)::timestamptz,
                \(memory.createdAt.postgres), \(memory.updatedAt.postgres), \(memory.version), \(memory.supersededBy)::uuid,
                \(sequence),
                CASE WHEN EXISTS (SELECT 1 FROM memories WHERE user_id = \(memory.userID)
                    AND coalesce(project_id, '') = coalesce(\(memory.projectID)::text, '') AND content_hash = \(hash)::text
                    AND id <> \(memory.id)) THEN NULL ELSE \(hash)::text END,
                \(bytes)::bytea)
            ON CONFLICT (id) DO UPDATE SET content = excluded.content, summary = excluded.summary,
                memory_type = excluded.memory_type, importance = excluded.importance, confidence = excluded.confidence,
                entities = excluded.entities, tags = excluded.tags, related_memories = excluded.related_memories,
                metadata = excluded.metadata, has_embedding = excluded.has_embedding, access_count = excluded.access_count,
                last_accessed = excluded.last_accessed, created_at = excluded.created_at, updated_at = excluded.updated_at,
                version = excluded.version, superseded_by = excluded.superseded_by, change_seq = excluded.change_seq,
                content_hash = excluded.content_hash,
                embedding = CASE WHEN \(keepVector) THEN memories.embedding ELSE excluded.embedding END
            """, on: connection, logger: logger)
        return stored == nil ? .inserted : .updated
    }

    /// Thrown to roll back a batch that wrote nothing, so its sequence numbers are not spent.
    struct UnchangedBatch: Error {
        let outcomes: [ImportOutcome]
    }

    /// The error `check` throws, as a refusal; nil when it passes.
    private static func refusal(_ check: () throws -> Void) -> MemoryHubError? {
        do {
            try check()
            return nil
        } catch let error as MemoryHubError {
            return error
        } catch {
            return .internal("\(error)")
        }
    }

    package func reconcileMemoryCounts(sessionIDs: [UUID]) async throws -> [Session] {
        guard !sessionIDs.isEmpty else { return [] }
        return try await transaction { connection, logger in
            // Locked first, so a concurrent insert (which counts itself on the session row) is
            // either counted below or waits and counts itself after.
            try await Self.execute(
                "SELECT id FROM sessions WHERE id = ANY(\(sessionIDs)::uuid[]) ORDER BY id FOR UPDATE", on: connection, logger: logger)
            return try await Self.fetch(
                """
                WITH counts AS (
                    SELECT s.id, (SELECT count(*) FROM memories m WHERE m.session_id = s.id)::int AS n
                    FROM sessions s WHERE s.id = ANY(\(sessionIDs)::uuid[])
                )
                UPDATE sessions SET memory_count = counts.n, version = sessions.version + 1
                FROM counts WHERE sessions.id = counts.id AND sessions.memory_count <> counts.n
                RETURNING \(unescaped: SessionColumns.list(qualifiedBy: "sessions"))
                """, on: connection, logger: logger, SessionColumns.decode)
        }
    }
}
