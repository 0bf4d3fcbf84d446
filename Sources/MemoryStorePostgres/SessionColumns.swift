import MemoryCore
internal import PostgresNIO
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `sessions` columns every query selects, in the order `decode(_:)` reads them.
enum SessionColumns {
    static let names = [
        "id", "user_id", "project_id", "client_session_id", "parent_session_id", "state", "started_at", "ended_at",
        "end_reason", "summary", "metadata", "tags", "memory_count", "created_at", "updated_at", "version",
    ]

    /// The column list for a SELECT or RETURNING clause.
    static let list = names.joined(separator: ", ")

    /// The column list with each name qualified by `table`.
    static func list(qualifiedBy table: String) -> String {
        names.map { "\(table).\($0)" }.joined(separator: ", ")
    }

    static func decode(_ row: PostgresRow) throws -> Session {
        let (
            id, userID, projectID, clientSessionID, parentSessionID, state, startedAt, endedAt, endReason, summary, metadata,
            tags, memoryCount, createdAt, updatedAt, version
        ) = try row.decode(
            (
                UUID, String, String?, String?, UUID?, String, PostgresTimestamp, PostgresTimestamp?, String?, String?,
                PostgresJSONObject, [String], Int, PostgresTimestamp, PostgresTimestamp, Int64
            ).self)
        return Session(
            id: id,
            userID: userID,
            projectID: projectID,
            clientSessionID: clientSessionID,
            parentSessionID: parentSessionID,
            state: SessionState(rawValue: state) ?? .active,
            startedAt: startedAt.timestamp,
            endedAt: endedAt?.timestamp,
            endReason: endReason,
            summary: summary,
            metadata: metadata.object,
            tags: tags,
            memoryCount: memoryCount,
            createdAt: createdAt.timestamp,
            updatedAt: updatedAt.timestamp,
            version: version)
    }
}
