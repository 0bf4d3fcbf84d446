package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The sections a context can hold (KnowledgeHub's).
package enum ContextType: String, Sendable, CaseIterable {
    case recent, similar, entities, decisions, errors, patterns, preferences

    /// The section's heading in `formatted_context`.
    package var title: String {
        switch self {
        case .recent: "Recent Activity"
        case .similar: "Related Context"
        case .entities: "Entities"
        case .decisions: "Key Decisions"
        case .errors: "Errors & Solutions"
        case .patterns: "Patterns & Insights"
        case .preferences: "User Preferences"
        }
    }
}

/// What context to assemble, for whom, within which budget.
package struct ContextRequest: Sendable {
    package var userID: String
    package var sessionID: UUID?
    package var projectID: String?
    /// What the assistant is about to do; drives the `similar` section.
    package var query: String?
    package var contextTypes: [ContextType] = [.recent, .similar]
    package var maxMemories: Int = 20
    package var maxTokens: Int = 4000
    package var minRelevance: Double = 0.3
    package var timeWindowHours: Double?
    package var memoryTypes: [MemoryType] = []
    package var tags: [String] = []

    package init(userID: String) {
        self.userID = userID
    }

    /// Every section, 30 memories, 6000 tokens: `POST /context/comprehensive`.
    package static func comprehensive(userID: String) -> ContextRequest {
        var request = ContextRequest(userID: userID)
        request.contextTypes = ContextType.allCases
        request.maxMemories = 30
        request.maxTokens = 6000
        return request
    }
}

/// A memory chosen for a context, with why.
package struct ContextMemory: Sendable {
    package var memory: Memory
    package var relevanceScore: Double
    package var relevanceReason: String

    package init(memory: Memory, relevanceScore: Double, relevanceReason: String) {
        self.memory = memory
        self.relevanceScore = relevanceScore
        self.relevanceReason = relevanceReason
    }
}

/// One section of a context.
package struct ContextSection: Sendable {
    package var title: String
    package var contextType: ContextType
    package var memories: [ContextMemory]
    package var tokenCount: Int
    /// The best relevance in the section.
    package var relevanceScore: Double

    package init(title: String, contextType: ContextType, memories: [ContextMemory], tokenCount: Int, relevanceScore: Double) {
        self.title = title
        self.contextType = contextType
        self.memories = memories
        self.tokenCount = tokenCount
        self.relevanceScore = relevanceScore
    }
}

/// An assembled context: structured sections (with memory ids, the provenance) and the markdown
/// an assistant reads.
package struct ContextResponse: Sendable {
    package var sections: [ContextSection]
    package var totalMemories: Int
    package var totalTokens: Int
    package var maxRelevance: Double
    package var retrievalTime: Duration
    package var formattedContext: String
    package var contextSummary: String
    /// Set when related memories were found by words only, because the embedding model failed or
    /// did not answer in time.
    package var notice: String?

    package init(
        sections: [ContextSection], totalMemories: Int, totalTokens: Int, maxRelevance: Double, retrievalTime: Duration,
        formattedContext: String, contextSummary: String, notice: String? = nil
    ) {
        self.notice = notice
        self.sections = sections
        self.totalMemories = totalMemories
        self.totalTokens = totalTokens
        self.maxRelevance = maxRelevance
        self.retrievalTime = retrievalTime
        self.formattedContext = formattedContext
        self.contextSummary = contextSummary
    }
}

/// A user's memory usage: `GET /context/stats/{user_id}` and the MCP `get_memory_stats` tool.
package struct MemoryStatistics: Sendable {
    package var userID: String
    package var projectID: String?
    /// The window the recent counts cover.
    package var days: Int
    package var totalMemories: Int
    package var memoriesInWindow: Int
    package var countsByType: [MemoryType: Int]
    package var totalSessions: Int
    package var activeSessions: Int
    package var sessionsInWindow: Int
    package var meanImportance: Double
    package var withEmbedding: Int
    package var mostAccessed: [Memory]

    package init(
        userID: String, projectID: String?, days: Int, totalMemories: Int, memoriesInWindow: Int,
        countsByType: [MemoryType: Int], totalSessions: Int, activeSessions: Int, sessionsInWindow: Int,
        meanImportance: Double, withEmbedding: Int, mostAccessed: [Memory]
    ) {
        self.userID = userID
        self.projectID = projectID
        self.days = days
        self.totalMemories = totalMemories
        self.memoriesInWindow = memoriesInWindow
        self.countsByType = countsByType
        self.totalSessions = totalSessions
        self.activeSessions = activeSessions
        self.sessionsInWindow = sessionsInWindow
        self.meanImportance = meanImportance
        self.withEmbedding = withEmbedding
        self.mostAccessed = mostAccessed
    }
}
