import MemoryCore
internal import PostgresNIO
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `memories` columns every query selects, in the order `decode(_:)` reads them.
enum MemoryColumns {
    static let names = [
        "id", "session_id", "user_id", "project_id", "content", "summary", "memory_type", "importance", "confidence",
        "entities", "tags", "related_memories", "metadata", "has_embedding", "access_count", "last_accessed",
        "created_at", "updated_at", "version", "superseded_by",
    ]

    /// The column list for a SELECT or RETURNING clause.
    static let list = names.joined(separator: ", ")

    /// The column list with each name qualified by `table`.
    static func list(qualifiedBy table: String) -> String {
        names.map { "\(table).\($0)" }.joined(separator: ", ")
    }

    static func decode(_ row: PostgresRow) throws -> Memory {
        let (
            id, sessionID, userID, projectID, content, summary, memoryType, importance, confidence, entities, tags,
            relatedMemories, metadata, hasEmbedding, accessCount, lastAccessed, createdAt, updatedAt, version, supersededBy
        ) = try row.decode(
            (
                UUID, UUID, String, String?, String, String?, String, Double, Double, [String], [String], [UUID],
                PostgresJSONObject, Bool, Int64, PostgresTimestamp?, PostgresTimestamp, PostgresTimestamp, Int64, UUID?
            ).self)
        return Memory(
            id: id,
            sessionID: sessionID,
            userID: userID,
            projectID: projectID,
            content: content,
            summary: summary,
            memoryType: MemoryType(rawValue: memoryType) ?? .fact,
            importance: importance,
            confidence: confidence,
            entities: entities,
            tags: tags,
            relatedMemories: relatedMemories,
            metadata: metadata.object,
            hasEmbedding: hasEmbedding,
            accessCount: accessCount,
            lastAccessed: lastAccessed?.timestamp,
            createdAt: createdAt.timestamp,
            updatedAt: updatedAt.timestamp,
            version: version,
            supersededBy: supersededBy)
    }
}
