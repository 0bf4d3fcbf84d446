package import MemoryCore
package import MemoryService
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The longest query text a persistent context query or search accepts, in characters.
package let persistentContextQueryLimit = 10_000

extension NewContextItem {
    /// `POST /api/memory/persistent/context` (and MCP `store_persistent_context`) for `userID`:
    /// `content`*, `context_type`*, `scope`*, `importance` 0-1 (0.5), `related_entities` (at most
    /// 100, each 1-255 characters), `metadata` (an object), `project_id` (required by the `project`
    /// scope, else `defaultProjectID`), `session_id` (required by the `session` scope, else
    /// `defaultSessionID`). 422 naming the field for anything missing, of the wrong type or out of
    /// range; the content's size is checked by the service (64 KiB by default).
    package init(fields: JSONFields, userID: String, defaultProjectID: String? = nil, defaultSessionID: UUID? = nil) throws {
        let scope = try Self.required(fields.enumeration("scope", ContextItemScope.self), "scope")
        let projectID = try Validation.optionalIdentifier(fields.string("project_id"), field: "project_id")
        let sessionID = try fields.uuid("session_id")
        let resolvedProject = projectID ?? (scope == .project ? defaultProjectID : nil)
        let resolvedSession = sessionID ?? (scope == .session ? defaultSessionID : nil)
        if scope == .project && resolvedProject == nil {
            throw MemoryHubError.invalidField("project_id", "project_id is required for the project scope.")
        }
        if scope == .session && resolvedSession == nil {
            throw MemoryHubError.invalidField("session_id", "session_id is required for the session scope.")
        }
        self.init(
            userID: userID, content: try fields.requiredString("content"),
            contextType: try Self.required(fields.enumeration("context_type", ContextItemType.self), "context_type"), scope: scope,
            importance: try Validation.unitInterval(fields.double("importance"), field: "importance") ?? 0.5,
            relatedEntities: try Validation.strings(fields.strings("related_entities") ?? [], field: "related_entities"),
            metadata: try fields.object("metadata") ?? [:], projectID: resolvedProject, sessionID: resolvedSession)
    }

    private static func required<T>(_ value: T?, _ field: String) throws -> T {
        guard let value else { throw MemoryHubError.invalidField(field, "\(field) is required.") }
        return value
    }
}

extension ContextQuery {
    /// `POST /api/memory/persistent/context/query` (and MCP `query_persistent_context`) for
    /// `userID`: `query`* (1-10,000 characters), `context_type`, `scope`, `limit` 1-100 (10),
    /// `project_id`, `session_id`; 422 naming the field otherwise.
    package init(fields: JSONFields, userID: String) throws {
        self.init(
            userID: userID, text: try fields.requiredString("query"),
            contextType: try fields.enumeration("context_type", ContextItemType.self),
            scope: try fields.enumeration("scope", ContextItemScope.self),
            projectID: try Validation.optionalIdentifier(fields.string("project_id"), field: "project_id"),
            sessionID: try fields.uuid("session_id"), limit: try fields.int("limit", in: 1...100) ?? 10)
        try checkText()
    }

    /// 422 naming the text's field when it is empty or longer than `persistentContextQueryLimit`.
    package func checkText() throws {
        guard !text.trimmedWhitespace.isEmpty else { throw MemoryHubError.invalidField(textField, "\(textField) must not be empty.") }
        guard text.count <= persistentContextQueryLimit else {
            throw MemoryHubError.invalidField(textField, "\(textField) is longer than \(persistentContextQueryLimit) characters.")
        }
    }
}
