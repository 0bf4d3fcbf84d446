public import MemoryCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// How a search finds its candidates.
public enum SearchMode: String, Sendable, CaseIterable {
    /// Full-text ranking only (FTS5 bm25 / tsvector).
    case lexical
    /// Cosine similarity of embeddings only; memories without a vector yet are not found.
    case semantic
    /// Both, fused by rank; the default.
    case hybrid
}

/// A search, as a caller asks for it. Every filter narrows; nothing widens beyond `userID`.
public struct SearchRequest: Sendable {
    public var userID: String
    public var query: String
    public var projectID: String?
    public var sessionID: UUID?
    /// Empty means every type.
    public var memoryTypes: [MemoryType] = []
    public var minImportance: Double?
    /// A memory matches when it carries at least one of these tags; empty means any.
    public var tags: [String] = []
    /// Only memories created at or after this time.
    public var createdAfter: Timestamp?
    public var limit: Int = 10
    public var offset: Int = 0
    public var mode: SearchMode = .hybrid
    /// Return each result's score breakdown.
    public var explain: Bool = false

    public init(userID: String, query: String) {
        self.userID = userID
        self.query = query
    }
}

/// Why a result scored what it did (`explain: true`).
public struct ScoreBreakdown: Sendable, Hashable {
    /// 1-based rank among lexical candidates, and the raw lexical score (higher is better).
    public var lexicalRank: Int?
    public var lexicalScore: Double?
    /// 1-based rank among semantic candidates, and the cosine similarity.
    public var semanticRank: Int?
    public var similarity: Double?
    /// The fused retrieval score before adjustments.
    public var fused: Double
    /// Multiplier from importance, recency and access (1 means no change).
    public var adjustment: Double
    /// fused × adjustment, normalized so the best possible result scores 1.
    public var final: Double

    public init(
        lexicalRank: Int? = nil, lexicalScore: Double? = nil, semanticRank: Int? = nil, similarity: Double? = nil,
        fused: Double, adjustment: Double, final: Double
    ) {
        self.lexicalRank = lexicalRank
        self.lexicalScore = lexicalScore
        self.semanticRank = semanticRank
        self.similarity = similarity
        self.fused = fused
        self.adjustment = adjustment
        self.final = final
    }
}

/// One search result.
public struct ScoredMemory: Sendable {
    public var memory: Memory
    /// In 0...1, higher is better; results are ordered by it.
    public var score: Double
    public var breakdown: ScoreBreakdown?

    public init(memory: Memory, score: Double, breakdown: ScoreBreakdown? = nil) {
        self.memory = memory
        self.score = score
        self.breakdown = breakdown
    }
}

/// A page of search results and how many memories matched in all.
public struct SearchResponse: Sendable {
    public var results: [ScoredMemory]
    public var total: Int
    public var query: String
    public var limit: Int
    public var offset: Int
    /// The mode actually used (hybrid falls back to lexical without an embedder).
    public var mode: SearchMode
    public var searchTime: Duration

    public init(results: [ScoredMemory], total: Int, query: String, limit: Int, offset: Int, mode: SearchMode, searchTime: Duration) {
        self.results = results
        self.total = total
        self.query = query
        self.limit = limit
        self.offset = offset
        self.mode = mode
        self.searchTime = searchTime
    }
}
