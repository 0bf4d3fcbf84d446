package import MemoryCore
package import MemoryStore
package import Embeddings
package import MemoryCache
package import Logging
import Synchronization
import Metrics
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// How search ranks. The defaults were measured on both evaluation files (BENCHMARKS.md).
package struct SearchConfiguration: Sendable {
    /// Reciprocal rank fusion with k = 15 and lexical ranks weighted 1.5 against semantic 1: in a
    /// grid of k 10-30 and weights 1-1.8 on both eval files (BENCHMARKS.md, "Recall (issue 11)"),
    /// as good as or better than the earlier k = 20 / 1.3 at turn recall@1/5/10/20 and in every
    /// category at @10 on both (at @5 the dev file loses one preference question), in a flat
    /// region, not on a spike.
    package var fusion = RankFusion(k: 15, lexicalWeight: 1.5, semanticWeight: 1)
    /// A cached ranking keeps at most this many results (bounding the cache's memory); a page
    /// beyond them is ranked again.
    package var maximumCachedRanking = 1000
    /// At most this many lexical matches are read (and counted in `total`).
    package var lexicalMatchLimit = 10_000
    /// A memory whose cosine similarity to the query is below this is not a semantic match.
    package var semanticThreshold: Float = 0.2
    /// How much importance (0...1, centred on 0.5) moves a score: ±`importanceWeight`/2.
    package var importanceWeight = 0.2
    /// How much recency (1 when new, 1/2 at 30 days) moves a score: ±`recencyWeight`/2.
    package var recencyWeight = 0.1
    /// What a superseded memory's score is multiplied by, so its replacement ranks above it
    /// (supersession keeps the old fact, labelled, and findable). 0.8 rather than 0.5: a rule's
    /// false positive then costs a few places, not the result. Of 0.5–1, 0.8 was the best at
    /// recall@10 on the visible eval file and tied with 0.9 on the dev file, with knowledge-update
    /// questions as good as at 0.5 (BENCHMARKS.md, "Recall").
    package var supersededFactor = 0.8
    /// How much a memory created inside the search's time window gains: its score is multiplied by
    /// 1 + this. Off unless a search names a window (`time_window`): resolving the query's own words
    /// on every search was measured and did not help (BENCHMARKS.md, "Recall").
    package var timeWindowBoost = 0.2
    /// Users whose vectors stay in memory.
    package var indexedUsers = 64
    /// Cached search results (keyed by the user's change sequence, so never stale).
    package var resultCacheCapacity = 2048
    /// Cached query embeddings.
    package var queryVectorCacheCapacity = 1024
    /// How long a search waits for the embedding of its query. Past it (or on an error) hybrid
    /// search answers lexically, saying so, semantic search is 503, and a circuit breaker skips
    /// the embedder for a back-off (1 s doubling to 30 s). The built-in model takes milliseconds.
    package var queryEmbeddingTimeout: Duration = .seconds(3)

    package init() {}
}

