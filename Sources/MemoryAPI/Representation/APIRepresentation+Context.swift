package import MemoryCore
package import MemoryService

extension APIRepresentation {
    /// The `POST /api/memory/context/retrieve` response (also `/quick`, `/comprehensive` and MCP
    /// `get_context`'s structured content).
    package static func context(_ response: ContextResponse, now: Timestamp = .now()) -> JSONValue {
        var object: JSONObject = [
            "sections": .array(response.sections.map { section in
                .object([
                    "title": .string(section.title),
                    "context_type": .string(section.contextType.rawValue),
                    "memories": .array(section.memories.map { item in
                        memory(item.memory, now: now, extra: [
                            "relevance_score": .double(item.relevanceScore),
                            "relevance_reason": .string(item.relevanceReason),
                        ])
                    }),
                    "token_count": .int(Int64(section.tokenCount)),
                    "relevance_score": .double(section.relevanceScore),
                ])
            }),
            "total_memories": .int(Int64(response.totalMemories)),
            "total_tokens": .int(Int64(response.totalTokens)),
            "max_relevance": .double(response.maxRelevance),
            "retrieval_time_ms": .double(milliseconds(response.retrievalTime)),
            "formatted_context": .string(response.formattedContext),
            "context_summary": .string(response.contextSummary),
        ]
        if let notice = response.notice { object["notice"] = .string(notice) }
        return .object(object)
    }

    /// `GET /api/memory/context/stats/{user_id}` and MCP `get_memory_stats`: the same fields
    /// under the same names.
    package static func statistics(_ stats: MemoryStatistics, now: Timestamp = .now()) -> JSONValue {
        var byType: JSONObject = [:]
        for type in MemoryType.allCases { byType[type.rawValue] = .int(Int64(stats.countsByType[type] ?? 0)) }
        return .object([
            "user_id": .string(stats.userID),
            "project_id": stats.projectID.map(JSONValue.string) ?? .null,
            "days": .int(Int64(stats.days)),
            "total_memories": .int(Int64(stats.totalMemories)),
            "recent_memories": .int(Int64(stats.memoriesInWindow)),
            "memories_by_type": .object(byType),
            "total_sessions": .int(Int64(stats.totalSessions)),
            "active_sessions": .int(Int64(stats.activeSessions)),
            "recent_sessions": .int(Int64(stats.sessionsInWindow)),
            "average_importance": .double(stats.meanImportance),
            "memories_with_embedding": .int(Int64(stats.withEmbedding)),
            "most_accessed": .array(stats.mostAccessed.map { memory($0, now: now) }),
        ])
    }

    /// The `POST /api/memory/memories/batch` response: `created`, `failed`, `memories`, and per
    /// failed item its `index` with the error's `detail`, `code` and `field`.
    package static func batch(_ result: BatchResult, now: Timestamp = .now()) -> JSONValue {
        return .object([
            "created": .int(Int64(result.memories.count - result.deduplicated.count(where: { $0 }))),
            "deduplicated": .int(Int64(result.deduplicated.count(where: { $0 }))),
            "failed": .int(Int64(result.errors.count)),
            "memories": .array(result.memories.enumerated().map { index, item in
                memory(item, now: now, extra: ["deduplicated": .bool(index < result.deduplicated.count && result.deduplicated[index])])
            }),
            "errors": .array(result.errors.map { failure in
                guard case .object(var entry) = error(failure.error) else { return .null }
                entry["index"] = .int(Int64(failure.index))
                return .object(entry)
            }),
        ])
    }

    /// A memory as a write returns it: the Memory shape plus `deduplicated` (true when an identical
    /// memory existed and was returned instead of storing a copy).
    package static func stored(_ stored: StoredMemory, now: Timestamp = .now()) -> JSONValue {
        memory(stored.memory, now: now, extra: [
            "deduplicated": .bool(stored.deduplicated),
            "supersedes": stored.supersedes.map { .string($0.supersededID.lowercased) } ?? .null,
        ])
    }
}
