import MCP
import MemoryAPI
import MemoryCore
import MemoryService
import Foundation

extension MemoryTool {
    /// The chain tools: which earlier session to continue, and what a session has taught so far.
    static let linkingTools: [MemoryTool] = [
        MemoryTool(
            "suggest_session_links",
            "Suggest earlier sessions this conversation could continue: recently active ones of the project first, "
                + "then ones whose memories match the hint, then the project's sessions of the last day, then shared topics.",
            [
                "project_id": string("The project; defaults to the connection's project."),
                "context_hint": string("What this conversation is about, in a few words."),
            ],
            annotations: .init(title: "Suggest sessions to continue", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.suggestSessionLinks($0) }),
        MemoryTool(
            "get_session_insights",
            "What a session has produced so far, computed now: topics, key decisions, errors, learning points, "
                + "action items (TODO decisions) and a summary. Defaults to the current session.",
            ["session_id": uuid("The session; defaults to the current one.")],
            annotations: .init(title: "Session insights", readOnlyHint: true, openWorldHint: false),
            run: { try await $1.sessionInsights($0) }),
    ]
}

extension ToolContext {
    func suggestSessionLinks(_ arguments: JSONFields) async throws -> ToolOutcome {
        let suggestions = try await services.sessions.linkSuggestions(
            userID: try user(), projectID: try arguments.string("project_id") ?? connection.projectID,
            hint: try arguments.string("context_hint"))
        guard !suggestions.isEmpty else {
            return ToolOutcome(text: "No earlier session to continue.", structured: .object(["suggestions": .array([])]))
        }
        let lines = suggestions.map { suggestion in
            "- \(suggestion.session.id.lowercased) (\(suggestion.linkType.rawValue), confidence \(String(format: "%.2f", suggestion.confidence))): "
                + suggestion.reason + (suggestion.session.projectID.map { ", project \($0)" } ?? "")
                + ", \(suggestion.session.memoryCount) memories"
        }
        return ToolOutcome(
            text: "Sessions to continue, best first:\n" + lines.joined(separator: "\n")
                + "\nPass one as parent_session_id to init_session to continue it.",
            structured: .object(["suggestions": .array(suggestions.map(APIRepresentation.linkSuggestion))]))
    }

    func sessionInsights(_ arguments: JSONFields) async throws -> ToolOutcome {
        let insights = try await services.sessions.insights(id: try await sessionID(arguments), actingUser: try user())
        var text = "Session \(insights.session.id.lowercased): \(insights.memoryCount) memories, \(insights.importantMemories) important."
        func section(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            text += "\n\(title):\n" + items.prefix(10).map { "- " + TextRendering.oneLine($0, limit: 200) }.joined(separator: "\n")
        }
        if !insights.topics.isEmpty { text += "\nTopics: " + insights.topics.joined(separator: ", ") }
        section("Key decisions", insights.keyDecisions)
        section("Errors encountered", insights.errorsEncountered)
        section("Learning points", insights.learningPoints)
        section("Action items", insights.actionItems)
        text += "\nSummary:\n" + insights.summary
        return ToolOutcome(text: text, structured: APIRepresentation.sessionInsights(insights))
    }
}
