package import MemoryCore
import GRDB
import Logging
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension SQLiteMemoryStore {
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
            if change.requireRoot && current.parentSessionID != nil { return .stateMismatch(current) }
            let updated = change.applied(to: current, at: now)
            try db.execute(
                sql: """
                    UPDATE sessions SET state = ?, ended_at = ?, end_reason = ?, summary = ?, metadata = ?, tags = ?,
                        updated_at = ?, version = ?, parent_session_id = ?
                    WHERE id = ?
                    """,
                arguments: [
                    updated.state.rawValue, updated.endedAt?.microsecondsSinceEpoch, updated.endReason,
                    updated.summary, JSONText.encode(updated.metadata), JSONText.encode(updated.tags),
                    updated.updatedAt.microsecondsSinceEpoch, updated.version, updated.parentSessionID?.lowercased, id.lowercased,
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
        return try await page(
            table: "sessions", where: clauses, arguments: arguments, order: "started_at DESC, id DESC", limit: limit, offset: offset,
            Self.session(from:))
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
}
