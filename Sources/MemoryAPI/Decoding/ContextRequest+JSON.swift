package import MemoryCore
package import MemoryService

extension ContextRequest {
    /// `POST /api/memory/context/retrieve` (and `/comprehensive`, MCP `get_context`): the members
    /// present replace `base`'s values: `session_id`, `project_id`, `query`, `context_types`,
    /// `max_memories`, `max_tokens`, `min_relevance`, `time_window_hours`, `memory_types`, `tags`.
    package init(fields: JSONFields, base: ContextRequest) throws {
        self = base
        sessionID = try fields.uuid("session_id") ?? base.sessionID
        projectID = try fields.string("project_id") ?? base.projectID
        query = try fields.string("query") ?? base.query
        if let types = try fields.enumerations("context_types", ContextType.self) { contextTypes = types }
        maxMemories = try fields.int("max_memories") ?? maxMemories
        maxTokens = try fields.int("max_tokens") ?? maxTokens
        minRelevance = try fields.double("min_relevance") ?? minRelevance
        timeWindowHours = try fields.double("time_window_hours") ?? timeWindowHours
        memoryTypes = try fields.enumerations("memory_types", MemoryType.self) ?? memoryTypes
        tags = try fields.strings("tags") ?? tags
    }
}
