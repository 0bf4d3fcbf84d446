package import MemoryCore
package import MemoryService

extension SearchRequest {
    /// `POST /api/memory/memories/search` and MCP `search_memories`: `query`*, `project_id`,
    /// `session_id`, `memory_types`, `min_importance`, `tags`, `limit` (10), `offset`, `explain`,
    /// `mode`, else `use_vector_search` (true: hybrid; false: lexical), `reference_time`,
    /// `time_window`. Ranges are checked by the search engine.
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
        referenceTime = try fields.timestamp("reference_time")
        timeWindow = try Self.timeWindow(fields)
    }

    /// `time_window`: `{"start": ISO 8601, "end": ISO 8601}`, a phrase resolved against
    /// `reference_time` ("last week", "3 days ago", "in March"), or `"query"` for the query's own words.
    static func timeWindow(_ fields: JSONFields) throws -> TimeWindowRequest? {
        guard let value = fields.value("time_window"), value != .null else { return nil }
        if case .string(let text) = value {
            let phrase = text.trimmedWhitespace
            guard !phrase.isEmpty, phrase.utf8.count <= 200 else {
                throw MemoryHubError.invalidField("time_window", "time_window must be a phrase of 1 to 200 bytes, \"query\", or {start, end}.")
            }
            return phrase == "query" ? .fromQuery : .phrase(phrase)
        }
        guard let members = try fields.object("time_window") else { return nil }
        let window = JSONFields(members)
        guard let start = try window.timestamp("start"), let end = try window.timestamp("end") else {
            throw MemoryHubError.invalidField("time_window", "time_window needs both start and end (ISO 8601 date-times).")
        }
        return .window(TimeWindow(start: start, end: end))
    }
}
