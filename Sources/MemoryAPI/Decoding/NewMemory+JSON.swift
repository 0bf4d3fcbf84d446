package import MemoryCore
package import MemoryService
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension NewMemory {
    /// `POST /api/memory/memories`, each item of `/batch`, and MCP `create_memory`: `session_id`
    /// (else `fallbackSessionID`), `content`*, `memory_type`*, `summary`, `importance`,
    /// `confidence`, `entities`, `tags`, `metadata`, `related_memories`. 422 naming the field.
    package init(fields: JSONFields, fallbackSessionID: UUID?) throws {
        guard let sessionID = try fields.uuid("session_id") ?? fallbackSessionID else {
            throw MemoryHubError.invalidField("session_id", "session_id is required.")
        }
        guard let memoryType = try fields.enumeration("memory_type", MemoryType.self) else {
            throw MemoryHubError.invalidField("memory_type", "memory_type is required.")
        }
        self.init(
            sessionID: sessionID,
            content: try fields.requiredString("content"),
            memoryType: memoryType,
            summary: try fields.string("summary"),
            importance: try fields.double("importance"),
            confidence: try fields.double("confidence"),
            entities: try fields.strings("entities") ?? [],
            tags: try fields.strings("tags") ?? [],
            metadata: try fields.object("metadata") ?? [:],
            relatedMemories: try fields.uuids("related_memories") ?? [])
    }
}
