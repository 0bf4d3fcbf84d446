import Logging
package import MemoryCore
package import MemoryStore
internal import PostgresNIO
import ServiceLifecycle
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension PostgresMemoryStore {
    /// The most memory inserts one transaction takes.
    static let maximumInsertBatch = 64

    package var insertBatching: GroupCommitStatistics {
        var statistics = memoryInserts.statistics
        statistics.retriedAlone = insertsRetriedAlone.total
        return statistics
    }

    package func insertMemory(_ memory: Memory, contentHash: String?, at now: Timestamp) async throws -> MemoryInsertion {
        try StoredTextCheck.check(memory)
        return try await memoryInserts.submit(MemoryInsert(memory: memory, contentHash: contentHash, now: now))
    }

    /// A lone insert runs on its own (one statement, committed by itself); a batch runs in one
    /// transaction, its items in (user, session) order so that batches of several replicas take
    /// the same rows' locks in the same order. When the transaction fails (one item's statement
    /// aborts it), each item runs again on its own, so the others still succeed.
    static func writeInserts(_ items: [MemoryInsert], lender: ConnectionLender, retried: Tally) async -> [Result<MemoryInsertion, any Error>] {
        if items.count > 1 {
            let order = items.indices.sorted {
                (items[$0].memory.userID, items[$0].memory.sessionID.uuidString) < (items[$1].memory.userID, items[$1].memory.sessionID.uuidString)
            }
            let batch: [MemoryInsertion?]?
            do {
                batch = try await lender.transaction { connection, logger in
                    var outcomes = try await insertBatch(items, on: connection, logger: logger)
                    // What the batch statement left (an identical memory exists, a session is
                    // gone, a repeat within the batch) goes one by one, in the same transaction.
                    for index in order where outcomes[index] == nil {
                        outcomes[index] = try await insert(items[index], on: connection, logger: logger)
                    }
                    return outcomes
                }
            } catch {
                lender.logger.notice(
                    "A batch of inserts failed; inserting them one by one",
                    metadata: ["memoryhub.error": "\(error)", "memoryhub.batch.size": "\(items.count)"])
                retried.add(items.count)
                batch = nil
            }
            if let batch {
                return zip(items, batch).map { item, outcome in
                    outcome.map { .success($0) } ?? .failure(MemoryHubError.sessionNotFound(item.memory.sessionID.lowercased))
                }
            }
        }
        var results: [Result<MemoryInsertion, any Error>] = []
        for item in items {
            do {
                let outcome = try await lender.withConnection { connection, logger in try await insert(item, on: connection, logger: logger) }
                results.append(outcome.map { .success($0) } ?? .failure(MemoryHubError.sessionNotFound(item.memory.sessionID.lowercased)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// A batch's inserts in one statement: the batch travels as one `jsonb` array read by
    /// `jsonb_to_recordset`, each user's sequence moves once by its number of new memories (each
    /// memory gets its own number, in batch order), and each session is counted once by its
    /// number of new memories, its `updated_at` the latest `now` of its items. Returns, per item, the session as it now is for the memories that
    /// went in; nil for the others (an identical memory is there, the session is not the user's,
    /// or an earlier item of the batch is identical), which ``insert(_:on:logger:)`` settles.
    static func insertBatch(_ items: [MemoryInsert], on connection: PostgresConnection, logger: Logger) async throws -> [MemoryInsertion?] {
        var rows: [JSONValue] = []
        var seen = Set<[String]>()
        for (index, item) in items.enumerated() {
            let memory = item.memory
            if let hash = item.contentHash, !seen.insert([memory.userID, memory.projectID ?? "", hash]).inserted { continue }
            let optionalText: (String?) -> JSONValue = { $0.map(JSONValue.string) ?? .null }
            rows.append(.object([
                "ord": .int(Int64(index)), "id": .string(memory.id.lowercased), "session_id": .string(memory.sessionID.lowercased),
                "user_id": .string(memory.userID), "project_id": optionalText(memory.projectID), "content": .string(memory.content),
                "summary": optionalText(memory.summary), "memory_type": .string(memory.memoryType.rawValue),
                "importance": .double(memory.importance), "confidence": .double(memory.confidence),
                "entities": .array(memory.entities.map(JSONValue.string)), "tags": .array(memory.tags.map(JSONValue.string)),
                "related_memories": .array(memory.relatedMemories.map { .string($0.lowercased) }), "metadata": .object(memory.metadata),
                "has_embedding": .bool(memory.hasEmbedding), "access_count": .int(memory.accessCount),
                "last_accessed": memory.lastAccessed.map { .int($0.microsecondsSinceEpoch) } ?? .null,
                "created_at": .int(memory.createdAt.microsecondsSinceEpoch), "updated_at": .int(memory.updatedAt.microsecondsSinceEpoch),
                "version": .int(memory.version), "superseded_by": optionalText(memory.supersededBy?.lowercased),
                "content_hash": optionalText(item.contentHash), "now": .int(item.now.microsecondsSinceEpoch),
            ]))
        }
        var counted: [(Session, [UUID])] = []
        for try await row in try await connection.execute(InsertBatch(rows: .array(rows)), logger: logger) { counted.append(row) }
        var sessionOf: [UUID: Session] = [:]
        for (session, ids) in counted { for id in ids { sessionOf[id] = session } }
        return items.map { item in sessionOf[item.memory.id].map { .inserted($0) } }
    }

    /// One insert: a single statement. A CTE counts the memory in its session (scoped by the
    /// memory's user, returning the session as it now is) and the INSERT reads from that CTE, so
    /// the memory is written only if the session was counted, and both or neither happen. It
    /// bumps the user's sequence and inserts unless an
    /// identical memory is already visible; ON CONFLICT settles a concurrent identical insert (it
    /// waits for that commit and inserts nothing); the session is counted only when a row went in.
    /// Nil when the session is not the user's (or gone).
    static func insert(_ item: MemoryInsert, on connection: PostgresConnection, logger: Logger) async throws -> MemoryInsertion? {
        let memory = item.memory
        let contentHash = item.contentHash
        let now = item.now
        let counted = try await fetch(
            """
            WITH target AS (
                SELECT \(memory.userID)::text AS user_id
                WHERE \(contentHash)::text IS NULL OR NOT EXISTS (
                    SELECT 1 FROM memories WHERE user_id = \(memory.userID) AND coalesce(project_id, '') = coalesce(\(memory.projectID)::text, '')
                        AND content_hash = \(contentHash)::text)
            ), sequence AS (
                \(unescaped: Self.bumpSequence(forUsersIn: "target"))
            ), owner AS (
                SELECT id, user_id FROM sessions WHERE id = \(memory.sessionID) AND user_id = \(memory.userID)
            ), inserted AS (
                INSERT INTO memories (id, session_id, user_id, project_id, content, summary, memory_type, importance,
                    confidence, entities, tags, related_memories, metadata, has_embedding, access_count, last_accessed,
                    created_at, updated_at, version, superseded_by, change_seq, content_hash)
                SELECT \(memory.id), owner.id, owner.user_id, \(memory.projectID)::text, \(memory.content),
                    \(memory.summary)::text, \(memory.memoryType.rawValue), \(memory.importance), \(memory.confidence),
                    \(memory.entities), \(memory.tags), \(memory.relatedMemories), \(PostgresJSONObject(memory.metadata)),
                    \(memory.hasEmbedding), \(memory.accessCount), \(memory.lastAccessed?.postgres)::timestamptz,
                    \(memory.createdAt.postgres), \(memory.updatedAt.postgres), \(memory.version), \(memory.supersededBy)::uuid,
                    sequence.value, \(contentHash)::text
                FROM owner, sequence
                ON CONFLICT (user_id, (coalesce(project_id, '')), content_hash) WHERE content_hash IS NOT NULL DO NOTHING
                RETURNING id
            ), counted AS (
                UPDATE sessions SET memory_count = memory_count + 1, updated_at = \(now.postgres), version = version + 1
                WHERE id = \(memory.sessionID) AND user_id = \(memory.userID) AND EXISTS (SELECT 1 FROM inserted)
                RETURNING \(unescaped: SessionColumns.list)
            )
            SELECT \(unescaped: SessionColumns.list) FROM counted
            """, on: connection, logger: logger, SessionColumns.decode)
        if let session = counted.first { return .inserted(session) }
        if let contentHash {
            // A new statement sees what a concurrent identical write committed.
            let existing = try await fetch(
                """
                UPDATE memories SET access_count = access_count + 1, last_accessed = \(now.postgres)
                WHERE user_id = \(memory.userID) AND coalesce(project_id, '') = coalesce(\(memory.projectID)::text, '')
                    AND content_hash = \(contentHash)::text
                RETURNING \(unescaped: MemoryColumns.list)
                """, on: connection, logger: logger, MemoryColumns.decode)
            if let duplicate = existing.first { return .duplicate(of: duplicate) }
        }
        return nil
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
        do {
            return try await updateMemoryOnce(id: id, userID: userID, change: change, at: now)
        } catch let error as MemoryHubError where error.code == .duplicateContent && change.contentHash != nil {
            // A concurrent write committed the same content after this statement's check: the
            // edit is kept as asked, without a hash (as when the check sees the other memory).
            var unhashed = change
            unhashed.contentHash = nil
            return try await updateMemoryOnce(id: id, userID: userID, change: unhashed, at: now)
        }
    }

    private func updateMemoryOnce(id: UUID, userID: String?, change: MemoryChange, at now: Timestamp) async throws -> Memory? {
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
                \(unescaped: Self.bumpSequence(forUsersIn: "target"))
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
                version = memories.version + 1,
                superseded_by = CASE WHEN input.replace_superseded_by THEN input.superseded_by ELSE memories.superseded_by END,
                content_hash = CASE WHEN input.content_hash IS NULL
                        THEN (CASE WHEN input.content IS NULL OR input.content = memories.content THEN memories.content_hash END)
                    WHEN EXISTS (
                        SELECT 1 FROM memories other WHERE other.user_id = memories.user_id
                            AND coalesce(other.project_id, '') = coalesce(memories.project_id, '')
                            AND other.content_hash = input.content_hash AND other.id <> memories.id) THEN NULL
                    ELSE input.content_hash END
            FROM (
                SELECT \(change.content)::text AS content, \(change.summary != nil)::boolean AS replace_summary,
                    \(summary)::text AS summary, \(change.importance)::float8 AS importance,
                    \(change.confidence)::float8 AS confidence, \(change.entities)::text[] AS entities,
                    \(change.tags)::text[] AS tags, \(PostgresJSONObject(setValues))::jsonb AS set_values,
                    \(removedKeys.sorted())::text[] AS removed_keys, \(now.postgres)::timestamptz AS now,
                    \(change.contentHash)::text AS content_hash, \(change.supersededBy != nil)::boolean AS replace_superseded_by,
                    \(change.supersededBy ?? nil)::uuid AS superseded_by
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
                \(unescaped: Self.bumpSequence(forUsersIn: "target"))
            ), removed AS (
                DELETE FROM memories WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
                    AND EXISTS (SELECT 1 FROM sequence)
                RETURNING id, session_id, user_id
            ), tombstone AS (
                INSERT INTO memory_tombstones (id, user_id, change_seq)
                SELECT removed.id, removed.user_id, sequence.value FROM removed, sequence
                ON CONFLICT (id) DO UPDATE SET change_seq = excluded.change_seq
            ), restored AS (
                -- Memories it superseded are current again: nothing replaces them any more.
                UPDATE memories SET superseded_by = NULL, metadata = metadata - 'superseded_reason',
                    version = memories.version + 1, updated_at = \(now.postgres), change_seq = sequence.value
                FROM removed, sequence WHERE memories.user_id = removed.user_id AND memories.superseded_by = removed.id
            )
            UPDATE sessions SET memory_count = memory_count - 1, updated_at = \(now.postgres), version = version + 1
            FROM removed WHERE sessions.id = removed.session_id
            RETURNING \(unescaped: SessionColumns.list(qualifiedBy: "sessions"))
            """, SessionColumns.decode
        ).first
    }

    package func memoryID(contentHash: String, userID: String, projectID: String?) async throws -> UUID? {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        return try await fetch(
            """
            SELECT id FROM memories WHERE user_id = \(userID) AND coalesce(project_id, '') = coalesce(\(projectID)::text, '')
                AND content_hash = \(contentHash)
            """
        ) { try $0.decode(UUID.self) }.first
    }

    /// Every capture write reads this: a prepared statement, parsed and planned once per connection.
    package func newestMemories(userID: String, projectID: String?, limit: Int) async throws -> [MemorySketch] {
        try StoredTextCheck.check(userID, field: "user_id")
        try StoredTextCheck.check(projectID, field: "project_id")
        let statement = NewestMemories(userID: userID, projectID: projectID, limit: max(0, limit))
        return try await withConnection { connection, logger in
            var sketches: [MemorySketch] = []
            for try await sketch in try await connection.execute(statement, logger: logger) { sketches.append(sketch) }
            return sketches
        }
    }

    /// The user's memories matching the filter, newest first, and the total number of matches.
    package func memories(matching filter: MemoryFilter, limit: Int, offset: Int) async throws -> Page<Memory> {
        try StoredTextCheck.check(filter)
        let conditions = """
            user_id = $1 AND ($2::uuid IS NULL OR session_id = $2::uuid) AND ($3::text IS NULL OR project_id = $3::text)
                AND ($4::text IS NULL OR memory_type = $4::text) AND ($5::float8 IS NULL OR importance >= $5::float8)
                AND ($6::text[] IS NULL OR memory_type = ANY($6::text[])) AND ($7::text[] IS NULL OR tags && $7::text[])
                AND ($8::timestamptz IS NULL OR created_at >= $8::timestamptz)
            """
        var bindings = PostgresBindings()
        bindings.append(filter.userID)
        bindings.append(filter.sessionID)
        bindings.append(filter.projectID)
        bindings.append(filter.memoryType?.rawValue)
        bindings.append(filter.minImportance)
        bindings.append(filter.memoryTypes.isEmpty ? nil : filter.memoryTypes.map(\.rawValue).sorted())
        bindings.append(filter.tags.isEmpty ? nil : filter.tags)
        bindings.append(filter.createdAfter?.postgres)
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
}

/// ``PostgresMemoryStore/newestMemories(userID:projectID:limit:)`` as a prepared statement.
struct NewestMemories: PostgresPreparedStatement {
    static let sql = """
        SELECT id, session_id, content, memory_type, created_at, superseded_by FROM memories
        WHERE user_id = $1 AND project_id IS NOT DISTINCT FROM $2::text
        ORDER BY created_at DESC LIMIT $3
        """
    typealias Row = MemorySketch

    var userID: String
    var projectID: String?
    var limit: Int

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(userID)
        bindings.append(projectID)
        bindings.append(Int64(limit))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> MemorySketch {
        let (id, sessionID, content, memoryType, createdAt, supersededBy) = try row.decode(
            (UUID, UUID, String, String, PostgresTimestamp, UUID?).self)
        return MemorySketch(
            id: id, sessionID: sessionID, content: content, memoryType: MemoryType(rawValue: memoryType) ?? .fact,
            createdAt: createdAt.timestamp, supersededBy: supersededBy)
    }
}

/// ``PostgresMemoryStore/insertBatch(_:on:logger:)``'s statement, prepared once per connection
/// (planning it took about 1.5 ms, as long as running it): `$1` is the batch as a `jsonb` array;
/// each row is a session as it now is and the ids of the memories counted in it.
struct InsertBatch: PostgresPreparedStatement {
    static let sql = """
        WITH input AS (
            SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
                ord int, id uuid, session_id uuid, user_id text, project_id text, content text, summary text,
                memory_type text, importance float8, confidence float8, entities jsonb, tags jsonb,
                related_memories jsonb, metadata jsonb, has_embedding bool, access_count bigint, last_accessed bigint,
                created_at bigint, updated_at bigint, version bigint, superseded_by uuid, content_hash text, now bigint)
        ), fresh AS (
            SELECT input.* FROM input
            WHERE EXISTS (SELECT 1 FROM sessions WHERE sessions.id = input.session_id AND sessions.user_id = input.user_id)
                AND (input.content_hash IS NULL OR NOT EXISTS (
                    SELECT 1 FROM memories WHERE memories.user_id = input.user_id
                        AND coalesce(memories.project_id, '') = coalesce(input.project_id, '')
                        AND memories.content_hash = input.content_hash))
        ), sequence AS (
            INSERT INTO user_sequences (user_id, value)
            SELECT user_id, count(*) FROM fresh GROUP BY user_id ORDER BY user_id
            ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + excluded.value
            RETURNING user_id, value
        ), numbered AS (
            SELECT fresh.*, sequence.value - count(*) OVER mine + row_number() OVER (mine ORDER BY fresh.ord) AS change_seq
            FROM fresh JOIN sequence ON sequence.user_id = fresh.user_id
            WINDOW mine AS (PARTITION BY fresh.user_id)
        ), inserted AS (
            INSERT INTO memories (id, session_id, user_id, project_id, content, summary, memory_type, importance,
                confidence, entities, tags, related_memories, metadata, has_embedding, access_count, last_accessed,
                created_at, updated_at, version, superseded_by, change_seq, content_hash)
            SELECT id, session_id, user_id, project_id, content, summary, memory_type, importance, confidence,
                ARRAY(SELECT jsonb_array_elements_text(entities)), ARRAY(SELECT jsonb_array_elements_text(tags)),
                ARRAY(SELECT jsonb_array_elements_text(related_memories)::uuid), metadata, has_embedding, access_count,
                'epoch'::timestamptz + last_accessed * interval '1 microsecond',
                'epoch'::timestamptz + created_at * interval '1 microsecond',
                'epoch'::timestamptz + updated_at * interval '1 microsecond',
                version, superseded_by, change_seq, content_hash
            FROM numbered ORDER BY ord
            ON CONFLICT (user_id, (coalesce(project_id, '')), content_hash) WHERE content_hash IS NOT NULL DO NOTHING
            RETURNING id, session_id
        ), counted AS (
            UPDATE sessions SET memory_count = memory_count + added.count,
                updated_at = 'epoch'::timestamptz + added.now * interval '1 microsecond', version = version + added.count
            FROM (
                SELECT inserted.session_id, count(*) AS count, array_agg(inserted.id) AS ids, max(numbered.now) AS now
                FROM inserted JOIN numbered ON numbered.id = inserted.id GROUP BY inserted.session_id
            ) AS added
            WHERE sessions.id = added.session_id
            RETURNING \(SessionColumns.list(qualifiedBy: "sessions")), added.ids
        )
        SELECT * FROM counted
        """
    typealias Row = (Session, [UUID])

    var rows: JSONValue

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(PostgresJSONValue(rows))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        (try SessionColumns.decode(row), try row.makeRandomAccess()[SessionColumns.names.count].decode([UUID].self))
    }
}
