public import MemoryCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The sections a context can hold (KnowledgeHub's).
public enum ContextType: String, Sendable, CaseIterable {
    case recent, similar, entities, decisions, errors, patterns, preferences

    /// The section's heading in `formatted_context`.
    public var title: String {
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
public struct ContextRequest: Sendable {
    public var userID: String
    public var sessionID: UUID?
    public var projectID: String?
    /// What the assistant is about to do; drives the `similar` section.
    public var query: String?
    public var contextTypes: [ContextType] = [.recent, .similar]
    public var maxMemories: Int = 20
    public var maxTokens: Int = 4000
    public var minRelevance: Double = 0.3
    public var timeWindowHours: Double?
    public var memoryTypes: [MemoryType] = []
    public var tags: [String] = []

    public init(userID: String) {
        self.userID = userID
    }

    /// Every section, 30 memories, 6000 tokens: `POST /context/comprehensive`.
    public static func comprehensive(userID: String) -> ContextRequest {
        var request = ContextRequest(userID: userID)
        request.contextTypes = ContextType.allCases
        request.maxMemories = 30
        request.maxTokens = 6000
        return request
    }
}

/// A memory chosen for a context, with why.
public struct ContextMemory: Sendable {
    public var memory: Memory
    public var relevanceScore: Double
    public var relevanceReason: String

    public init(memory: Memory, relevanceScore: Double, relevanceReason: String) {
        self.memory = memory
        self.relevanceScore = relevanceScore
        self.relevanceReason = relevanceReason
    }
}

/// One section of a context.
public struct ContextSection: Sendable {
    public var title: String
    public var contextType: ContextType
    public var memories: [ContextMemory]
    public var tokenCount: Int
    /// The best relevance in the section.
    public var relevanceScore: Double

    public init(title: String, contextType: ContextType, memories: [ContextMemory], tokenCount: Int, relevanceScore: Double) {
        self.title = title
        self.contextType = contextType
        self.memories = memories
        self.tokenCount = tokenCount
        self.relevanceScore = relevanceScore
    }
}

/// An assembled context: structured sections (with memory ids, the provenance) and the markdown
/// an assistant reads.
public struct ContextResponse: Sendable {
    public var sections: [ContextSection]
    public var totalMemories: Int
    public var totalTokens: Int
    public var maxRelevance: Double
    public var retrievalTime: Duration
    public var formattedContext: String
    public var contextSummary: String

    public init(
        sections: [ContextSection], totalMemories: Int, totalTokens: Int, maxRelevance: Double, retrievalTime: Duration,
        formattedContext: String, contextSummary: String
    ) {
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
public struct MemoryStatistics: Sendable {
    public var userID: String
    public var projectID: String?
    /// The window the recent counts cover.
    public var days: Int
    public var totalMemories: Int
    public var memoriesInWindow: Int
    public var countsByType: [MemoryType: Int]
    public var totalSessions: Int
    public var activeSessions: Int
    public var sessionsInWindow: Int
    public var meanImportance: Double
    public var withEmbedding: Int
    public var mostAccessed: [Memory]

    public init(
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
