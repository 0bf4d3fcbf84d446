package import MemoryCore

/// The character U+0000 in any text a store is given, checked by every backend at the entry of
/// each call, before anything is read or written.
///
/// PostgreSQL cannot keep U+0000 in `text` or `jsonb`; SQLite binds text as C strings, so it
/// silently cuts a value at U+0000: `alice\u{0}x` would read and write alice's rows, and
/// `before\u{0}after` would be stored as `before`. Both stores therefore refuse it the same way,
/// with an `invalidField` error naming the field (a 422), never storing less than was sent.
package enum StoredTextCheck {
    package static func check(_ text: String?, field: String) throws {
        if let text, text.utf8.contains(0) { throw rejected(field) }
    }

    package static func check(_ texts: [String]?, field: String) throws {
        if let texts, texts.contains(where: { $0.utf8.contains(0) }) { throw rejected(field) }
    }

    package static func check(_ object: JSONObject, field: String) throws {
        if !isStorable(.object(object)) { throw rejected(field) }
    }

    package static func check(_ session: Session) throws {
        try check(session.userID, field: "user_id")
        try check(session.projectID, field: "project_id")
        try check(session.clientSessionID, field: "client_session_id")
        try check(session.endReason, field: "end_reason")
        try check(session.summary, field: "summary")
        try check(session.metadata, field: "metadata")
        try check(session.tags, field: "tags")
    }

    package static func check(_ memory: Memory) throws {
        try check(memory.userID, field: "user_id")
        try check(memory.projectID, field: "project_id")
        try check(memory.content, field: "content")
        try check(memory.summary, field: "summary")
        try check(memory.entities, field: "entities")
        try check(memory.tags, field: "tags")
        try check(memory.metadata, field: "metadata")
    }

    package static func check(_ change: SessionChange) throws {
        try check(change.metadataPatch, field: "metadata")
        try check(change.addTags, field: "tags")
        try check(change.endReason, field: "end_reason")
        try check(change.summary, field: "summary")
    }

    package static func check(_ change: MemoryChange) throws {
        try check(change.content, field: "content")
        try check(change.summary ?? nil, field: "summary")
        try check(change.entities, field: "entities")
        try check(change.tags, field: "tags")
        try check(change.metadataPatch, field: "metadata")
    }

    package static func check(_ filter: SessionFilter) throws {
        try check(filter.userID, field: "user_id")
        try check(filter.projectID, field: "project_id")
    }

    package static func check(_ filter: MemoryFilter) throws {
        try check(filter.userID, field: "user_id")
        try check(filter.projectID, field: "project_id")
        try check(filter.tags, field: "tags")
    }

    package static func check(_ filter: SearchFilter) throws {
        try check(filter.userID, field: "user_id")
        try check(filter.projectID, field: "project_id")
        try check(filter.tags, field: "tags")
    }

    private static func isStorable(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): !text.utf8.contains(0)
        case .array(let items): items.allSatisfy(isStorable)
        case .object(let members): members.allSatisfy { !$0.key.utf8.contains(0) && isStorable($0.value) }
        case .null, .bool, .int, .double: true
        }
    }

    private static func rejected(_ field: String) -> MemoryHubError {
        MemoryHubError.invalidField(field, "The \(field) field contains the character U+0000, which the store cannot keep.")
    }
}
