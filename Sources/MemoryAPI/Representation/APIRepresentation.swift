package import MemoryCore
package import MemoryService
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON shapes of API.md "Objects", built from domain values.
package enum APIRepresentation {
    package static func session(_ session: Session) -> JSONValue {
        .object([
            "id": .string(session.id.lowercased),
            "user_id": .string(session.userID),
            "project_id": optional(session.projectID),
            "client_session_id": optional(session.clientSessionID),
            "parent_session_id": optional(session.parentSessionID?.lowercased),
            "state": .string(session.state.rawValue),
            "started_at": .string(session.startedAt.iso8601),
            "ended_at": optional(session.endedAt?.iso8601),
            "end_reason": optional(session.endReason),
            "summary": optional(session.summary),
            "metadata": .object(session.metadata),
            "tags": .array(session.tags.map(JSONValue.string)),
            "created_at": .string(session.createdAt.iso8601),
            "updated_at": .string(session.updatedAt.iso8601),
            "version": .int(session.version),
            "duration": session.duration.map(JSONValue.double) ?? .null,
            "is_active": .bool(session.isActive),
            "memory_count": .int(Int64(session.memoryCount)),
        ])
    }

    package static func memory(_ memory: Memory, now: Timestamp, extra: JSONObject = [:]) -> JSONValue {
        var object: JSONObject = [
            "id": .string(memory.id.lowercased),
            "session_id": .string(memory.sessionID.lowercased),
            "user_id": .string(memory.userID),
            "project_id": optional(memory.projectID),
            "content": .string(memory.content),
            "summary": optional(memory.summary),
            "memory_type": .string(memory.memoryType.rawValue),
            "importance": .double(memory.importance),
            "confidence": .double(memory.confidence),
            "entities": .array(memory.entities.map(JSONValue.string)),
            "tags": .array(memory.tags.map(JSONValue.string)),
            "related_memories": .array(memory.relatedMemories.map { .string($0.lowercased) }),
            "metadata": .object(memory.metadata),
            "has_embedding": .bool(memory.hasEmbedding),
            "access_count": .int(memory.accessCount),
            "last_accessed": optional(memory.lastAccessed?.iso8601),
            "created_at": .string(memory.createdAt.iso8601),
            "updated_at": .string(memory.updatedAt.iso8601),
            "version": .int(memory.version),
            "age_days": .double(memory.ageDays(at: now)),
            "relevance_score": .double(memory.relevanceScore(at: now)),
            "is_recent": .bool(memory.isRecent(at: now)),
            "is_high_importance": .bool(memory.isHighImportance),
            "superseded_by": optional(memory.supersededBy?.lowercased),
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    package static func sessionContext(_ context: SessionContextSummary, now: Timestamp) -> JSONValue {
        let session = context.session
        return .object([
            "session_id": .string(session.id.lowercased),
            "user_id": .string(session.userID),
            "project_id": optional(session.projectID),
            "started_at": .string(session.startedAt.iso8601),
            "duration": session.duration.map(JSONValue.double) ?? .null,
            "memory_count": .int(Int64(session.memoryCount)),
            "important_memories": .array(context.importantMemories.map { memory($0, now: now) }),
            "tags": .array(session.tags.map(JSONValue.string)),
            "is_active": .bool(session.isActive),
        ])
    }

    package static func error(_ error: MemoryHubError) -> JSONValue {
        var object: JSONObject = ["detail": .string(error.detail), "code": .string(error.code.description)]
        if let field = error.field { object["field"] = .string(field) }
        return .object(object)
    }

    private static func optional(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }
}
