import Hummingbird
import MemoryCore
import MemoryService
import Foundation

extension PageSite {
    struct ContextView {
        var chrome: Chrome
        var query: String?
        var maxTokens: Int
        var maxMemories: Int
        var contextTypes: [Choice]
        var project: String?
        var session: String?
        var types: [Choice]
        var built: Bool
        var sections: [SectionView]
        var totalTokens: Int
        var totalMemories: Int
        /// 0...100: how much of the budget the context fills.
        var budgetPercent: Int
        var formatted: String?
        var summary: String?
        var notice: String?
    }

    struct SectionView {
        var title: String
        var tokens: Int
        var memories: [ContextRow]
    }

    struct ContextRow {
        var memory: MemoryRow
        var relevance: String
        var reason: String
    }

    /// `/context?q=&max_tokens=&max_memories=&context_type=&project=&session=&type=`: what
    /// `POST /api/memory/context/retrieve` would hand the assistant, and how full the budget is.
    func contextPreview(_ request: Request, _ visitor: PageVisitor) async throws -> Response {
        let query = PageForm(query: request)
        let filters = try Filters(query)
        var context = ContextRequest(userID: visitor.user)
        let chosen = query.all("context_type").compactMap(ContextType.init(rawValue:))
        if !chosen.isEmpty { context.contextTypes = chosen }
        context.maxTokens = query["max_tokens"].flatMap { Int($0) } ?? context.maxTokens
        context.maxMemories = query["max_memories"].flatMap { Int($0) } ?? context.maxMemories
        context.query = query["q"]
        context.projectID = filters.project
        context.sessionID = filters.sessionID
        context.memoryTypes = filters.types
        var view = ContextView(
            chrome: Chrome(title: "Context preview", visitor: visitor, current: "/context"), query: context.query, maxTokens: context.maxTokens,
            maxMemories: context.maxMemories,
            contextTypes: ContextType.allCases.map { Choice(value: $0.rawValue, label: $0.title, selected: context.contextTypes.contains($0)) },
            project: filters.project, session: filters.session, types: filters.typeChoices, built: false, sections: [], totalTokens: 0,
            totalMemories: 0, budgetPercent: 0)
        guard query["go"] != nil || context.query != nil else { return renderer.page("context", view) }
        let response = try await services.context.retrieve(context)
        view.built = true
        view.sections = response.sections.map { section in
            SectionView(
                title: section.title, tokens: section.tokenCount,
                memories: section.memories.map {
                    ContextRow(memory: MemoryRow($0.memory, previewLength: 300), relevance: PageFormat.number($0.relevanceScore), reason: $0.relevanceReason)
                })
        }
        view.totalTokens = response.totalTokens
        view.totalMemories = response.totalMemories
        view.budgetPercent = PageFormat.percent(Double(response.totalTokens) / Double(max(1, context.maxTokens)))
        view.formatted = response.formattedContext
        view.summary = response.contextSummary
        view.notice = response.notice
        return renderer.page("context", view)
    }
}
