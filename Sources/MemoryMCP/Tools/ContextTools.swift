import MCP
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

extension MemoryTool {
    /// The statistics and context tools.
    static let contextTools: [MemoryTool] = [
        MemoryTool(
            "get_memory_stats",
            "Counts and usage of the user's memories: by type, sessions, mean importance, the most used ones.",
            ["project_id": string("Only this project.")],
            annotations: .init(title: "Memory statistics", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.memoryStats($0) }),
        MemoryTool(
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
            annotations: .init(title: "Context for the task", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.getContext($0) }),
    ]
}

extension ToolContext {
    func memoryStats(_ arguments: JSONFields) async throws -> ToolOutcome {
        let stats = try await services.context.statistics(userID: try user(), projectID: try arguments.string("project_id"), days: 7)
        let byType = MemoryType.allCases.compactMap { type in
            stats.countsByType[type].flatMap { $0 > 0 ? "\(type.rawValue) \($0)" : nil }
        }.joined(separator: ", ")
        var text = "\(stats.totalMemories) \(stats.totalMemories == 1 ? "memory" : "memories") (\(stats.memoriesInWindow) in the last \(stats.days) days)"
        if !byType.isEmpty { text += ": \(byType)" }
        text += ". \(stats.totalSessions) \(stats.totalSessions == 1 ? "session" : "sessions"), \(stats.activeSessions) active. Mean importance \(TextRendering.number(stats.meanImportance))."
        if !stats.mostAccessed.isEmpty {
            text += "\nMost used:\n" + stats.mostAccessed.prefix(5).map(TextRendering.memoryLine).joined(separator: "\n")
        }
        return ToolOutcome(text: text, structured: APIRepresentation.statistics(stats))
    }

    func getContext(_ arguments: JSONFields) async throws -> ToolOutcome {
        var request = ContextRequest(userID: try user())
        request.projectID = connection.projectID
        request.sessionID = await connection.currentSessionID
        request.query = try arguments.string("query")
        request.maxTokens = try arguments.int("max_tokens", in: 100...32000) ?? 4000
        request.maxMemories = try arguments.int("max_memories", in: 1...100) ?? 20
        if let types = try arguments.enumerations("context_types", ContextType.self), !types.isEmpty { request.contextTypes = types }
        let response = try await services.context.retrieve(request)
        let text = response.formattedContext.isEmpty ? "No memories are relevant yet." : response.formattedContext
        return ToolOutcome(text: text, structured: APIRepresentation.context(response))
    }
}
