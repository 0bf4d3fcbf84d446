extension Memory {
    /// The text the lexical index and the embedder see: content, summary, entities and tags.
    package var indexedText: String {
        Memory.indexedText(content: content, summary: summary, entities: entities, tags: tags)
    }

    /// The indexed text of a memory's fields.
    package static func indexedText(content: String, summary: String?, entities: [String], tags: [String]) -> String {
        var parts = [content]
        if let summary, !summary.isEmpty { parts.append(summary) }
        if !entities.isEmpty { parts.append(entities.joined(separator: " ")) }
        if !tags.isEmpty { parts.append(tags.joined(separator: " ")) }
        return parts.joined(separator: "\n")
    }
}
