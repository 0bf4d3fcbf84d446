package import MemoryCore
package import MemoryService

extension SearchRequest {
    /// `POST /api/memory/memories/search` and MCP `search_memories`: `query`*, `project_id`,
    /// `session_id`, `memory_types`, `min_importance`, `tags`, `limit` (10), `offset`, `explain`,
    /// `mode`, else `use_vector_search` (true: hybrid; false: lexical). Ranges are checked by the
    /// search engine.
    package init(fields: JSONFields, userID: String) throws {
        self.init(userID: userID, query: try fields.requiredString("query"))
        projectID = try fields.string("project_id")
        sessionID = try fields.uuid("session_id")
        memoryTypes = try fields.enumerations("memory_types", MemoryType.self) ?? []
        minImportance = try fields.double("min_importance")
        tags = try fields.strings("tags") ?? []
        limit = try fields.int("limit") ?? 10
        offset = try fields.int("offset") ?? 0
        explain = try fields.bool("explain") ?? false
        let useVectors = try fields.bool("use_vector_search") ?? true
        mode = try fields.enumeration("mode", SearchMode.self) ?? (useVectors ? .hybrid : .lexical)
    }
}
