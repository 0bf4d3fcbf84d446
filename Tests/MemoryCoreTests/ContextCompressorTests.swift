import Foundation
@testable import MemoryCore
import Testing

/// A session's memories for compression tests, newest first.
private struct SessionFixture {
    let session = UUID()
    let now = Timestamp(microsecondsSinceEpoch: 1_750_000_000_000_000)
    var memories: [Memory] = []

    /// Appends a memory one hour older than the last.
    mutating func add(
        _ content: String, _ type: MemoryType = .fact, importance: Double = 0.5, entities: [String] = [], summary: String? = nil
    ) {
        let age = Double(memories.count + 1) * 3600
        memories.append(Memory(
            sessionID: session, userID: "alice", content: content, summary: summary, memoryType: type, importance: importance,
            entities: entities, createdAt: now.adding(seconds: -age)))
    }

    func compress(_ strategy: CompressionStrategy, _ level: CompressionLevel = .moderate, target: Int = 4000) -> CompressedContext {
        ContextCompressor(targetTokens: target, strategy: strategy, level: level).compress(memories, now: now)
    }

    func kept(_ strategy: CompressionStrategy, _ level: CompressionLevel = .moderate, target: Int = 4000) -> [String] {
        compress(strategy, level, target: target).memories.map(\.content)
    }
}

/// Every token the output holds, recounted from its parts.
private func recount(_ context: CompressedContext) -> Int {
    context.memories.reduce(0) { $0 + ContextCompressor.tokens(of: $1) } + TokenEstimate.tokens(context.summary)
        + (context.keyEntities + context.importantFacts + context.recentDecisions).reduce(0) { $0 + TokenEstimate.tokens($1) }
}

/// A deterministic mixed session: every type, spread importances, shared entities, some long
/// memories, some with summaries.
private func mixedSession(count: Int, seed: UInt64 = 7) -> SessionFixture {
    var fixture = SessionFixture()
    var state = seed
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    let entities = ["Redis", "PostgreSQL", "SQLite", "Hummingbird", "MCP", "hooks", "cache", "deploy", "CI", "auth"]
    for index in 0..<count {
        let type = MemoryType.allCases[Int(next() % 7)]
        let words = Int(next() % 60) + 3
        let content = "Memory \(index): " + (0..<words).map { _ in entities[Int(next() % 10)].lowercased() }.joined(separator: " ")
        let importance = Double(next() % 101) / 100
        let mentioned = (0..<Int(next() % 4)).map { _ in entities[Int(next() % 10)] }
        fixture.add(content, type, importance: importance, entities: mentioned, summary: next() % 3 == 0 ? "Summary of \(index)" : nil)
    }
    return fixture
}

@Suite struct ContextCompressorTests {
    @Test func anEmptySessionCompressesToNothing() {
        let fixture = SessionFixture()
        for strategy in CompressionStrategy.allCases {
            let result = fixture.compress(strategy)
            #expect(result.memories.isEmpty && result.summary.isEmpty && result.keyEntities.isEmpty)
            #expect(result.importantFacts.isEmpty && result.recentDecisions.isEmpty)
            #expect(result.compressionRatio == 0 && result.tokenEstimate == 0 && result.originalMemoryCount == 0)
            #expect(result.strategy == strategy)
        }
    }

    @Test func theBudgetHoldsForEveryStrategyLevelAndBudgetAndNoMemoryRepeats() {
        var sessions = [mixedSession(count: 120), mixedSession(count: 3, seed: 11)]
        var huge = SessionFixture()
        huge.add(String(repeating: "enormous ", count: 40_000), .decision, importance: 0.95, entities: ["Redis", "cache"])
        huge.add(String(repeating: "large ", count: 5_000), .error, importance: 0.9, entities: ["Redis", "cache"], summary: String(repeating: "s", count: 3000))
        huge.add("small", .fact, importance: 0.99, entities: ["Redis"])
        sessions.append(huge)
        for fixture in sessions {
            for strategy in CompressionStrategy.allCases {
                for level in CompressionLevel.allCases {
                    for target in [0, 1, 5, 20, 100, 500, 2000, 16000] {
                        let result = fixture.compress(strategy, level, target: target)
                        #expect(result.tokenEstimate <= target, "\(strategy) \(level) \(target): \(result.tokenEstimate)")
                        #expect(result.tokenEstimate == recount(result))
                        #expect(Set(result.memories.map(\.id)).count == result.memories.count, "\(strategy) repeats a memory")
                    }
                }
            }
        }
    }

