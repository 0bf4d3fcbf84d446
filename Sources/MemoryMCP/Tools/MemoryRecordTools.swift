import MCP
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

extension MemoryTool {
    /// The memory tools: remember, search, show, change, delete.
    static let memoryTools: [MemoryTool] = [
        MemoryTool(
            "create_memory",
            "Remember one thing: a fact, preference, code, decision, error, pattern or entity. Stored in the given "
                + "session, else the current one (started on demand).",
            [
                "content": string("What to remember, 1 byte to 64 KiB."),
                "memory_type": enumeration(MemoryType.allCases.map(\.rawValue), "What kind of thing it is."),
                "session_id": uuid("The session; defaults to the current one, started on demand."),
                "summary": string("A one-line summary."),
                "importance": number("0 to 1 (default 0.5); 0.7 and above counts as important."),
                "entities": strings("Names it is about: files, components, people, tools."),
                "tags": strings("Tags."),
                "metadata": object("Any JSON object to keep with the memory."),
            ],
            required: ["content", "memory_type"],
            annotations: .init(title: "Remember", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false),
            run: { try await $1.createMemory($0) }),
        MemoryTool(
            "search_memories",
            "Search the user's memories by meaning and by words (hybrid search); best matches first.",
            [
                "query": string("What to look for."),
                "memory_types": strings("Only these types.", enumeration: MemoryType.allCases.map(\.rawValue)),
                "project_id": string("Only memories of this project."),
                "limit": integer("How many, 1 to 100 (default 10).", minimum: 1, maximum: 100),
                "min_importance": number("Only memories at least this important (0 to 1)."),
            ],
            required: ["query"],
            annotations: .init(title: "Search memories", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.searchMemories($0) }),
        MemoryTool(
            "get_memory",
            "Show one memory in full.",
            ["memory_id": uuid("The memory.")],
            required: ["memory_id"],
            annotations: .init(title: "Show a memory", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.getMemory($0) }),
        MemoryTool(
            "update_memory",
            "Change a memory: content, summary and importance are replaced; entities and tags are replaced when "
                + "given; metadata is merged (null removes a key).",
            [
                "memory_id": uuid("The memory."),
                "content": string("New content."),
                "summary": string("New summary."),
                "importance": number("New importance, 0 to 1."),
                "entities": strings("Replaces the entities."),
                "tags": strings("Replaces the tags."),
                "metadata": object("Keys to merge into the metadata; null removes a key."),
            ],
            required: ["memory_id"],
            annotations: .init(title: "Change a memory", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false),
            run: { try await $1.updateMemory($0) }),
        MemoryTool(
            "delete_memory",
            "Delete one memory for good.",
            ["memory_id": uuid("The memory.")],
            required: ["memory_id"],
            annotations: .init(title: "Delete a memory", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false),
            run: { try await $1.deleteMemory($0) }),
    ]
}

extension ToolContext {
    func createMemory(_ arguments: JSONFields) async throws -> ToolOutcome {
        // Every argument is read before a session may be started, so a bad call leaves nothing
        // behind; without `session_id` the placeholder is replaced by the connection's session.
        var request = try NewMemory(fields: arguments, fallbackSessionID: UUID())
        guard !request.content.isEmpty else { throw MemoryHubError.invalidField("content", "content must not be empty.") }
        if let importance = request.importance, !(0...1).contains(importance) {
            throw MemoryHubError.invalidField("importance", "importance must be between 0 and 1.")
        }
        if try arguments.uuid("session_id") == nil {
            request.sessionID = try await currentOrNewSession()
        }
        let stored = try await services.memories.store(request, actingUser: try user())
        let memory = stored.memory
        let text = stored.deduplicated
            ? "Already remembered as \(memory.id.lowercased) (\(memory.memoryType.rawValue), importance \(TextRendering.number(memory.importance))) in session \(memory.sessionID.lowercased); nothing new stored."
            : "Remembered \(memory.id.lowercased) (\(memory.memoryType.rawValue), importance \(TextRendering.number(memory.importance))) in session \(memory.sessionID.lowercased)."
        return ToolOutcome(text: text, structured: .object(["memory": APIRepresentation.stored(stored), "deduplicated": .bool(stored.deduplicated)]))
    }

    func searchMemories(_ arguments: JSONFields) async throws -> ToolOutcome {
        _ = try arguments.int("limit", in: 1...100)
        let request = try SearchRequest(fields: arguments, userID: try user())
        let response = try await services.search.search(request)
        var text = response.notice.map { $0 + "\n" } ?? ""
        text += "\(response.total) memor\(response.total == 1 ? "y matches" : "ies match") '\(request.query)'"
        if response.results.isEmpty {
            text += "."
        } else {
            text += "; the best \(response.results.count):\n" + response.results.enumerated().map { index, result in
                "\(index + 1). [score \(TextRendering.number(result.score))] " + TextRendering.memoryLine(result.memory)
            }.joined(separator: "\n")
        }
        return ToolOutcome(text: text, structured: APIRepresentation.search(response))
    }

    func getMemory(_ arguments: JSONFields) async throws -> ToolOutcome {
        let memory = try await services.memories.get(id: try arguments.requiredUUID("memory_id"), actingUser: try user())
        return ToolOutcome(text: TextRendering.memory(memory), structured: .object(["memory": APIRepresentation.memory(memory, now: .now())]))
    }

    func updateMemory(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try arguments.requiredUUID("memory_id")
        let change = try MemoryChange(fields: arguments)
        let memory = try await services.memories.update(id: id, actingUser: try user(), change: change)
        return ToolOutcome(
            text: "Memory \(memory.id.lowercased) updated (version \(memory.version)).\n" + TextRendering.memory(memory),
            structured: .object(["memory": APIRepresentation.memory(memory, now: .now())]))
    }

    func deleteMemory(_ arguments: JSONFields) async throws -> ToolOutcome {
        let id = try arguments.requiredUUID("memory_id")
        try await services.memories.delete(id: id, actingUser: try user())
        return ToolOutcome(text: "Memory \(id.lowercased) deleted.", structured: .object(["deleted": .string(id.lowercased)]))
    }
}
