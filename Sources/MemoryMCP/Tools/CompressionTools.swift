import MCP
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

extension MemoryTool {
    /// The compression tool (API-more.md "Compression").
    static let compressionTools: [MemoryTool] = [
        MemoryTool(
            "compress_session_context",
            "A session's memories compressed into a token budget: the memories that matter kept whole, the rest as "
                + "facts, decisions, key entities and a summary. Never over the budget. Defaults to the current session.",
            [
                "session_id": uuid("The session; defaults to the current one."),
                "target_tokens": integer("Token budget, 500 to 16000 (default 4000).", minimum: 500, maximum: 16000),
                "strategy": enumeration(CompressionStrategy.allCases.map(\.rawValue), "How to choose what is kept (default hybrid)."),
                "level": enumeration(CompressionLevel.allCases.map(\.rawValue), "How hard to compress (default moderate)."),
            ],
            annotations: .init(title: "Compress a session", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.compressSession($0) }),
    ]
}

extension ToolContext {
    func compressSession(_ arguments: JSONFields) async throws -> ToolOutcome {
        let request = try CompressionRequest(fields: arguments, defaultSessionID: try await sessionID(arguments))
        let compressed = try await services.compression.compress(request, actingUser: try user())
        return ToolOutcome(
            text: Self.text(compressed, sessionID: request.sessionID),
            structured: APIRepresentation.compression(compressed, sessionID: request.sessionID))
    }

    /// The compressed context as the model reads it: what was kept whole, then what stands in for
    /// the rest.
    private static func text(_ compressed: CompressedContext, sessionID: UUID) -> String {
        guard compressed.originalMemoryCount > 0 else { return "Session \(sessionID.lowercased) has no memories yet." }
        var lines = [
            "Session \(sessionID.lowercased) compressed with \(compressed.strategy.rawValue): \(compressed.memories.count) of "
                + "\(compressed.originalMemoryCount) memories kept, \(compressed.tokenEstimate) tokens."
        ]
        if !compressed.summary.isEmpty { lines.append("Summary: \(compressed.summary)") }
        if !compressed.keyEntities.isEmpty { lines.append("Key entities: \(compressed.keyEntities.joined(separator: ", "))") }
        if !compressed.recentDecisions.isEmpty { lines += ["Decisions:"] + compressed.recentDecisions.map { "- \($0)" } }
        if !compressed.importantFacts.isEmpty { lines += ["Facts:"] + compressed.importantFacts.map { "- \($0)" } }
        if !compressed.memories.isEmpty {
            lines.append("Memories:")
            for memory in compressed.memories {
                lines.append("- [\(memory.memoryType.rawValue), importance \(TextRendering.number(memory.importance))] \(memory.content)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