    @Test func aMemoryLargerThanTheBudgetIsNeverKeptButAGistStandsIn() {
        var fixture = SessionFixture()
        fixture.add(String(repeating: "x", count: 10_000), importance: 0.95)
        let result = fixture.compress(.importanceBased, target: 500)
        #expect(result.memories.isEmpty)
        #expect(result.importantFacts == [String(repeating: "x", count: 100) + "..."])
        #expect(result.tokenEstimate <= 500)
        #expect(result.compressionRatio > 0.9)
    }

    @Test func importanceBasedKeepsWhatReachesEachLevelsThreshold() {
        var fixture = SessionFixture()
        for importance in [0.65, 0.75, 0.82, 0.87, 0.95] { fixture.add("importance \(importance)", importance: importance) }
        #expect(fixture.kept(.importanceBased, .light) == ["importance 0.95", "importance 0.87", "importance 0.82", "importance 0.75"])
        #expect(fixture.kept(.importanceBased, .moderate) == ["importance 0.95", "importance 0.87", "importance 0.82"])
        #expect(fixture.kept(.importanceBased, .aggressive) == ["importance 0.95", "importance 0.87"])
        #expect(fixture.kept(.importanceBased, .extreme) == ["importance 0.95"])
        // The threshold itself is included; the rest is summarized.
        var edge = SessionFixture()
        edge.add("exactly", importance: 0.8, entities: ["Redis"])
        edge.add("below", .decision, importance: 0.79, entities: ["Redis", "CI"])
        let result = edge.compress(.importanceBased, .moderate)
        #expect(result.memories.map(\.content) == ["exactly"])
        #expect(result.summary == "Contains 1 decision memories. Key topics: CI, Redis")
    }

    @Test func recencyWeightedKeepsEachLevelsShareAndAtLeastOne() {
        var fixture = SessionFixture()
        for index in 0..<10 { fixture.add("memory \(index)", importance: 0.5) }
        #expect(fixture.kept(.recencyWeighted, .light).count == 8)
        #expect(fixture.kept(.recencyWeighted, .moderate) == (0..<6).map { "memory \($0)" })
        #expect(fixture.kept(.recencyWeighted, .aggressive).count == 4)
        #expect(fixture.kept(.recencyWeighted, .extreme) == ["memory 0", "memory 1"])
        var single = SessionFixture()
        single.add("the only one", entities: ["Redis"])
        #expect(single.kept(.recencyWeighted, .extreme) == ["the only one"])
        // Importance outweighs a few hours: 0.9 × 0.95² beats 0.5.
        var weighted = SessionFixture()
        weighted.add("new but minor", importance: 0.5)
        weighted.add("older but major", importance: 0.9, entities: ["deploy"])
        weighted.add("oldest", importance: 0.1, entities: ["CI"])
        let result = weighted.compress(.recencyWeighted, .extreme)
        #expect(result.memories.map(\.content) == ["older but major"])
        #expect(result.keyEntities == ["CI"])
        #expect(result.summary == "Contains 2 fact memories. Key topics: CI")
    }

    @Test func recencyWeightedStopsAtTheFirstMemoryThatDoesNotFit() {
        var fixture = SessionFixture()
        fixture.add("short", importance: 0.9)
        fixture.add(String(repeating: "y", count: 4000), importance: 0.9)
        fixture.add("also short", importance: 0.9)
        #expect(fixture.kept(.recencyWeighted, .light, target: 500) == ["short"])
    }

