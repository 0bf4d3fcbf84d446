package import MemoryCore
package import MemoryService

extension SessionStartRequest {
    /// `POST /api/memory/session/start` and MCP `init_session`: `project_id`, `metadata`, `tags`,
    /// `parent_session_id`, `client_session_id`, `auto_link` (default true), for `userID`.
    package init(fields: JSONFields, userID: String, defaultProjectID: String? = nil) throws {
        self.init(
            userID: userID,
            projectID: try fields.string("project_id") ?? defaultProjectID,
            metadata: try fields.object("metadata") ?? [:],
            tags: try fields.strings("tags") ?? [],
            parentSessionID: try fields.uuid("parent_session_id"),
            clientSessionID: try fields.string("client_session_id"),
            autoLink: try fields.bool("auto_link") ?? true)
    }
}
