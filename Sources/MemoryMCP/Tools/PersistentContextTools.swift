import MCP
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

extension MemoryTool {
    /// The persistent context tools (API-more.md "Persistent context"): knowledge kept across
    /// sessions, private to the connection's user, found again by meaning.
    static let persistentContextTools: [MemoryTool] = [
        MemoryTool(
            "store_persistent_context",
            "Keep a piece of knowledge across sessions: how things work, preferences, decisions, patterns, workflows, "
                + "learnings. Private to this user; found again by meaning with query_persistent_context.",
            [
                "content": string("The knowledge, 1 byte to 64 KiB."),
                "context_type": enumeration(ContextItemType.allCases.map(\.rawValue), "What kind of knowledge it is."),
                "scope": enumeration(
                    ContextItemScope.allCases.map(\.rawValue),
                    "How far it reaches: session (the current one unless session_id is given), project (the connection's unless project_id is given), user, global or domain."),
                "importance": number("0 to 1 (default 0.5); unused items lose importance week by week."),
                "related_entities": strings("Names it is about: files, components, people, tools (at most 100)."),
                "metadata": object("Any JSON object to keep with it."),
                "project_id": string("The project; defaults to the connection's for the project scope."),
                "session_id": uuid("The session; defaults to the current one for the session scope."),
            ],
            required: ["content", "context_type", "scope"],
            annotations: .init(
                title: "Keep persistent context", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false),
            run: { try await $1.storePersistentContext($0) }),
        MemoryTool(
            "query_persistent_context",
            "Find this user's persistent context by meaning (by shared words before embeddings exist); best first. "
                + "Each item found counts as used, which slows its decay.",
            [
                "query": string("What to look for."),
                "context_type": enumeration(ContextItemType.allCases.map(\.rawValue), "Only this kind."),
                "scope": enumeration(ContextItemScope.allCases.map(\.rawValue), "Only this scope."),
                "limit": integer("How many at most, 1 to 100 (default 10).", minimum: 1, maximum: 100),
                "project_id": string("Only items of this project."),
                "session_id": uuid("Only items of this session."),
            ],
            required: ["query"],
            annotations: .init(title: "Query persistent context", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.queryPersistentContext($0) }),
    ]
}

extension ToolContext {
    func storePersistentContext(_ arguments: JSONFields) async throws -> ToolOutcome {
        let scope = try arguments.enumeration("scope", ContextItemScope.self)
        let defaultSession = scope == .session && !arguments.has("session_id") ? try await sessionID(arguments) : nil
        let new = try NewContextItem(
            fields: arguments, userID: try user(), defaultProjectID: connection.projectID, defaultSessionID: defaultSession)
        let item = try await services.persistentContext.store(new)
        return ToolOutcome(
            text: "Kept \(item.contextType.rawValue) context \(item.id.lowercased) (scope \(item.scope.rawValue), importance "
                + "\(TextRendering.number(item.importance))).",
            structured: APIRepresentation.contextItemStored(item))
    }

    func queryPersistentContext(_ arguments: JSONFields) async throws -> ToolOutcome {
        let items = try await services.persistentContext.query(try ContextQuery(fields: arguments, userID: try user()))
        let structured = JSONValue.object(["results": .array(items.map(APIRepresentation.contextItem))])
        guard !items.isEmpty else { return ToolOutcome(text: "No persistent context matches.", structured: structured) }
        let lines = items.map { item in
            "- [\(item.contextType.rawValue), \(item.scope.rawValue), importance \(TextRendering.number(item.importance))] "
                + TextRendering.oneLine(item.content, limit: 500) + " (\(item.id.lowercased))"
        }
        return ToolOutcome(text: "Persistent context, best first:\n" + lines.joined(separator: "\n"), structured: structured)
    }
}
