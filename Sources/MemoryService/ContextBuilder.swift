import MemoryCore
package import MemoryStore
package import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Assembles the token-budgeted context an assistant reads before it answers: KnowledgeHub's
/// sections, each memory at most once, within `max_tokens`, as markdown and as structured
/// sections with memory ids (provenance).
///
/// Relevance, in 0...1: in "Related Context" the search score; in the typed sections (decisions,
/// errors, patterns, preferences, entities) a standing score of importance, recency and use,
/// blended with the search score when there is a query; in "Recent Activity" mostly recency
/// (half-weight after a week) with importance.
package struct ContextBuilder: Sendable {
    let store: any MemoryStore
    let search: SearchEngine
    let logger: Logger

    /// Candidates read per section before packing.
    static let candidatesPerSection = 40
    /// Fill order: a memory that is a decision, error, preference, pattern or entity is shown in
    /// its own section; what else answers the query next; recent activity last.
    static let fillOrder: [ContextType] = [.decisions, .errors, .preferences, .patterns, .entities, .similar, .recent]
    /// Render order: KnowledgeHub's.
    static let renderOrder: [ContextType] = [.recent, .similar, .decisions, .errors, .patterns, .preferences, .entities]

    package init(store: any MemoryStore, search: SearchEngine, logger: Logger) {
        self.store = store
        self.search = search
        self.logger = logger
    }

    /// The sections the request asks for, each memory at most once, within `maxTokens`.
    package func retrieve(_ request: ContextRequest) async throws -> ContextResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let filter = try validatedFilter(request)
        let now = Timestamp.now()
        let query = request.query?.trimmedWhitespace ?? ""
        try Validation.queryText(query)
        if let sessionID = request.sessionID, try await store.session(id: sessionID, userID: request.userID) == nil {
            throw MemoryHubError.sessionNotFound(sessionID.lowercased)
        }

        var groups: [ContextPacker.Candidates] = []
        var notice: String?
        let wanted = Set(request.contextTypes)
        for type in Self.fillOrder where wanted.contains(type) {
            // A superseded memory's relevance is scaled as search scales its score (to 0.8, by
            // default), so its replacement is packed first.
            let items = try await candidates(
                for: type, query: query, filter: filter, sessionID: request.sessionID, now: now, notice: &notice
            ).map { item in
                guard item.memory.supersededBy != nil else { return item }
                var outdated = item
                outdated.relevance *= search.configuration.supersededFactor
                outdated.reason += "; superseded by a newer memory"
                return outdated
            }
            groups.append(ContextPacker.Candidates(key: type.rawValue, title: type.title, items: items))
        }
        let packer = ContextPacker(maxMemories: request.maxMemories, maxTokens: request.maxTokens, minRelevance: request.minRelevance)
        let packed = packer.pack(groups, renderOrder: Self.renderOrder.map(\.rawValue))
        let sections = packed.sections.map { section in
            ContextSection(
                title: section.title, contextType: ContextType(rawValue: section.key)!,
                memories: section.items.map {
                    ContextMemory(memory: $0.memory, relevanceScore: Self.rounded($0.relevance), relevanceReason: $0.reason)
                },
                tokenCount: section.tokens, relevanceScore: Self.rounded(section.items.map(\.relevance).max() ?? 0))
        }
        let total = sections.reduce(0) { $0 + $1.memories.count }
        let summary: String
        if total == 0 {
            summary = "No memories matched."
        } else {
            let parts = sections.map { "\($0.title) \($0.memories.count)" }.joined(separator: ", ")
            summary = "\(total) memor\(total == 1 ? "y" : "ies") in \(sections.count) section\(sections.count == 1 ? "" : "s") (\(parts)), \(packed.tokens) of \(request.maxTokens) tokens."
        }
        return ContextResponse(
            sections: sections, totalMemories: total, totalTokens: packed.tokens,
            maxRelevance: sections.map(\.relevanceScore).max() ?? 0, retrievalTime: clock.now - start,
            formattedContext: packed.markdown, contextSummary: summary, notice: notice)
    }

    /// Counts and usage of a user's memories.
    package func statistics(userID: String, projectID: String?, days: Int) async throws -> MemoryStatistics {
        _ = try Validation.identifier(userID, field: "user_id")
        _ = try Validation.optionalIdentifier(projectID, field: "project_id")
        guard (1...3650).contains(days) else { throw MemoryHubError.invalidField("days", "days must be between 1 and 3650.") }
        let since = Timestamp.now().adding(seconds: -Double(days) * 86_400)
        let counts = try await store.memoryCounts(userID: userID, projectID: projectID, since: since, mostAccessed: 5)
        return MemoryStatistics(
            userID: userID, projectID: projectID, days: days, totalMemories: counts.totalMemories,
            memoriesInWindow: counts.memoriesSince, countsByType: counts.countsByType, totalSessions: counts.totalSessions,
            activeSessions: counts.activeSessions, sessionsInWindow: counts.sessionsSince,
            meanImportance: Self.rounded(counts.meanImportance), withEmbedding: counts.withEmbedding,
            mostAccessed: counts.mostAccessed)
    }

    // MARK: Candidates

    private func candidates(
        for type: ContextType, query: String, filter: SearchFilter, sessionID: UUID?, now: Timestamp, notice: inout String?
    ) async throws -> [ContextPacker.Item] {
        switch type {
        case .similar:
            guard !query.isEmpty else { return [] }
            return try await searched(query: query, filter: filter, notice: &notice).map { memory, score in
                ContextPacker.Item(memory: memory, relevance: score, reason: "matches the query (score \(Self.formatted(score)))")
            }
        case .recent:
            // Every filter applies in the store's query, so old matches are found too.
            let recent = try await store.firstMemories(matching: MemoryFilter(filter), limit: Self.candidatesPerSection)
            return recent.map { memory in
                let ageDays = memory.ageDays(at: now)
                var relevance = 0.6 / (1 + ageDays / 7) + 0.4 * memory.importance
                if let sessionID, memory.sessionID == sessionID { relevance = min(1, relevance + 0.1) }
                return ContextPacker.Item(
                    memory: memory, relevance: relevance, reason: "recent: \(Self.ageText(ageDays)) ago")
            }
        case .decisions, .errors, .patterns, .preferences, .entities:
            let memoryType = Self.memoryType(of: type)
            if !filter.memoryTypes.isEmpty, !filter.memoryTypes.contains(memoryType) { return [] }
            var typed = filter
            typed.memoryTypes = [memoryType]
            let label = memoryType.rawValue
            if !query.isEmpty {
                let found = try await searched(query: query, filter: typed, notice: &notice)
                if !found.isEmpty {
                    return found.map { memory, score in
                        let relevance = 0.6 * score + 0.4 * Self.standing(memory, now: now)
                        return ContextPacker.Item(
                            memory: memory, relevance: relevance, reason: "\(label) matching the query (score \(Self.formatted(score)))")
                    }
                }
            }
            let listed = try await store.firstMemories(matching: MemoryFilter(typed), limit: Self.candidatesPerSection)
            return listed.map { memory in
                ContextPacker.Item(
                    memory: memory, relevance: Self.standing(memory, now: now),
                    reason: "\(label), importance \(Self.formatted(memory.importance))")
            }
        }
    }

    /// Hybrid search; `notice` is set when it answered lexically (the embedder is down).
    private func searched(query: String, filter: SearchFilter, notice: inout String?) async throws -> [(Memory, Double)] {
        var request = SearchRequest(userID: filter.userID, query: query)
        request.projectID = filter.projectID
        request.memoryTypes = Array(filter.memoryTypes)
        request.tags = filter.tags
        request.createdAfter = filter.createdAfter
        request.limit = Self.candidatesPerSection
        let response = try await search.search(request)
        if let fallback = response.notice { notice = fallback }
        return response.results.map { ($0.memory, $0.score) }
    }

    /// Importance, recency (half after 30 days) and use (full at 10 accesses).
    static func standing(_ memory: Memory, now: Timestamp) -> Double {
        let recency = 1 / (1 + memory.ageDays(at: now) / 30)
        let use = min(1, Double(memory.accessCount) / 10)
        return 0.5 * memory.importance + 0.3 * recency + 0.2 * use
    }

    static func memoryType(of type: ContextType) -> MemoryType {
        switch type {
        case .decisions: .decision
        case .errors: .error
        case .patterns: .pattern
        case .preferences: .preference
        case .entities: .entity
        case .recent, .similar: .fact
        }
    }

    private func validatedFilter(_ request: ContextRequest) throws -> SearchFilter {
        var filter = SearchFilter(userID: try Validation.identifier(request.userID, field: "user_id"))
        filter.projectID = try Validation.optionalIdentifier(request.projectID, field: "project_id")
        filter.memoryTypes = Set(request.memoryTypes)
        filter.tags = try Validation.strings(request.tags, field: "tags")
        guard !request.contextTypes.isEmpty else {
            throw MemoryHubError.invalidField("context_types", "context_types must name at least one type.")
        }
        guard (1...100).contains(request.maxMemories) else {
            throw MemoryHubError.invalidField("max_memories", "max_memories must be between 1 and 100.")
        }
        guard (50...100_000).contains(request.maxTokens) else {
            throw MemoryHubError.invalidField("max_tokens", "max_tokens must be between 50 and 100000.")
        }
        _ = try Validation.unitInterval(request.minRelevance, field: "min_relevance")
        if let hours = request.timeWindowHours {
            guard hours.isFinite, hours > 0, hours <= 24 * 36_500 else {
                throw MemoryHubError.invalidField("time_window_hours", "time_window_hours must be a positive number of hours.")
            }
            filter.createdAfter = Timestamp.now().adding(seconds: -hours * 3600)
        }
        return filter
    }

    static func rounded(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }

    static func formatted(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    static func ageText(_ days: Double) -> String {
        if days < 1.0 / 24 { return "\(max(1, Int(days * 1440))) min" }
        if days < 1 { return "\(Int(days * 24)) h" }
        return "\(Int(days)) d"
    }
}
