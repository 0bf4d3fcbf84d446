package import MemoryCore

extension MemoryChange {
    /// `PATCH /api/memory/memories/{id}` and MCP `update_memory`: `content` (never null),
    /// `summary` (null clears it), `importance`, `confidence`, `entities` and `tags` (replace),
    /// `metadata` (merged; a null value removes its key), `superseded_by` (a memory id marks this
    /// one outdated by it; null reverses that).
    package init(fields: JSONFields) throws {
        self.init(
            content: try fields.string("content"),
            importance: try fields.double("importance"),
            confidence: try fields.double("confidence"),
            entities: try fields.strings("entities"),
            tags: try fields.strings("tags"),
            metadataPatch: try fields.object("metadata") ?? [:])
        if fields.has("summary") { summary = .some(try fields.string("summary")) }
        if fields.has("superseded_by") { supersededBy = .some(try fields.uuid("superseded_by")) }
        if fields.has("content"), content == nil {
            throw MemoryHubError.invalidField("content", "content must not be null.")
        }
    }
}
