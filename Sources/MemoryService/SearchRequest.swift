package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// How a search finds its candidates.
package enum SearchMode: String, Sendable, CaseIterable {
    /// Full-text ranking only (FTS5 bm25 / tsvector).
    case lexical
    /// Cosine similarity of embeddings only; memories without a vector yet are not found.
    case semantic
    /// Both, fused by rank; the default.
    case hybrid
}

/// A search, as a caller asks for it. Every filter narrows; nothing widens beyond `userID`.
package struct SearchRequest: Sendable {
    package var userID: String
    package var query: String
    package var projectID: String?
    package var sessionID: UUID?
    /// Empty means every type.
    package var memoryTypes: [MemoryType] = []
    package var minImportance: Double?
    /// A memory matches when it carries at least one of these tags; empty means any.
    package var tags: [String] = []
    /// Only memories created at or after this time.
    package var createdAfter: Timestamp?
    package var limit: Int = 10
    package var offset: Int = 0
    package var mode: SearchMode = .hybrid
    /// Return each result's score breakdown.
    package var explain: Bool = false
    /// At most this many of the best lexical and of the best semantic matches are ranked (1 to
    /// 10,000), for callers that want only the first few results fast (the prompt hook); `total`
    /// then counts only those. Nil ranks every match.
    package var candidateLimit: Int?
    /// When the query is asked (nil: now): recency is measured from it and relative time
    /// expressions are resolved against it.
    package var referenceTime: Timestamp?
    /// A span of time whose memories rank higher (``SearchConfiguration/timeWindowBoost``); nil: none.
    package var timeWindow: TimeWindowRequest?

    package init(userID: String, query: String) {
        self.userID = userID
        self.query = query
    }
}

/// The time window a search favours: explicit instants, a phrase resolved against the reference
/// time ("last week", "in March"; ``TimeExpression``), or the query's own words.
package enum TimeWindowRequest: Sendable, Hashable {
    case window(TimeWindow)
    case phrase(String)
    case fromQuery
}

/// Why a result scored what it did (`explain: true`).
package struct ScoreBreakdown: Sendable, Hashable {
    /// 1-based rank among lexical candidates, and the raw lexical score (higher is better).
    package var lexicalRank: Int?
    package var lexicalScore: Double?
    /// 1-based rank among semantic candidates, and the cosine similarity.
    package var semanticRank: Int?
    package var similarity: Double?
    /// The fused retrieval score before adjustments.
    package var fused: Double
    /// Multiplier from importance, recency and access (1 means no change).
    package var adjustment: Double
    /// fused × adjustment, normalized so the best possible result scores 1.
    package var final: Double
    /// The factor of `adjustment` that supersession applied: 1, or
    /// ``SearchConfiguration/supersededFactor`` for a memory a newer one replaces.
    package var supersession: Double
    /// The factor of `adjustment` that the search's time window applied: 1 outside it (or
    /// without one), 1 + ``SearchConfiguration/timeWindowBoost`` inside.
    package var timeWindow: Double

    package init(
        lexicalRank: Int? = nil, lexicalScore: Double? = nil, semanticRank: Int? = nil, similarity: Double? = nil,
        fused: Double, adjustment: Double, final: Double, supersession: Double = 1, timeWindow: Double = 1
    ) {
        self.supersession = supersession
        self.timeWindow = timeWindow
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
package struct ScoredMemory: Sendable {
    package var memory: Memory
    /// In 0...1, higher is better; results are ordered by it.
    package var score: Double
    package var breakdown: ScoreBreakdown?

    package init(memory: Memory, score: Double, breakdown: ScoreBreakdown? = nil) {
        self.memory = memory
        self.score = score
        self.breakdown = breakdown
    }
}

/// A page of search results and how many memories matched in all.
package struct SearchResponse: Sendable {
    package var results: [ScoredMemory]
    package var total: Int
    package var query: String
    package var limit: Int
    package var offset: Int
    /// The mode actually used (hybrid falls back to lexical without an embedder).
    package var mode: SearchMode
    package var searchTime: Duration
    /// Set when the results are less than asked for: hybrid search answered lexically because the
    /// embedding model failed or did not answer in time. A sentence for the caller.
    package var notice: String?
    /// The time window the ranking favoured, and the words that named it (nil for explicit instants).
    package var timeWindow: (window: TimeWindow, phrase: String?)?

    package init(
        results: [ScoredMemory], total: Int, query: String, limit: Int, offset: Int, mode: SearchMode, searchTime: Duration,
        notice: String? = nil, timeWindow: (window: TimeWindow, phrase: String?)? = nil
    ) {
        self.notice = notice
        self.timeWindow = timeWindow
        self.results = results
        self.total = total
        self.query = query
        self.limit = limit
        self.offset = offset
        self.mode = mode
        self.searchTime = searchTime
    }
}
