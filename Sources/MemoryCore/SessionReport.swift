/// The pure computations behind ending a session and continuing one: statistics, insights, a
/// plain-text summary, and the context a linked child inherits.
package enum SessionReport {
    /// Importance at or above which a memory counts as important.
    package static let importantThreshold = 0.7
    /// Importance at or above which facts and patterns are learning points.
    package static let learningThreshold = 0.8

    /// `memory_count`, `important_count`, `mean_importance`, `distinct_entities`.
    package static func finalStats(of memories: [Memory]) -> JSONObject {
        let mean = memories.isEmpty ? 0 : memories.reduce(0) { $0 + $1.importance } / Double(memories.count)
        return [
            "memory_count": .int(Int64(memories.count)),
            "important_count": .int(Int64(memories.filter { $0.importance >= importantThreshold }.count)),
            "mean_importance": .double((mean * 1000).rounded() / 1000),
            "distinct_entities": .int(Int64(Set(memories.flatMap(\.entities)).count)),
        ]
    }

    /// `topics`, `key_decisions`, `errors_encountered`, `learning_points`, `action_items`.
    package static func insights(of memories: [Memory], limit: Int = 5) -> JSONObject {
        let ranked = byImportance(memories)
        func contents(_ filter: (Memory) -> Bool) -> JSONValue {
            .array(ranked.filter(filter).prefix(limit).map { .string(clip($0.content, 200)) })
        }
        return [
            "topics": .array(topEntities(of: memories, limit: limit).map(JSONValue.string)),
            "key_decisions": contents { $0.memoryType == .decision },
            "errors_encountered": contents { $0.memoryType == .error },
            "learning_points": contents {
                ($0.memoryType == .fact || $0.memoryType == .pattern) && $0.importance >= learningThreshold
            },
            "action_items": contents { $0.memoryType == .decision && $0.content.uppercased().contains("TODO") },
        ]
    }

    /// A plain-text summary of the most important memories.
    package static func summary(of memories: [Memory], limit: Int = 5) -> String {
        guard !memories.isEmpty else { return "No memories were recorded in this session." }
        let points = byImportance(memories).prefix(limit).map { "- [\($0.memoryType.rawValue)] \(clip($0.summary ?? $0.content, 160))" }
        let noun = memories.count == 1 ? "memory" : "memories"
        return "\(memories.count) \(noun) recorded. Most important:\n" + points.joined(separator: "\n")
    }

    /// What a session linked to `parent` inherits in `metadata.parent_context`.
    package static func parentContext(of parent: Session, memories: [Memory], limit: Int = 5) -> JSONObject {
        let facts = byImportance(memories)
            .filter { $0.memoryType == .fact && $0.importance >= importantThreshold }
            .prefix(limit)
            .map { JSONValue.string(clip($0.content, 200)) }
        return [
            "parent_session_id": .string(parent.id.lowercased),
            "summary": parent.summary.map(JSONValue.string) ?? .null,
            "top_entities": .array(topEntities(of: memories, limit: limit).map(JSONValue.string)),
            "important_facts": .array(Array(facts)),
        ]
    }

    /// Entities by how many memories name them, ties by first appearance.
    package static func topEntities(of memories: [Memory], limit: Int) -> [String] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for memory in memories {
            for entity in [String]().addingUnique(memory.entities) {
                if counts[entity] == nil { order.append(entity) }
                counts[entity, default: 0] += 1
            }
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return order.sorted { (counts[$0]!, position[$1]!) > (counts[$1]!, position[$0]!) }.prefix(limit).map { $0 }
    }

    static func byImportance(_ memories: [Memory]) -> [Memory] {
        memories.sorted { ($0.importance, $0.createdAt) > ($1.importance, $1.createdAt) }
    }

    static func clip(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
