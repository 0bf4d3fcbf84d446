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
                parent_session_id = COALESCE(\(change.parentSessionID)::uuid, parent_session_id),
                updated_at = \(now.postgres),
                version = version + 1
            WHERE id = \(id) AND (\(userID)::text IS NULL OR user_id = \(userID)::text)
                AND (\(requiredStates)::text[] IS NULL OR state = ANY(\(requiredStates)::text[]))
                AND (NOT \(change.requireRoot) OR parent_session_id IS NULL)
            RETURNING \(unescaped: SessionColumns.list)
            """
        // A miss followed by a row in a required state means another writer changed the state
        // between the two queries; the update is then simply tried again.
        for _ in 0..<3 {
            if let updated = try await fetch(update, SessionColumns.decode).first { return .updated(updated) }
            guard let current = try await session(id: id, userID: userID) else { return .notFound }
            if let required = change.requiredStates, !required.contains(current.state) { return .stateMismatch(current) }
            if change.requireRoot && current.parentSessionID != nil { return .stateMismatch(current) }
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
                    \(unescaped: Self.bumpSequence(forUsersIn: "doomed"))
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
}