    @Test func summarizationKeepsImportantDecisionsAndErrorsAndWritesGroupLines() {
        var fixture = SessionFixture()
        fixture.add("Use Redis for the shared cache", .decision, importance: 0.9)
        fixture.add("Postgres connection refused at startup", .error, importance: 0.85)
        fixture.add("Chose Hummingbird over Vapor", .decision, importance: 0.5, summary: "Hummingbird chosen")
        fixture.add("Tests run with make test", .fact)
        fixture.add("The cache TTL is an hour", .fact)
        fixture.add("Timeout in CI", .error, importance: 0.3)
        fixture.add("Prefers tabs", .preference)
        let result = fixture.compress(.summarization)
        #expect(result.memories.map(\.content) == ["Use Redis for the shared cache", "Postgres connection refused at startup"])
        #expect(result.recentDecisions == ["Decisions made: Use Redis for the shared cache; Hummingbird chosen"])
        #expect(result.importantFacts == [
            "Errors encountered: Postgres connection refused at startup; Timeout in CI",
            "Key facts: Tests run with make test; The cache TTL is an hour",
        ])
        #expect(result.summary == "2 decision memories, 2 error memories, 2 fact memories, 1 preference memories")
        // Kept decisions and errors share 60 % of the budget: at 10 tokens only the first fits.
        var tight = SessionFixture()
        tight.add("1234567890123456", .decision, importance: 0.9)
        tight.add("abcdefghijklmnop", .error, importance: 0.9)
        #expect(tight.kept(.summarization, target: 10).count == 1)
    }

    @Test func entityConsolidationKeepsOneMemoryPerEntityAndNeverRepeatsOne() {
        var fixture = SessionFixture()
        fixture.add("Redis and Postgres both run in CI", importance: 0.9, entities: ["Redis", "PostgreSQL", "CI"])
        fixture.add("Redis minor note", importance: 0.2, entities: ["Redis"])
        fixture.add("A note without entities", importance: 1)
        fixture.add("SQLite is the embedded default", importance: 0.6, entities: ["SQLite"])
        let result = fixture.compress(.entityConsolidation)
        #expect(result.memories.map(\.content) == ["Redis and Postgres both run in CI", "SQLite is the embedded default"])
        #expect(result.keyEntities.isEmpty && result.importantFacts.isEmpty)
        // Too small a budget: each entity becomes a fact instead.
        let tight = fixture.compress(.entityConsolidation, target: 8)
        #expect(tight.memories.map(\.content) == ["SQLite is the embedded default"])
        #expect(tight.tokenEstimate <= 8)
        let draft = ContextCompressor(targetTokens: 8, strategy: .entityConsolidation).entityConsolidation(fixture.memories)
        #expect(draft.keyEntities == ["Redis", "PostgreSQL", "CI"])
        #expect(draft.facts == ["Redis: Redis and Postgres both run in CI", "PostgreSQL: Redis and Postgres both run in CI", "CI: Redis and Postgres both run in CI"])
        var unimportant = SessionFixture()
        unimportant.add(String(repeating: "z", count: 400), importance: 0.3, entities: ["Z"])
        unimportant.add(String(repeating: "w", count: 400), importance: 0.4, entities: ["Z"])
        #expect(ContextCompressor(targetTokens: 50, strategy: .entityConsolidation).entityConsolidation(unimportant.memories).facts == ["Z: Mentioned in 2 memories"])
    }

    @Test func semanticClusteringGroupsMemoriesSharingTwoEntities() {
        var fixture = SessionFixture()
        fixture.add("Redis cache sizing", importance: 0.5, entities: ["Redis", "cache", "TTL"])
        fixture.add("Redis cache eviction", importance: 0.8, entities: ["cache", "Redis"])
        fixture.add("Redis only", importance: 0.9, entities: ["Redis"])
        fixture.add("Cache TTL of an hour", importance: 0.4, entities: ["TTL", "cache"])
        let result = fixture.compress(.semanticClustering)
        #expect(result.memories.map(\.content) == ["Redis cache eviction", "Redis only"])
        let tight = ContextCompressor(targetTokens: 0, strategy: .semanticClustering).semanticClustering(fixture.memories)
        #expect(tight.facts == ["Discussion about Redis, cache, TTL (3 related memories)", "Redis only"])
        let varied = ContextCompressor.clusterLine([fixture.memories[0], fixture.memories[3], fixture.memories[2], fixture.memories[2]])
        #expect(varied == "Discussion about Redis, cache, TTL (4 related memories)")
    }

    @Test func hierarchicalKeepsCriticalWithinHalfTheBudgetThenImportantWhileRoomIsLeft() {
        var fixture = SessionFixture()
        let hundredTokens = String(repeating: "a", count: 400)
        fixture.add(hundredTokens, importance: 0.95)
        fixture.add(hundredTokens, importance: 0.92)
        fixture.add(hundredTokens, importance: 0.91, entities: ["Redis"])
        fixture.add(hundredTokens, importance: 0.8, entities: ["Redis", "CI"])
        fixture.add(hundredTokens, importance: 0.75)
        fixture.add(hundredTokens, importance: 0.72)
        fixture.add("regular", importance: 0.2, entities: ["CI", "Redis"])
        let result = fixture.compress(.hierarchical, target: 500)
        // Two critical memories fill half of 500 (a third would pass it); 100 ≤ 0.7 × 300 and
        // 100 ≤ 0.7 × 200 keep two important ones; 100 > 0.7 × 100 leaves the third.
        #expect(result.memories.map(\.importance) == [0.95, 0.92, 0.8, 0.75])
        #expect(result.summary == "Contains 3 fact memories. Key topics: Redis, CI")
        #expect(result.keyEntities == ["Redis", "CI"])
    }

    @Test func hybridAddsRecentMemoriesAndSummarizesTheRestWithoutRepeats() {
        var fixture = SessionFixture()
        fixture.add("Important decision", .decision, importance: 0.95, entities: ["deploy"])
        fixture.add("Recent note one", importance: 0.5, entities: ["CI"])
        fixture.add("Recent note two", importance: 0.5)
        fixture.add("Old note", importance: 0.1, entities: ["legacy"])
        fixture.add("Older note", importance: 0.1)
        let result = fixture.compress(.hybrid, .moderate, target: 4000)
        // importance_based keeps one; recency (share 0.6 of 5 = 3) adds the best two others.
        #expect(result.memories.map(\.content) == ["Important decision", "Recent note one", "Recent note two"])
        #expect(Set(result.memories.map(\.id)).count == 3)
        #expect(result.summary == "Contains 2 fact memories. Key topics: legacy")
        // With too little room, the entities' facts and key entities come from entity consolidation.
        let tight = fixture.compress(.hybrid, .extreme, target: 10)
        #expect(tight.tokenEstimate <= 10)
        #expect(tight.memories.map(\.content) == ["Important decision"])
    }

    @Test func compressionRatioComparesCharactersOutWithCharactersIn() {
        var fixture = SessionFixture()
        fixture.add(String(repeating: "k", count: 100), importance: 0.9)
        fixture.add(String(repeating: "d", count: 300), .decision, importance: 0.1)
        let result = fixture.compress(.importanceBased)
        let summary = "Contains 1 decision memories"
        #expect(result.summary == summary)
        #expect(abs(result.compressionRatio - (1 - Double(100 + summary.count) / 400)) < 1e-12)
        #expect(result.originalTokens == 100 && result.originalMemoryCount == 2)
        #expect(result.tokenEstimate == 25 + TokenEstimate.tokens(summary))
    }

    @Test func theSummaryIsCutBeforeKeptMemoriesGo() {
        var fixture = SessionFixture()
        fixture.add(String(repeating: "k", count: 40), importance: 0.9)
        for index in 0..<30 { fixture.add("rest \(index)", .pattern, importance: 0.1, entities: ["entity-\(index)"]) }
        let result = fixture.compress(.importanceBased, target: 20)
        #expect(result.memories.count == 1)
        #expect(result.summary == "Contains 30 pattern memories. Key top...")
        #expect(result.tokenEstimate == 20)
    }

    @Test func estimatesFollowTheNominalRatiosAndAdviceFollowsTheSession() {
        var fixture = SessionFixture()
        for _ in 0..<21 { fixture.add(String(repeating: "d", count: 1000), .decision) }
        for _ in 0..<11 { fixture.add("error", .error) }
        let estimate = CompressionEstimate(memories: fixture.memories)
        #expect(estimate.originalTokens == 21 * 250 + 11 * 2)
        #expect(estimate.levels.map(\.level) == [.light, .moderate, .aggressive, .extreme])
        #expect(estimate.levels.map(\.estimatedTokens) == [4481, 3163, 1581, 790])
        #expect(estimate.levels.map(\.timeEstimate) == ["1-2 seconds", "1-2 seconds", "2-5 seconds", "2-5 seconds"])
        #expect(estimate.recommendations.count == 3)
        #expect(estimate.recommendations[0].contains("moderate"))
        #expect(estimate.recommendations[1].contains("hierarchical") && estimate.recommendations[2].contains("importance_based"))
        let empty = CompressionEstimate(memories: [])
        #expect(empty.originalTokens == 0 && empty.levels.allSatisfy { $0.estimatedTokens == 0 })
        #expect(empty.recommendations.count == 1 && empty.recommendations[0].contains("light"))
        let big = CompressionEstimate(memories: mixedSession(count: 400).memories)
        #expect(big.recommendations[0].contains("aggressive") && big.recommendations.contains { $0.contains("entity_consolidation") })
    }
}