/// Finds a user's memories by text: lexical, semantic or hybrid (DESIGN.md "Search and context").
/// The one search path: the REST routes, MCP tools, CLI and `memoryhub eval` all come here.
///
/// Results are cached under the user's change sequence, read from the store on every search: any
/// write of that user, by any process or replica, moves it, so a write is visible to the very next
/// search.
package final class SearchEngine: Sendable {
    let store: any MemoryStore
    /// Nil: lexical search only.
    package let embedder: (any Embedder)?
    package let configuration: SearchConfiguration
    let index: VectorIndex
    let logger: Logger
    private let results: Mutex<LRUMap<ResultKey, CachedPage>>
    private let queryVectors: Mutex<LRUMap<String, [Float]>>
    /// Whether query embeddings may be asked for now, and why not.
    private let embedderHealth = Mutex(EmbedderHealth())
    private let embedderFailures = Counter(label: "memoryhub.embedder.failures.total")
    private let embedderFallbacks = Counter(label: "memoryhub.search.lexical_fallbacks.total")
    /// Hits and misses of the result cache.
    package let cacheMetrics = CacheMetrics(name: "search", backend: "in-process")

    package init(store: any MemoryStore, embedder: (any Embedder)?, configuration: SearchConfiguration = .init(), logger: Logger) {
        self.store = store
        self.embedder = embedder
        self.configuration = configuration
        self.index = VectorIndex(store: store, maximumUsers: configuration.indexedUsers)
        self.logger = logger
        self.results = Mutex(LRUMap(capacity: max(1, configuration.resultCacheCapacity)))
        self.queryVectors = Mutex(LRUMap(capacity: max(1, configuration.queryVectorCacheCapacity)))
    }

    /// True when an embedding model is configured (semantic and hybrid search are available).
    package var hasEmbedder: Bool { embedder != nil }

    /// Nil while query embeddings work; else why they do not (its circuit breaker is open).
    package var embedderProblem: String? {
        embedderHealth.withLock { $0.breaker.isClosed ? nil : $0.problem }
    }

    /// The result cache's counters.

    package var cacheStatistics: CacheStatistics {
        cacheMetrics.snapshot(entries: results.withLock { $0.count })
    }

    /// Validates the request, then ranks the user's matching memories.
    package func search(_ request: SearchRequest) async throws -> SearchResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let filter = try validatedFilter(request)
        let query = try Self.validatedQuery(request.query)
        try Validation.paging(limit: request.limit, offset: request.offset, maxLimit: 100)
        let mode = try effectiveMode(request.mode)
        if let candidates = request.candidateLimit, !(1...10_000).contains(candidates) {
            throw MemoryHubError.invalidField("candidate_limit", "candidate_limit must be between 1 and 10000.")
        }

        let now = request.referenceTime ?? .now()
        // Without an explicit reference, a phrase is resolved against the current minute, so the
        // same search within a minute has the same window (and the same cache key).
        let minute: Int64 = 60_000_000
        let resolvedAgainst = request.referenceTime
            ?? Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch - ((now.microsecondsSinceEpoch % minute) + minute) % minute)
        let window = try Self.resolvedWindow(request.timeWindow, query: query, reference: resolvedAgainst)
        let sequence = try await store.changeSequence(userID: request.userID)
        // An explicit reference time is part of the ranking; "now" is not (it moves by the
        // microsecond, and recency over a cached result's lifetime barely does).
        let key = ResultKey(
            filter: filter, query: query, mode: mode, sequence: sequence, candidateLimit: request.candidateLimit,
            referenceTime: request.referenceTime, window: window?.window)
        // Where the page ends (an offset near Int.max must not overflow).
        let (sum, overflow) = request.offset.addingReportingOverflow(request.limit)
        let pageEnd = overflow ? Int.max : sum
        let ranking: CachedPage
        if let cached = results.withLock({ $0.value(forKey: key) }),
            cached.isComplete || pageEnd <= cached.ranked.count
        {
            cacheMetrics.hit()
            ranking = cached
        } else {
            cacheMetrics.miss()
            ranking = try await rank(
                query: query, filter: filter, mode: mode, candidateLimit: request.candidateLimit, now: now, window: window?.window,
                keep: max(configuration.maximumCachedRanking, pageEnd))
            var kept = ranking
            if kept.ranked.count > configuration.maximumCachedRanking {
                kept.ranked = Array(kept.ranked.prefix(configuration.maximumCachedRanking))
                kept.isComplete = false
            }
            // A lexical stand-in for a hybrid ranking is not kept: the next search tries again.
            if ranking.notice == nil { results.withLock { _ = $0.set(kept, forKey: key) } }
        }

        let page = Array(ranking.ranked.dropFirst(request.offset).prefix(request.limit))
        let memories = try await store.memories(ids: page.map(\.id), userID: request.userID)
        let byID = Dictionary(memories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let scored = page.compactMap { candidate -> ScoredMemory? in
            guard let memory = byID[candidate.id] else { return nil }
            return ScoredMemory(memory: memory, score: candidate.breakdown.final, breakdown: request.explain ? candidate.breakdown : nil)
        }
        return SearchResponse(
            results: scored, total: ranking.total, query: request.query, limit: request.limit, offset: request.offset,
            mode: ranking.notice == nil ? mode : .lexical, searchTime: clock.now - start, notice: ranking.notice,
            timeWindow: window)
    }

    /// The window a request names, resolved against `reference`; 422 for a phrase that names none
    /// or a window that ends before it starts. The query's own words may name none (nil).
    static func resolvedWindow(_ request: TimeWindowRequest?, query: String, reference: Timestamp) throws -> (window: TimeWindow, phrase: String?)? {
        switch request {
        case nil:
            return nil
        case .window(let window):
            guard window.start < window.end else {
                throw MemoryHubError.invalidField("time_window", "time_window.start must be before time_window.end.")
            }
            return (window, nil)
        case .phrase(let phrase):
            guard let resolved = TimeExpression.resolve(phrase, reference: reference) else {
                throw MemoryHubError.invalidField(
                    "time_window",
                    "time_window '\(phrase.prefix(80))' names no time this server understands (for example: yesterday, 3 days ago, last week, last Tuesday, this month, in March).")
            }
            return (resolved.window, resolved.phrase)
        case .fromQuery:
            return TimeExpression.resolve(query, reference: reference).map { ($0.window, $0.phrase) }
        }
    }

    /// The user's memories most similar in meaning to `query`: `POST /vector/search`.
    package func vectorSearch(
        userID: String, query: String, limit: Int, minSimilarity: Double, sessionID: UUID? = nil, memoryTypes: [MemoryType] = []
    ) async throws -> (results: [(memory: Memory, similarity: Double)], total: Int) {
        _ = try Validation.identifier(userID, field: "user_id")
        let text = try Self.validatedQuery(query)
        try Self.validateSimilarityPaging(limit: limit, minSimilarity: minSimilarity)
        _ = try effectiveMode(.semantic)
        var filter = SearchFilter(userID: userID)
        filter.sessionID = sessionID
        filter.memoryTypes = Set(memoryTypes)
        let vector = try await queryVector(text)
        return try await similar(to: vector, filter: filter, limit: limit, minSimilarity: minSimilarity, excluding: nil)
    }

    /// The owner's memories most similar to one of theirs: `POST /vector/similar/{id}`.
    /// `actingUser` nil acts for the memory's owner.
    package func similarMemories(
        to memoryID: UUID, actingUser: String?, limit: Int, minSimilarity: Double
    ) async throws -> (results: [(memory: Memory, similarity: Double)], total: Int) {
        try Self.validateSimilarityPaging(limit: limit, minSimilarity: minSimilarity)
        guard let memory = try await store.memory(id: memoryID, userID: actingUser) else {
            throw MemoryHubError.memoryNotFound(memoryID.lowercased)
        }
        guard let vector = try await store.embedding(memoryID: memoryID, userID: memory.userID) else {
            throw MemoryHubError(
                kind: .conflict, code: .embeddingPending,
                detail: "Memory \(memoryID.lowercased) has no embedding yet; try again shortly.")
        }
        return try await similar(
            to: vector, filter: SearchFilter(userID: memory.userID), limit: limit, minSimilarity: minSimilarity, excluding: memoryID)
    }

    private func similar(
        to vector: [Float], filter: SearchFilter, limit: Int, minSimilarity: Double, excluding: UUID?
    ) async throws -> (results: [(memory: Memory, similarity: Double)], total: Int) {
        let found = try await index.search(userID: filter.userID, query: vector, filter: filter, threshold: Float(minSimilarity))
            .filter { $0.entry.id != excluding }
        let hits = found.prefix(limit)
        let memories = try await store.memories(ids: hits.map(\.entry.id), userID: filter.userID)
        let byID = Dictionary(memories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let results = hits.compactMap { hit in byID[hit.entry.id].map { ($0, Double(hit.similarity)) } }
        return (results, found.count)
    }

    /// The query without outer white space; 422 when empty, over 16 KiB or holding U+0000.
    static func validatedQuery(_ query: String) throws -> String {
        let text = query.trimmedWhitespace
        guard !text.isEmpty else { throw MemoryHubError.invalidField("query", "query must not be empty.") }
        try Validation.queryText(text)
        guard text.utf8.count <= 16_384 else {
            throw MemoryHubError.invalidField("query", "query is longer than the limit of 16384 bytes.")
        }
        return text
    }

    static func validateSimilarityPaging(limit: Int, minSimilarity: Double) throws {
        try Validation.paging(limit: limit, offset: 0, maxLimit: 50)
        guard minSimilarity.isFinite, (-1...1).contains(minSimilarity) else {
            throw MemoryHubError.invalidField("min_similarity", "min_similarity must be between -1 and 1.")
        }
    }

    // MARK: Ranking

    /// The best `keep` candidates ranked (every candidate is scored), with the total number of matches.
    private func rank(
        query: String, filter: SearchFilter, mode: SearchMode, candidateLimit: Int?, now: Timestamp, window: TimeWindow?, keep: Int
    ) async throws -> CachedPage {
        let lexicalLimit = min(configuration.lexicalMatchLimit, candidateLimit ?? .max)
        if mode == .lexical {
            let lexical = try await store.lexicalMatches(terms: SearchText.terms(query), filter: filter, limit: lexicalLimit)
            return rankFused(lexical: lexical, semantic: [], mode: mode, now: now, window: window, notice: nil, keep: keep)
        }
        // In hybrid search the lexical query runs beside the semantic side (embedding the query,
        // then the vector index): with a core free, the search waits for the slower of the two,
        // not their sum. An error on either side is thrown once the other has finished.
        async let lexicalMatches: [LexicalMatch] = {
            guard mode == .hybrid else { return [] }
            return try await store.lexicalMatches(terms: SearchText.terms(query), filter: filter, limit: lexicalLimit)
        }()
        let vector: [Float]
        do {
            vector = try await queryVector(query)
        } catch let error as MemoryHubError where error.code == .embedderUnreachable && mode == .hybrid {
            embedderFallbacks.increment()
            let notice = error.detail + " These results are lexical only."
            return rankFused(lexical: try await lexicalMatches, semantic: [], mode: .lexical, now: now, window: window, notice: notice, keep: keep)
        }
        // Every match is ranked, so every page that `total` promises can be read.
        let semantic = try await index.search(
            userID: filter.userID, query: vector, filter: filter, threshold: configuration.semanticThreshold, limit: candidateLimit)
        let lexical = try await lexicalMatches
        return rankFused(lexical: lexical, semantic: semantic, mode: mode, now: now, window: window, notice: nil, keep: keep)
    }

    /// Fuses the two candidate lists (RRF for hybrid), adjusts by importance and recency, sorts.
    ///
    /// One slot per distinct memory, found through one dictionary: a query that matches most of
    /// 10k memories ranks them all, and hashing each id once per structure cost more than the
    /// lexical query itself (BENCHMARKS.md, "Search and context latency").
    private func rankFused(
        lexical: [LexicalMatch], semantic: [SemanticHit], mode: SearchMode, now: Timestamp, window: TimeWindow?, notice: String?,
        keep: Int
    ) -> CachedPage {
        struct Slot {
            var id: UUID
            var importance: Double
            var createdAt: Timestamp
            var superseded: Bool
            var lexicalRank: Int?
            var lexicalScore: Double?
            var semanticRank: Int?
            var similarity: Double?
        }
        var slotOf: [UUID: Int] = [:]
        slotOf.reserveCapacity(lexical.count + semantic.count)
        var slots: [Slot] = []
        slots.reserveCapacity(lexical.count + semantic.count)
        // Slots in order of first appearance, lexical first: ties keep that order, as RankFusion does.
        for (position, match) in lexical.enumerated() {
            if let slot = slotOf[match.id] {
                if slots[slot].lexicalRank == nil { (slots[slot].lexicalRank, slots[slot].lexicalScore) = (position + 1, match.score) }
                continue
            }
            slotOf[match.id] = slots.count
            slots.append(Slot(
                id: match.id, importance: match.importance, createdAt: match.createdAt, superseded: match.isSuperseded,
                lexicalRank: position + 1, lexicalScore: match.score))
        }
        for (position, hit) in semantic.enumerated() {
            let entry = hit.entry
            if let slot = slotOf[entry.id] {
                // The index's fields are the newer (it follows the change feed), as before.
                slots[slot].importance = entry.importance
                slots[slot].createdAt = entry.createdAt
                slots[slot].superseded = entry.isSuperseded
                if slots[slot].semanticRank == nil { (slots[slot].semanticRank, slots[slot].similarity) = (position + 1, Double(hit.similarity)) }
                continue
            }
            slotOf[entry.id] = slots.count
            slots.append(Slot(
                id: entry.id, importance: entry.importance, createdAt: entry.createdAt, superseded: entry.isSuperseded,
                semanticRank: position + 1, similarity: Double(hit.similarity)))
        }

        let fusion = configuration.fusion
        let best: Double
        switch mode {
        case .lexical: best = max(lexical.first?.score ?? 1, .leastNonzeroMagnitude)
        case .semantic: best = 1
        case .hybrid: best = fusion.maximum
        }
        let windowFactor = 1 + configuration.timeWindowBoost
        let maxAdjustment = (1 + configuration.importanceWeight / 2 + configuration.recencyWeight / 2) * (window == nil ? 1 : windowFactor)
        func scored(_ slot: Slot) -> ScoreBreakdown? {
            let score: Double
            switch mode {
            case .lexical:
                guard let lexicalScore = slot.lexicalScore else { return nil }
                score = lexicalScore
            case .semantic:
                guard let similarity = slot.similarity else { return nil }
                score = similarity
            case .hybrid:
                score = fusion.score(lexicalRank: slot.lexicalRank, semanticRank: slot.semanticRank)
            }
            let recency = 1 / (1 + max(0, slot.createdAt.seconds(until: now)) / 86_400 / 30)
            let supersession = slot.superseded ? configuration.supersededFactor : 1
            let inWindow = window.map { $0.contains(slot.createdAt) ? windowFactor : 1 } ?? 1
            let adjustment = (1 + configuration.importanceWeight * (slot.importance - 0.5) + configuration.recencyWeight * (recency - 0.5))
                * supersession * inWindow
            let final = max(0, min(1, score / best * adjustment / maxAdjustment))
            return ScoreBreakdown(
                lexicalRank: slot.lexicalRank, lexicalScore: slot.lexicalScore,
                semanticRank: slot.semanticRank, similarity: slot.similarity,
                fused: score, adjustment: adjustment, final: final, supersession: supersession, timeWindow: inWindow)
        }
        // Every candidate is scored and sorted as a pair of final score and slot; only the best
        // `keep` become candidates with their breakdown (a query matching most of 10k memories
        // built and copied thousands that no page shows). Best first; equal scores keep the
        // retrieval order (lexical, then semantic-only).
        var order: [(final: Double, slot: Int)] = []
        order.reserveCapacity(slots.count)
        for (index, slot) in slots.enumerated() {
            if let breakdown = scored(slot) { order.append((breakdown.final, index)) }
        }
        order.sort { $0.final != $1.final ? $0.final > $1.final : $0.slot < $1.slot }
        let ranked = order.prefix(keep).map { RankedCandidate(id: slots[$0.slot].id, breakdown: scored(slots[$0.slot])!) }
        return CachedPage(ranked: ranked, total: slots.count, isComplete: ranked.count == order.count, notice: notice)
    }

    /// Embeds a query into the query-vector cache: benchmarks separate that cost from search.
    @discardableResult
    package func queryVectorForBenchmark(_ text: String) async throws -> [Float] {
        try await queryVector(text)
    }

    /// The query's embedding, cached by text.
    func queryVector(_ text: String) async throws -> [Float] {
        guard let embedder else { throw Self.noEmbedder }
        if let cached = queryVectors.withLock({ $0.value(forKey: text) }) { return cached }
        let permit = embedderHealth.withLock { $0.breaker.permit(at: .now) }
        if permit == .denied {
            throw Self.unreachable(embedderHealth.withLock { $0.problem } ?? "The embedding model is not answering.")
        }
        let vector: [Float]
        do {
            vector = try await Self.withTimeout(configuration.queryEmbeddingTimeout) {
                guard let vector = try await embedder.embed([text]).first else {
                    throw MemoryHubError.internal("the embedder returned no vector")
                }
                return vector
            }
        } catch {
            if Task.isCancelled { throw error }
            let limit = configuration.queryEmbeddingTimeout.seconds
            let sentence = error is EmbeddingTimeout
                ? "The embedding model did not answer within \(limit == limit.rounded() ? String(Int(limit)) : String(limit)) s."
                : "The embedding model failed."
            embedderFailures.increment()
            embedderHealth.withLock { health in
                health.breaker.recordFailure(at: .now)
                health.problem = sentence
            }
            logger.warning("query embedding failed; semantic search pauses", metadata: ["memoryhub.error": "\(error)"])
            throw Self.unreachable(sentence)
        }
        embedderHealth.withLock { health in
            if case .recover = permit {
                health.breaker.recoverySucceeded(deleted: [], clearedAll: false)
            } else {
                health.breaker.recordSuccess()
            }
            health.problem = nil
        }
        queryVectors.withLock { _ = $0.set(vector, forKey: text) }
        return vector
    }

    private func effectiveMode(_ mode: SearchMode) throws -> SearchMode {
        guard embedder == nil else { return mode }
        switch mode {
        case .lexical, .hybrid: return .lexical
        case .semantic: throw Self.noEmbedder
        }
    }

    private static func unreachable(_ sentence: String) -> MemoryHubError {
        MemoryHubError(
            kind: .unavailable, code: .embedderUnreachable,
            detail: sentence + " Semantic search is unavailable for now; lexical search works.")
    }

    private struct EmbeddingTimeout: Error {}

    /// Runs `body`, throwing `EmbeddingTimeout` (and cancelling it) when it takes longer than `timeout`.
    private static func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw EmbeddingTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private static let noEmbedder = MemoryHubError(
        kind: .invalidField, code: .embedderUnavailable,
        detail: "Semantic search needs an embedding model and none is configured; use mode lexical or hybrid.",
        field: "mode")

    private func validatedFilter(_ request: SearchRequest) throws -> SearchFilter {
        var filter = SearchFilter(userID: try Validation.identifier(request.userID, field: "user_id"))
        filter.projectID = try Validation.optionalIdentifier(request.projectID, field: "project_id")
        filter.sessionID = request.sessionID
        filter.memoryTypes = Set(request.memoryTypes)
        filter.minImportance = try Validation.unitInterval(request.minImportance, field: "min_importance")
        filter.tags = try Validation.strings(request.tags, field: "tags")
        filter.createdAfter = request.createdAfter
        return filter
    }
}

/// The query embedder's circuit breaker (MemoryCache's, with no pending keys) and the last problem.
struct EmbedderHealth {
    var breaker = CircuitBreaker(configuration: .init(initialBackoff: .seconds(1), maximumBackoff: .seconds(30)))
    var problem: String?
}

/// A search's full ranking, as cached.
struct CachedPage: Sendable {
    var ranked: [RankedCandidate]
    var total: Int
    /// False when `ranked` keeps only the best of a longer ranking.
    var isComplete = true
    /// Why the ranking is less than asked for (hybrid answered lexically); never cached.
    var notice: String?
}

struct RankedCandidate: Sendable {
    var id: UUID
    var breakdown: ScoreBreakdown
}

struct ResultKey: Hashable, Sendable {
    var filter: SearchFilter
    var query: String
    var mode: SearchMode
    var sequence: Int64
    var candidateLimit: Int?
    var referenceTime: Timestamp?
    var window: TimeWindow?
}
