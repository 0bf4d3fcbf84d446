import MCP
import MemoryCore
import MemoryService

/// The twelve tools of API.md "MCP tools": names, argument names, JSON input schemas and
/// annotations. `MemoryTools` implements them.
enum ToolCatalog {
    static let names = tools.map(\.name)

    static let tools: [MCP.Tool] = [
        tool(
            "init_session",
            "Start a memory session for this conversation, or continue the user's recent one for the same project. "
                + "Later tools default to this session. Returns the session, with what the previous session left "
                + "(summary, entities, key facts) when it continues one.",
            [
                "project_id": string("The project; defaults to the connection's project."),
                "metadata": object("Any JSON object to keep with the session."),
                "tags": strings("Tags for the session."),
                "parent_session_id": uuid("Continue this session explicitly instead of the automatic link."),
            ],
            annotations: .init(title: "Start a session", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false)),
        tool(
            "get_session",
            "Show one session: state, project, tags, memory count, summary. Defaults to the current session.",
            [
                "session_id": uuid("The session; defaults to the current one."),
                "include_context": boolean("Also list the session's most important memories."),
            ],
            annotations: .init(title: "Show a session", readOnlyHint: true, openWorldHint: false)),
        tool(
            "update_session_context",
            "Merge metadata into a session (a null value removes a key) and add tags. Defaults to the current session.",
            [
                "session_id": uuid("The session; defaults to the current one."),
                "metadata": object("Keys to merge into the session's metadata; null removes a key."),
                "tags": strings("Tags to add."),
            ],
            annotations: .init(title: "Update a session", readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false)),
        tool(
            "end_session",
            "End a session with a summary; its statistics and insights are computed and passed on to the next "
                + "session of the project. Defaults to the current session. Ending an ended session changes nothing.",
            [
                "session_id": uuid("The session; defaults to the current one."),
                "summary": string("What the session achieved; generated from its memories when absent."),
                "reason": enumeration(EndReason.allCases.map(\.rawValue), "Why it ends (default normal)."),
            ],
            annotations: .init(title: "End a session", readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false)),
        tool(
            "get_session_history",
            "List the user's recent sessions, newest first.",
            [
                "project_id": string("Only sessions of this project."),
                "limit": integer("How many, 1 to 200 (default 10).", minimum: 1, maximum: 200),
            ],
            annotations: .init(title: "Session history", readOnlyHint: true, openWorldHint: false)),
        tool(
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
            annotations: .init(title: "Remember", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false)),
        tool(
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
            annotations: .init(title: "Search memories", readOnlyHint: true, openWorldHint: false)),
        tool(
            "get_memory",
            "Show one memory in full.",
            ["memory_id": uuid("The memory.")],
            required: ["memory_id"],
            annotations: .init(title: "Show a memory", readOnlyHint: true, openWorldHint: false)),
        tool(
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
            annotations: .init(title: "Change a memory", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)),
        tool(
            "delete_memory",
            "Delete one memory for good.",
            ["memory_id": uuid("The memory.")],
            required: ["memory_id"],
            annotations: .init(title: "Delete a memory", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)),
        tool(
            "get_memory_stats",
            "Counts and usage of the user's memories: by type, sessions, mean importance, the most used ones.",
            ["project_id": string("Only this project.")],
            annotations: .init(title: "Memory statistics", readOnlyHint: true, openWorldHint: false)),
        tool(
            "get_context",
            "The memories that matter now, packed into a token budget as a markdown block to read before answering: "
                + "recent activity, related memories, decisions, errors and their fixes, patterns, preferences.",
            [
                "query": string("What you are about to do; finds related memories."),
                "max_tokens": integer("Token budget, 100 to 32000 (default 4000).", minimum: 100, maximum: 32000),
                "max_memories": integer("At most this many memories, 1 to 100 (default 20).", minimum: 1, maximum: 100),
                "context_types": strings(
                    "Sections to include (default recent and similar).", enumeration: ContextType.allCases.map(\.rawValue)),
            ],
            annotations: .init(title: "Context for the task", readOnlyHint: true, openWorldHint: false)),
    ]

    /// The argument names each tool takes, from its schema.
    static func argumentNames(of name: String) -> [String] {
        guard let tool = tools.first(where: { $0.name == name }),
              case .object(let schema) = tool.inputSchema,
              case .object(let properties)? = schema["properties"]
        else { return [] }
        return properties.keys.sorted()
    }

    private static func tool(
        _ name: String, _ description: String, _ properties: [String: MCP.Value], required: [String] = [],
        annotations: MCP.Tool.Annotations
    ) -> MCP.Tool {
        MCP.Tool(
            name: name, description: description,
            inputSchema: .object([
                "type": "object",
                "properties": .object(properties),
                "required": .array(required.map { .string($0) }),
                "additionalProperties": false,
            ]),
            annotations: annotations)
    }

    private static func string(_ description: String) -> MCP.Value {
        ["type": "string", "description": .string(description)]
    }

    private static func uuid(_ description: String) -> MCP.Value {
        ["type": "string", "format": "uuid", "description": .string(description)]
    }

    private static func number(_ description: String) -> MCP.Value {
        ["type": "number", "minimum": 0, "maximum": 1, "description": .string(description)]
    }

    private static func integer(_ description: String, minimum: Int, maximum: Int) -> MCP.Value {
        ["type": "integer", "minimum": .int(minimum), "maximum": .int(maximum), "description": .string(description)]
    }

    private static func boolean(_ description: String) -> MCP.Value {
        ["type": "boolean", "description": .string(description)]
    }

    private static func object(_ description: String) -> MCP.Value {
        ["type": "object", "description": .string(description)]
    }

    private static func strings(_ description: String, enumeration values: [String]? = nil) -> MCP.Value {
        var items: [String: MCP.Value] = ["type": "string"]
        if let values { items["enum"] = .array(values.map { .string($0) }) }
        return ["type": "array", "items": .object(items), "description": .string(description)]
    }

    private static func enumeration(_ values: [String], _ description: String) -> MCP.Value {
        ["type": "string", "enum": .array(values.map { .string($0) }), "description": .string(description)]
    }
}
