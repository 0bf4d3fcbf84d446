package import Logging
package import MemoryCore
package import MemoryStore
internal import PostgresNIO
import ServiceLifecycle
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The production store: PostgreSQL through postgres-nio's pooled `PostgresClient`.
///
/// The store is a `Service`: its ``run()`` runs the connection pool, and no query can be answered
/// unless it is running. Add the store to the application's `ServiceGroup` (in tests, run it in a
/// task of its own), then call ``migrate()`` before using it. An operation that gets no connection
/// within ``Configuration/connectionAcquireTimeout`` (server down, pool exhausted) fails with
/// `MemoryHubError` kind `unavailable`, as do broken connections.
///
/// Every change is atomic in the database: merges, tag additions, counters and versions are
/// computed by single SQL statements (or one transaction), never read into the process, changed
/// and written back, so concurrent writers from any number of replicas lose nothing. Every value
/// is a bound parameter; the SQL text is fixed.
package final class PostgresMemoryStore: MemoryStore, Service {
    private let client: PostgresClient
    private let configuration: Configuration
    private let logger: Logger

    /// Creates a store; it connects once ``run()`` is running and the first query needs a connection.
    ///
    /// - Parameters:
    ///   - configuration: Where and how to connect.
    ///   - logger: Receives the store's and the connection pool's log messages; queries and their
    ///     parameters are never logged above debug level.
    package init(configuration: Configuration, logger: Logger) {
        var logger = logger
        logger[metadataKey: "memoryhub.postgres.host"] = "\(configuration.host)"
        logger[metadataKey: "memoryhub.postgres.database"] = "\(configuration.database)"
        self.configuration = configuration
        self.logger = logger
        self.client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
    }

    /// Runs the connection pool until the task is cancelled or the service group shuts down
    /// gracefully; then the pool closes and later operations fail. Call it once.
    package func run() async throws {
        await client.run()
    }

    /// Creates or upgrades the schema in one transaction that holds an advisory lock, so replicas
    /// starting at once are safe: the first applies the missing migrations, the others wait and
    /// find nothing left to do.
    package func migrate() async throws {
        let applied = try await transaction { connection, logger in
            try await Self.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLockKey))", on: connection, logger: logger)
            try await Self.execute(PostgresQuery(unsafeSQL: PostgresSchema.createMigrationsTable), on: connection, logger: logger)
            var done = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM memoryhub_schema_migrations", logger: logger).decode(Int.self) {
                done.insert(version)
            }
            var applied: [Int] = []
            for migration in PostgresSchema.migrations where !done.contains(migration.version) {
                for statement in migration.statements {
                    try await Self.execute(PostgresQuery(unsafeSQL: statement), on: connection, logger: logger)
                }
                try await Self.execute(
                    "INSERT INTO memoryhub_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    on: connection, logger: logger)
                applied.append(migration.version)
            }
            return applied
        }
        if !applied.isEmpty {
            logger.info("Applied PostgreSQL schema migrations", metadata: ["memoryhub.postgres.migrations": "\(applied)"])
        }
    }

    /// Runs `SELECT 1` on a pooled connection.
    package func ping() async throws {
        _ = try await fetch("SELECT 1") { try $0.decode(Int32.self) }
    }

    // MARK: Sessions

    /// One INSERT. A second session with the user's `client_session_id` fails with `conflict`
    /// (code `duplicate_client_session_id`); a U+0000 in any text fails with `invalidField`.
    package func insertSession(_ session: Session) async throws {
        try StoredTextCheck.check(session)
        try await execute(
            """
            INSERT INTO sessions (id, user_id, project_id, client_session_id, parent_session_id, state, started_at, ended_at,
                end_reason, summary, metadata, tags, memory_count, created_at, updated_at, version)
            VALUES (\(session.id), \(session.userID), \(session.projectID)::text, \(session.clientSessionID)::text,
                \(session.parentSessionID)::uuid, \(session.state.rawValue), \(session.startedAt.postgres),
                \(session.endedAt?.postgres)::timestamptz, \(session.endReason)::text, \(session.summary)::text,
                \(PostgresJSONObject(session.metadata)), \(session.tags), \(session.memoryCount), \(session.createdAt.postgres),
                \(session.updatedAt.postgres), \(session.version))
            """)
    }

    /// The session, if it exists and (when `userID` is set) belongs to that user.
    package func session(id: UUID, userID: String?) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            SELECT \(unescaped: SessionColumns.list) FROM sessions
            WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
            """, SessionColumns.decode
        ).first
    }

    /// The user's session with this client session id (a unique index).
    package func session(clientSessionID: String, userID: String) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(clientSessionID, field: "client_session_id")
        return try await fetch(
            """
            SELECT \(unescaped: SessionColumns.list) FROM sessions
            WHERE user_id = \(userID) AND client_session_id = \(clientSessionID)
            """, SessionColumns.decode
        ).first
    }

    /// The session's version, from any user: the cache's cheap freshness check.
    package func sessionVersion(id: UUID) async throws -> Int64? {
        try await fetch("SELECT version FROM sessions WHERE id = \(id)") { try $0.decode(Int64.self) }.first
    }

    /// The user's most recently updated active session of the project (nil matches no project),
    /// updated at or after `updatedSince`.
    package func latestActiveSession(userID: String, projectID: String?, updatedSince: Timestamp) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        return try await fetch(
            """
            SELECT \(unescaped: SessionColumns.list) FROM sessions
            WHERE user_id = \(userID)
                AND ((\(projectID)::text IS NULL AND project_id IS NULL) OR project_id = \(projectID)::text)
                AND state = 'active' AND updated_at >= \(updatedSince.postgres)
            ORDER BY updated_at DESC, id DESC
            LIMIT 1
            """, SessionColumns.decode
        ).first
    }

    /// One UPDATE applies the whole change: the metadata merge (`||` with the non-null values, `-`
    /// the keys whose value is null), the tags not yet present (in order), state, end fields,
    /// `updated_at` and `version + 1`, on the row as it is when the row lock is taken. Only when
    /// no row matched does a second query tell a missing session from a state mismatch.
    package func updateSession(id: UUID, userID: String?, change: SessionChange, at now: Timestamp) async throws -> SessionUpdateResult {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(change)
        var setValues: JSONObject = [:]
        var removedKeys: [String] = []
        for (key, value) in change.metadataPatch {
            if value.isNull { removedKeys.append(key) } else { setValues[key] = value }
        }
        let addedTags = [String]().addingUnique(change.addTags)
        let requiredStates = change.requiredStates.map { $0.map(\.rawValue).sorted() }
        // Tags compare as Swift strings do (canonical equivalence), hence normalize(…, NFD).
        let update: PostgresQuery = """
            UPDATE sessions SET
                metadata = (metadata || \(PostgresJSONObject(setValues))) - \(removedKeys.sorted())::text[],
                tags = tags || ARRAY(
                    SELECT added.tag FROM unnest(\(addedTags)::text[]) WITH ORDINALITY AS added(tag, position)
                    WHERE NOT EXISTS (
                        SELECT 1 FROM unnest(sessions.tags) AS existing(tag)
                        WHERE normalize(existing.tag, NFD) = normalize(added.tag, NFD))
                    ORDER BY added.position),
                state = COALESCE(\(change.state?.rawValue)::text, state),
                ended_at = COALESCE(\(change.endedAt?.postgres)::timestamptz, ended_at),
                end_reason = COALESCE(\(change.endReason)::text, end_reason),
                summary = COALESCE(\(change.summary)::text, summary),
                updated_at = \(now.postgres),
                version = version + 1
            WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
                AND (\(requiredStates)::text[] IS NULL OR state = ANY(\(requiredStates)::text[]))
            RETURNING \(unescaped: SessionColumns.list)
            """
        // A miss followed by a row in a required state means another writer changed the state
        // between the two queries; the update is then simply tried again.
        for _ in 0..<3 {
            if let updated = try await fetch(update, SessionColumns.decode).first { return .updated(updated) }
            guard let current = try await session(id: id, userID: userID) else { return .notFound }
            if let required = change.requiredStates, !required.contains(current.state) { return .stateMismatch(current) }
        }
        throw MemoryHubError.conflict("The session kept changing while it was being updated; try again.")
    }

    /// One transaction: deletes the session (its memories go with it, `ON DELETE CASCADE`), then
    /// unlinks the owner's sessions that named it as parent, bumping their versions.
    package func deleteSession(id: UUID, userID: String?, at now: Timestamp) async throws -> [Session]? {
        try StoredTextCheck.check(userID, field: "user_id")
        let unlinked = try await transaction { connection, logger -> [Session]? in
            try await Self.execute(
                """
                WITH doomed AS (
                    SELECT memories.id, memories.user_id FROM memories JOIN sessions ON sessions.id = memories.session_id
                    WHERE sessions.id = \(id) AND (\(userID)::text IS NULL OR sessions.user_id = \(userID)::text)
                ), sequence AS (
                    INSERT INTO user_sequences (user_id, value) SELECT DISTINCT user_id, 1 FROM doomed
                    ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1
                    RETURNING value
                )
                INSERT INTO memory_tombstones (id, user_id, change_seq)
                SELECT doomed.id, doomed.user_id, sequence.value FROM doomed, sequence
                ON CONFLICT (id) DO UPDATE SET change_seq = excluded.change_seq
                """, on: connection, logger: logger)
            let deleted = try await Self.fetch(
                "DELETE FROM sessions WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text) RETURNING user_id",
                on: connection, logger: logger
            ) { try $0.decode(String.self) }
            guard let owner = deleted.first else { return nil }
            return try await Self.fetch(
                """
                UPDATE sessions SET parent_session_id = NULL, updated_at = \(now.postgres), version = version + 1
                WHERE parent_session_id = \(id) AND user_id = \(owner)
                RETURNING \(unescaped: SessionColumns.list)
                """, on: connection, logger: logger, SessionColumns.decode)
        }
        return unlinked?.sorted { ($0.startedAt, $0.id.lowercased) < ($1.startedAt, $1.id.lowercased) }
    }

    /// The user's sessions, newest start first, and the total number of matches. A negative
    /// `limit` means no limit, as in SQLite.
    package func sessions(matching filter: SessionFilter, limit: Int, offset: Int) async throws -> Page<Session> {
        try StoredTextCheck.check(filter.userID, field: "user_id")
        try StoredTextCheck.check(filter.projectID, field: "project_id")
        let states = filter.states.map { $0.map(\.rawValue).sorted() }
        let conditions = """
            user_id = $1 AND ($2::text IS NULL OR project_id = $2::text) AND ($3::text[] IS NULL OR state = ANY($3::text[]))
            """
        var bindings = PostgresBindings()
        bindings.append(filter.userID)
        bindings.append(filter.projectID)
        bindings.append(states)
        return try await page(
            where: conditions, bindings: bindings, table: "sessions", columns: SessionColumns.list,
            columnCount: SessionColumns.names.count, order: "started_at DESC, id DESC", limit: limit, offset: offset,
            SessionColumns.decode)
    }

    /// The user's sessions naming `parentID` as parent, by start.
    package func childSessions(of parentID: UUID, userID: String) async throws -> [Session] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            SELECT \(unescaped: SessionColumns.list) FROM sessions
            WHERE parent_session_id = \(parentID) AND user_id = \(userID)
            ORDER BY started_at, id
            """, SessionColumns.decode)
    }

    /// Across all users: active sessions last updated before `before`, or ended sessions that
    /// ended before it, oldest first.
    package func cleanupCandidates(state: SessionState, before: Timestamp, limit: Int) async throws -> [Session] {
        // A fixed column name chosen here, never caller text.
        let column = state == .ended ? "ended_at" : "updated_at"
        return try await fetch(
            """
            SELECT \(unescaped: SessionColumns.list) FROM sessions
            WHERE state = \(state.rawValue) AND \(unescaped: column) < \(before.postgres)
            ORDER BY \(unescaped: column), id
            LIMIT \(max(0, limit))
            """, SessionColumns.decode)
    }

    // MARK: Memories

    /// One statement: a CTE counts the memory in its session (scoped by the memory's user,
    /// returning the session as it now is) and the INSERT reads from that CTE, so the memory is
    /// written only if the session was counted, and both or neither happen.
    package func insertMemory(_ memory: Memory, at now: Timestamp) async throws -> Session {
        try StoredTextCheck.check(memory)
        let counted = try await fetch(
            """
            WITH sequence AS (
                INSERT INTO user_sequences (user_id, value) VALUES (\(memory.userID), 1)
                ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1
                RETURNING value
            ), counted AS (
                UPDATE sessions SET memory_count = memory_count + 1, updated_at = \(now.postgres), version = version + 1
                WHERE id = \(memory.sessionID) AND user_id = \(memory.userID) AND EXISTS (SELECT 1 FROM sequence)
                RETURNING \(unescaped: SessionColumns.list)
            ), inserted AS (
                INSERT INTO memories (id, session_id, user_id, project_id, content, summary, memory_type, importance,
                    confidence, entities, tags, related_memories, metadata, has_embedding, access_count, last_accessed,
                    created_at, updated_at, version, change_seq)
                SELECT \(memory.id), counted.id, counted.user_id, \(memory.projectID)::text, \(memory.content),
                    \(memory.summary)::text, \(memory.memoryType.rawValue), \(memory.importance), \(memory.confidence),
                    \(memory.entities), \(memory.tags), \(memory.relatedMemories), \(PostgresJSONObject(memory.metadata)),
                    \(memory.hasEmbedding), \(memory.accessCount), \(memory.lastAccessed?.postgres)::timestamptz,
                    \(memory.createdAt.postgres), \(memory.updatedAt.postgres), \(memory.version), sequence.value
                FROM counted, sequence
            )
            SELECT \(unescaped: SessionColumns.list) FROM counted
            """, SessionColumns.decode)
        guard let session = counted.first else { throw MemoryHubError.sessionNotFound(memory.sessionID.lowercased) }
        return session
    }

    /// The memory, if it exists and (when `userID` is set) belongs to that user.
    package func memory(id: UUID, userID: String?) async throws -> Memory? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            SELECT \(unescaped: MemoryColumns.list) FROM memories
            WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
            """, MemoryColumns.decode
        ).first
    }

    /// One UPDATE … RETURNING: `access_count + 1`, `last_accessed = now`.
    package func recordAccess(memoryID: UUID, userID: String?, at now: Timestamp) async throws -> Memory? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            UPDATE memories SET access_count = access_count + 1, last_accessed = \(now.postgres)
            WHERE id = \(memoryID) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
            RETURNING \(unescaped: MemoryColumns.list)
            """, MemoryColumns.decode
        ).first
    }

    /// One UPDATE with `MemoryChange` semantics: a content that differs (as Swift compares strings,
    /// by canonical equivalence) replaces the old one and clears `has_embedding`; `.some(nil)`
    /// clears the summary; entities and tags are replaced; metadata is merged; `version + 1`.
    package func updateMemory(id: UUID, userID: String?, change: MemoryChange, at now: Timestamp) async throws -> Memory? {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(change)
        var setValues: JSONObject = [:]
        var removedKeys: [String] = []
        for (key, value) in change.metadataPatch {
            if value.isNull { removedKeys.append(key) } else { setValues[key] = value }
        }
        let summary: String? = change.summary ?? nil
        return try await fetch(
            """
            WITH target AS (
                SELECT user_id FROM memories WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
            ), sequence AS (
                INSERT INTO user_sequences (user_id, value) SELECT user_id, 1 FROM target
                ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1
                RETURNING value
            )
            UPDATE memories SET
                content = CASE WHEN input.content IS NULL OR normalize(input.content, NFD) = normalize(memories.content, NFD)
                    THEN memories.content ELSE input.content END,
                has_embedding = memories.has_embedding AND \(unescaped: Self.indexedTextUnchanged),
                embedding = CASE WHEN \(unescaped: Self.indexedTextUnchanged) THEN memories.embedding END,
                change_seq = (SELECT value FROM sequence),
                summary = CASE WHEN input.replace_summary THEN input.summary ELSE memories.summary END,
                importance = COALESCE(input.importance, memories.importance),
                confidence = COALESCE(input.confidence, memories.confidence),
                entities = COALESCE(input.entities, memories.entities),
                tags = COALESCE(input.tags, memories.tags),
                metadata = (memories.metadata || input.set_values) - input.removed_keys,
                updated_at = input.now,
                version = memories.version + 1
            FROM (
                SELECT \(change.content)::text AS content, \(change.summary != nil)::boolean AS replace_summary,
                    \(summary)::text AS summary, \(change.importance)::float8 AS importance,
                    \(change.confidence)::float8 AS confidence, \(change.entities)::text[] AS entities,
                    \(change.tags)::text[] AS tags, \(PostgresJSONObject(setValues))::jsonb AS set_values,
                    \(removedKeys.sorted())::text[] AS removed_keys, \(now.postgres)::timestamptz AS now
            ) AS input
            WHERE memories.id = \(id) AND (\(userID)::text IS NULL OR memories.user_id = \(userID)::text)
                AND EXISTS (SELECT 1 FROM sequence)
            RETURNING \(unescaped: MemoryColumns.list(qualifiedBy: "memories"))
            """, MemoryColumns.decode
        ).first
    }

    /// True in `updateMemory` when the change leaves the embedded text (content, summary, entities,
    /// tags) as it was, compared as Swift compares strings; the vector then stays valid.
    static let indexedTextUnchanged = """
        ((input.content IS NULL OR normalize(input.content, NFD) = normalize(memories.content, NFD))
            AND (NOT input.replace_summary OR normalize(input.summary, NFD) IS NOT DISTINCT FROM normalize(memories.summary, NFD))
            AND (input.entities IS NULL OR input.entities = memories.entities)
            AND (input.tags IS NULL OR input.tags = memories.tags))
        """

    /// One statement: the DELETE (scoped by user) feeds the UPDATE that uncounts the memory in its
    /// session and returns the session.
    package func deleteMemory(id: UUID, userID: String?, at now: Timestamp) async throws -> Session? {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            WITH target AS (
                SELECT user_id FROM memories WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
            ), sequence AS (
                INSERT INTO user_sequences (user_id, value) SELECT user_id, 1 FROM target
                ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1
                RETURNING value
            ), removed AS (
                DELETE FROM memories WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
                    AND EXISTS (SELECT 1 FROM sequence)
                RETURNING id, session_id, user_id
            ), tombstone AS (
                INSERT INTO memory_tombstones (id, user_id, change_seq)
                SELECT removed.id, removed.user_id, sequence.value FROM removed, sequence
                ON CONFLICT (id) DO UPDATE SET change_seq = excluded.change_seq
            )
            UPDATE sessions SET memory_count = memory_count - 1, updated_at = \(now.postgres), version = version + 1
            FROM removed WHERE sessions.id = removed.session_id
            RETURNING \(unescaped: SessionColumns.list(qualifiedBy: "sessions"))
            """, SessionColumns.decode
        ).first
    }

    /// The user's memories matching the filter, newest first, and the total number of matches.
    package func memories(matching filter: MemoryFilter, limit: Int, offset: Int) async throws -> Page<Memory> {
        try StoredTextCheck.check(filter.userID, field: "user_id")
        try StoredTextCheck.check(filter.projectID, field: "project_id")
        let conditions = """
            user_id = $1 AND ($2::uuid IS NULL OR session_id = $2::uuid) AND ($3::text IS NULL OR project_id = $3::text)
                AND ($4::text IS NULL OR memory_type = $4::text) AND ($5::float8 IS NULL OR importance >= $5::float8)
            """
        var bindings = PostgresBindings()
        bindings.append(filter.userID)
        bindings.append(filter.sessionID)
        bindings.append(filter.projectID)
        bindings.append(filter.memoryType?.rawValue)
        bindings.append(filter.minImportance)
        return try await page(
            where: conditions, bindings: bindings, table: "memories", columns: MemoryColumns.list,
            columnCount: MemoryColumns.names.count, order: "created_at DESC, id DESC", limit: limit, offset: offset,
            MemoryColumns.decode)
    }

    /// The subset of `ids` naming memories of `userID`, in one query.
    package func existingMemoryIDs(_ ids: [UUID], userID: String) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        try StoredTextCheck.check(userID, field: "user_id")
        let found = try await fetch("SELECT id FROM memories WHERE user_id = \(userID) AND id = ANY(\(ids)::uuid[])") {
            try $0.decode(UUID.self)
        }
        return Set(found)
    }

    /// The user's memories with these ids, in one query.
    package func memories(ids: [UUID], userID: String) async throws -> [Memory] {
        guard !ids.isEmpty else { return [] }
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            "SELECT \(unescaped: MemoryColumns.list) FROM memories WHERE user_id = \(userID) AND id = ANY(\(ids)::uuid[])",
            MemoryColumns.decode)
    }

    // MARK: Search index

    /// Candidates from the `tsvector` GIN index (English stemming), ranked by `ts_rank` normalized
    /// by document length. The terms are letters and digits only, joined with `|`.
    package func lexicalMatches(terms: [String], filter: SearchFilter, limit: Int) async throws -> [LexicalMatch] {
        let words = terms.filter { !$0.isEmpty && $0.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil } }
        guard !words.isEmpty, limit > 0 else { return [] }
        try StoredTextCheck.check(filter.userID, field: "user_id")
        try StoredTextCheck.check(filter.projectID, field: "project_id")
        for tag in filter.tags { try StoredTextCheck.check(tag, field: "tags") }
        let types = filter.memoryTypes.isEmpty ? nil : filter.memoryTypes.map(\.rawValue).sorted()
        let tags = filter.tags.isEmpty ? nil : filter.tags
        return try await fetch(
            """
            SELECT id, ts_rank(search_vector, query, 1) AS score, importance, created_at
            FROM memories, to_tsquery('english'::regconfig, \(words.joined(separator: " | "))) AS query
            WHERE search_vector @@ query AND user_id = \(filter.userID)
                AND (\(filter.projectID)::text IS NULL OR project_id = \(filter.projectID)::text)
                AND (\(filter.sessionID)::uuid IS NULL OR session_id = \(filter.sessionID)::uuid)
                AND (\(types)::text[] IS NULL OR memory_type = ANY(\(types)::text[]))
                AND (\(filter.minImportance)::float8 IS NULL OR importance >= \(filter.minImportance)::float8)
                AND (\(tags)::text[] IS NULL OR tags && \(tags)::text[])
                AND (\(filter.createdAfter?.postgres)::timestamptz IS NULL OR created_at >= \(filter.createdAfter?.postgres)::timestamptz)
            ORDER BY score DESC, id
            LIMIT \(limit)
            """
        ) { row in
            let (id, score, importance, createdAt) = try row.decode((UUID, Float, Double, PostgresTimestamp).self)
            return LexicalMatch(id: id, score: Double(score), importance: importance, createdAt: createdAt.timestamp)
        }
    }

    package func changeSequence(userID: String) async throws -> Int64 {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch("SELECT value FROM user_sequences WHERE user_id = \(userID)") { try $0.decode(Int64.self) }.first ?? 0
    }

    /// One statement (one snapshot) reads the changed memories and the tombstones together, so
    /// no change committed between two reads can be skipped.
    package func indexChanges(userID: String, after sequence: Int64) async throws -> [IndexChange] {
        try StoredTextCheck.check(userID, field: "user_id")
        return try await fetch(
            """
            SELECT id, change_seq, session_id, project_id, memory_type, importance, tags, created_at, embedding
            FROM memories WHERE user_id = \(userID) AND change_seq > \(sequence)
            UNION ALL
            SELECT id, change_seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM memory_tombstones WHERE user_id = \(userID) AND change_seq > \(sequence)
            ORDER BY change_seq
            """
        ) { row -> IndexChange in
            let (id, changeSequence, sessionID, projectID, memoryType, importance, tags, createdAt, embedding) = try row.decode(
                (UUID, Int64, UUID?, String?, String?, Double?, [String]?, PostgresTimestamp?, ByteBuffer?).self)
            guard let sessionID, let memoryType, let importance, let createdAt,
                let vector = embedding.flatMap({ VectorBytes.decode($0.readableBytesView) })
            else { return IndexChange(id: id, sequence: changeSequence, entry: nil) }
            return IndexChange(
                id: id, sequence: changeSequence,
                entry: IndexedMemory(
                    id: id, sessionID: sessionID, projectID: projectID, memoryType: MemoryType(rawValue: memoryType) ?? .fact,
                    importance: importance, tags: tags ?? [], createdAt: createdAt.timestamp, vector: vector))
        }
    }

    package func embeddingJobs(limit: Int) async throws -> [EmbeddingJob] {
        try await fetch(
            """
            SELECT id, user_id, version, content, summary, entities, tags FROM memories
            WHERE NOT has_embedding ORDER BY created_at LIMIT \(max(0, limit))
            """
        ) { row in
            let (id, userID, version, content, summary, entities, tags) = try row.decode(
                (UUID, String, Int64, String, String?, [String], [String]).self)
            return EmbeddingJob(
                id: id, userID: userID, version: version,
                text: Memory.indexedText(content: content, summary: summary, entities: entities, tags: tags))
        }
    }

    package func embeddingBacklog() async throws -> Int {
        try await fetch("SELECT count(*) FROM memories WHERE NOT has_embedding") { try $0.decode(Int.self) }.first ?? 0
    }

    /// One statement per vector, each applied only if the memory still has the embedded version.
    package func storeEmbeddings(_ embeddings: [ComputedEmbedding]) async throws -> Int {
        var stored = 0
        for embedding in embeddings {
            let bytes = ByteBuffer(bytes: VectorBytes.encode(embedding.vector))
            let updated = try await fetch(
                """
                WITH target AS (
                    SELECT user_id FROM memories WHERE id = \(embedding.id) AND version = \(embedding.version)
                ), sequence AS (
                    INSERT INTO user_sequences (user_id, value) SELECT user_id, 1 FROM target
                    ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1
                    RETURNING value
                )
                UPDATE memories SET embedding = \(bytes), has_embedding = true, change_seq = (SELECT value FROM sequence)
                WHERE id = \(embedding.id) AND version = \(embedding.version) AND EXISTS (SELECT 1 FROM sequence)
                RETURNING id
                """
            ) { try $0.decode(UUID.self) }
            stored += updated.count
        }
        return stored
    }

    package func clearEmbeddings(sessionID: UUID, userID: String) async throws -> Int {
        try StoredTextCheck.check(userID, field: "user_id")
        guard try await session(id: sessionID, userID: userID) != nil else {
            throw MemoryHubError.sessionNotFound(sessionID.lowercased)
        }
        return try await fetch(
            """
            WITH sequence AS (
                INSERT INTO user_sequences (user_id, value) VALUES (\(userID), 1)
                ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1
                RETURNING value
            )
            UPDATE memories SET embedding = NULL, has_embedding = false, change_seq = (SELECT value FROM sequence)
            WHERE session_id = \(sessionID) AND user_id = \(userID) AND EXISTS (SELECT 1 FROM sequence)
            RETURNING id
            """
        ) { try $0.decode(UUID.self) }.count
    }

    package func embedding(memoryID: UUID, userID: String) async throws -> [Float]? {
        try StoredTextCheck.check(userID, field: "user_id")
        let rows = try await fetch("SELECT embedding FROM memories WHERE id = \(memoryID) AND user_id = \(userID)") {
            try $0.decode(ByteBuffer?.self)
        }
        return rows.first.flatMap { $0 }.flatMap { VectorBytes.decode($0.readableBytesView) }
    }

    package func memoryCounts(userID: String, projectID: String?, since: Timestamp, mostAccessed: Int) async throws -> StoredMemoryCounts {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        var counts = StoredMemoryCounts()
        let byType = try await fetch(
            """
            SELECT memory_type, count(*), sum(importance), count(*) FILTER (WHERE has_embedding),
                count(*) FILTER (WHERE created_at >= \(since.postgres))
            FROM memories WHERE user_id = \(userID) AND (\(projectID)::text IS NULL OR project_id = \(projectID)::text)
            GROUP BY memory_type
            """
        ) { try $0.decode((String, Int, Double, Int, Int).self) }
        for (type, n, importance, embedded, recent) in byType {
            counts.totalMemories += n
            counts.meanImportance += importance
            counts.withEmbedding += embedded
            counts.memoriesSince += recent
            if let type = MemoryType(rawValue: type) { counts.countsByType[type, default: 0] += n }
        }
        if counts.totalMemories > 0 { counts.meanImportance /= Double(counts.totalMemories) }
        let sessionCounts = try await fetch(
            """
            SELECT count(*), count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE started_at >= \(since.postgres))
            FROM sessions WHERE user_id = \(userID) AND (\(projectID)::text IS NULL OR project_id = \(projectID)::text)
            """
        ) { try $0.decode((Int, Int, Int).self) }
        if let (total, active, recent) = sessionCounts.first {
            counts.totalSessions = total
            counts.activeSessions = active
            counts.sessionsSince = recent
        }
        counts.mostAccessed = try await fetch(
            """
            SELECT \(unescaped: MemoryColumns.list) FROM memories
            WHERE user_id = \(userID) AND (\(projectID)::text IS NULL OR project_id = \(projectID)::text) AND access_count > 0
            ORDER BY access_count DESC, last_accessed DESC NULLS LAST LIMIT \(max(0, mostAccessed))
            """, MemoryColumns.decode)
        return counts
    }

    // MARK: Queries

    /// A page of rows newest first and the number of all matches. The count comes from a window
    /// function in the same statement (one snapshot, one round trip); only an empty page needs a
    /// separate count. `conditions` and `order` are fixed SQL of this file; values are in `bindings`.
    private func page<Item: Sendable>(
        where conditions: String, bindings: PostgresBindings, table: String, columns: String, columnCount: Int,
        order: String, limit: Int, offset: Int, _ decode: @escaping @Sendable (PostgresRow) throws -> Item
    ) async throws -> Page<Item> {
        var pageBindings = bindings
        // SQLite reads a negative LIMIT as "no limit"; PostgreSQL spells that LIMIT NULL.
        pageBindings.append(limit < 0 ? nil : limit)
        pageBindings.append(max(0, offset))
        let first = bindings.count + 1
        let pageQuery = PostgresQuery(
            unsafeSQL: """
                SELECT \(columns), count(*) OVER () FROM \(table) WHERE \(conditions)
                ORDER BY \(order) LIMIT $\(first)::bigint OFFSET $\(first + 1)::bigint
                """,
            binds: pageBindings)
        let rows = try await fetch(pageQuery) { row in
            (try decode(row), try row.makeRandomAccess()[columnCount].decode(Int.self))
        }
        if let total = rows.first?.1 {
            return Page(items: rows.map(\.0), total: total)
        }
        let countQuery = PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE \(conditions)", binds: bindings)
        let total = try await fetch(countQuery) { try $0.decode(Int.self) }.first ?? 0
        return Page(items: [], total: total)
    }

    /// Runs one statement, reading every row with `decode`.
    func fetch<Item: Sendable>(_ query: PostgresQuery, _ decode: @escaping @Sendable (PostgresRow) throws -> Item) async throws -> [Item] {
        try await withConnection { connection, logger in
            try await Self.fetch(query, on: connection, logger: logger, decode)
        }
    }

    /// Runs one statement whose rows, if any, are not needed.
    func execute(_ query: PostgresQuery) async throws {
        try await withConnection { connection, logger in
            try await Self.execute(query, on: connection, logger: logger)
        }
    }

    private static func fetch<Item>(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger, _ decode: (PostgresRow) throws -> Item
    ) async throws -> [Item] {
        var items: [Item] = []
        for try await row in try await connection.query(query, logger: logger) {
            items.append(try decode(row))
        }
        return items
    }

    private static func execute(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    /// Runs `body` in a transaction on one pooled connection (committed if `body` returns,
    /// rolled back if it throws).
    private func transaction<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                try await body(connection, logger)
            }
        }
    }

    private enum LeaseOutcome<Result: Sendable>: Sendable {
        case finished(Result)
        case deadlinePassed
        case disarmed
    }

    /// Leases a pooled connection for `body`, waiting at most `connectionAcquireTimeout` for it,
    /// and turns every failure into `MemoryHubError` (or `CancellationError`).
    private func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        let client = self.client
        let logger = self.logger
        let timeout = configuration.connectionAcquireTimeout
        do {
            return try await withThrowingTaskGroup(of: LeaseOutcome<Result>.self) { group in
                let deadline = LeaseDeadline()
                group.addTask {
                    .finished(
                        try await client.withConnection { connection in
                            guard deadline.lease() else { throw CancellationError() }
                            return try await body(connection, logger)
                        })
                }
                group.addTask {
                    do {
                        try await Task.sleep(for: timeout)
                    } catch {
                        return .disarmed
                    }
                    return deadline.expire() ? .deadlinePassed : .disarmed
                }
                while let outcome = try await group.next() {
                    switch outcome {
                    case .finished(let result):
                        group.cancelAll()
                        return result
                    case .deadlinePassed:
                        group.cancelAll()
                        logger.warning("No PostgreSQL connection within the acquire timeout", metadata: ["memoryhub.postgres.timeout": "\(timeout)"])
                        throw MemoryHubError.unavailable("no PostgreSQL connection within \(timeout)")
                    case .disarmed:
                        continue
                    }
                }
                throw CancellationError()
            }
        } catch {
            throw PostgresErrorTranslation.translate(error, logger: logger)
        }
    }
}
