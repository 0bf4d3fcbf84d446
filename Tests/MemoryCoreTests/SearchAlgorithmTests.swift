import Foundation
import MemoryCore
import Testing

@Suite struct SearchTextTests {
    @Test func termsAreLowercasedWordsWithoutStopWordsOrRepeats() {
        #expect(SearchText.terms("What is the Redis TTL? the redis ttl!") == ["redis", "ttl"])
        #expect(SearchText.terms("café naïve 日本語 v2.3") == ["café", "naïve", "日本語", "v2", "3"])
        #expect(SearchText.terms("\"quoted\" OR (NEAR) -x *") == ["quoted", "near", "x"])
        #expect(SearchText.terms("the of and").isEmpty)
        #expect(SearchText.terms(String(repeating: "w", count: 10) + " a b c", limit: 2) == ["wwwwwwwwww", "b"])
    }

    /// ASCII text takes a byte-by-byte path; it must split and fold exactly as the Unicode one.
    @Test func asciiWordsMatchTheUnicodeDefinition() {
        func reference(_ text: String) -> [String] {
            var words: [String] = []
            var current = ""
            for scalar in text.unicodeScalars {
                if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                    current.unicodeScalars.append(scalar)
                } else if !current.isEmpty {
                    words.append(current.lowercased())
                    current = ""
                }
            }
            if !current.isEmpty { words.append(current.lowercased()) }
            return words
        }
        var generator = SystemRandomNumberGenerator()
        let every = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        #expect(SearchText.words(every) == reference(every))
        #expect(SearchText.words(every) == ["0123456789", "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz"])
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0..<128, using: &generator) }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(SearchText.words(text) == reference(text), "\(bytes)")
        }
        #expect(SearchText.words("Deploy v2.3 ÜBER naïve") == ["deploy", "v2", "3", "über", "naïve"])
    }

    @Test func trimmingRemovesOuterWhitespaceOnly() {
        #expect("  a b \n\t".trimmedWhitespace == "a b")
        #expect(" \n ".trimmedWhitespace == "")
    }
}

@Suite struct RankFusionTests {
    @Test func itemsInBothListsRiseAndTheMaximumIsFirstEverywhere() {
        let fusion = RankFusion(k: 60)
        let fused = fusion.fuse(lexical: ["a", "b", "c"], semantic: ["c", "d", "a"])
        #expect(fused.map(\.id) == ["a", "c", "b", "d"])
        #expect(abs(fused[0].score - (1.0 / 61 + 1.0 / 63)) < 1e-12)
        let best = fusion.fuse(lexical: ["x"], semantic: ["x"])
        #expect(abs(best[0].score - fusion.maximum) < 1e-12)
    }

    @Test func weightsShiftTheBalance() {
        let semanticHeavy = RankFusion(k: 10, lexicalWeight: 0.2, semanticWeight: 1)
        #expect(semanticHeavy.fuse(lexical: ["a", "b"], semantic: ["b", "a"]).first?.id == "b")
        #expect(RankFusion(k: 10).fuse(lexical: [String](), semantic: []).isEmpty)
    }

    @Test func anItemsScoreFromItsRanksIsWhatFusionGivesIt() {
        let fusion = RankFusion(k: 20, lexicalWeight: 1.3, semanticWeight: 1)
        let fused = Dictionary(uniqueKeysWithValues: fusion.fuse(lexical: ["a", "b", "c"], semantic: ["c", "d"]).map { ($0.id, $0.score) })
        #expect(abs(fusion.score(lexicalRank: 3, semanticRank: 1) - fused["c"]!) < 1e-12)
        #expect(abs(fusion.score(lexicalRank: nil, semanticRank: 2) - fused["d"]!) < 1e-12)
        #expect(abs(fusion.score(lexicalRank: 1, semanticRank: nil) - 1.3 / 21) < 1e-12)
        #expect(fusion.score(lexicalRank: nil, semanticRank: nil) == 0)
    }
}

@Suite struct ContextPackerTests {
    static func memory(_ content: String, type: MemoryType = .fact) -> Memory {
        Memory(sessionID: UUID(), userID: "u", content: content, memoryType: type, createdAt: .now())
    }

    @Test func neverExceedsTheBudgetAndUsesEachMemoryOnce() {
        let shared = Self.memory("shared memory in two sections")
        let many = (0..<200).map { Self.memory("memory number \($0) " + String(repeating: "x", count: $0 % 50)) }
        for budget in [50, 80, 200, 1000, 4000] {
            let packer = ContextPacker(maxMemories: 100, maxTokens: budget, minRelevance: 0.1)
            let (sections, markdown, tokens) = packer.pack([
                .init(key: "a", title: "First", items: [.init(memory: shared, relevance: 0.9, reason: "")] + many.prefix(100).map { .init(memory: $0, relevance: 0.5, reason: "") }),
                .init(key: "b", title: "Second", items: [.init(memory: shared, relevance: 0.9, reason: "")] + many.suffix(100).map { .init(memory: $0, relevance: 0.5, reason: "") }),
            ], renderOrder: ["b", "a"])
            #expect(tokens <= budget, "budget \(budget)")
            #expect(TokenEstimate.tokens(markdown) <= tokens, "the markdown's own estimate fits what was counted")
            let ids = sections.flatMap { $0.items.map(\.memory.id) }
            #expect(Set(ids).count == ids.count, "each memory at most once")
            #expect(ids.filter { $0 == shared.id }.count == 1)
            #expect(sections.map(\.tokens).reduce(0, +) + TokenEstimate.lineTokens(packer.heading) == tokens)
        }
    }

    @Test func sectionsRenderInOrderWithTheirMemoriesAndLowRelevanceIsLeftOut() {
        let decision = Self.memory("Use PostgreSQL in production", type: .decision)
        let recent = Self.memory("Fixed the flaky test\nwith a bound port")
        let weak = Self.memory("barely related")
        let packer = ContextPacker(maxMemories: 10, maxTokens: 1000, minRelevance: 0.3)
        let (sections, markdown, _) = packer.pack([
            .init(key: "decisions", title: "Key Decisions", items: [.init(memory: decision, relevance: 0.8, reason: "decision")]),
            .init(key: "recent", title: "Recent Activity", items: [.init(memory: recent, relevance: 0.6, reason: "recent"), .init(memory: weak, relevance: 0.1, reason: "")]),
        ], renderOrder: ["recent", "decisions"])
        #expect(sections.map(\.title) == ["Recent Activity", "Key Decisions"])
        #expect(markdown == """
            # Context from MemoryHub

            ## Recent Activity
            - [fact] Fixed the flaky test with a bound port

            ## Key Decisions
            - [decision] Use PostgreSQL in production
            """)
    }

    @Test func aLongMemoryIsShortenedToFitAndTheCountIsCapped() {
        let long = Self.memory(String(repeating: "word ", count: 2000))
        let packer = ContextPacker(maxMemories: 1, maxTokens: 120, minRelevance: 0)
        let (sections, markdown, tokens) = packer.pack([
            .init(key: "a", title: "A", items: [.init(memory: long, relevance: 1, reason: ""), .init(memory: Self.memory("short"), relevance: 0.9, reason: "")]),
        ], renderOrder: ["a"])
        #expect(sections.first?.items.count == 1)
        #expect(markdown.hasSuffix("…"))
        #expect(tokens <= 120)
        #expect(packer.pack([], renderOrder: []).markdown.isEmpty)
    }

    /// Issue 10, item 10: the shortener keeps or drops whole characters, so a flag (two regional
    /// indicator scalars) at the cut is never halved, whatever the budget.
    @Test func shorteningNeverCutsInsideACharacter() {
        let flags = String(repeating: "\u{1F1EF}\u{1F1F5}", count: 200)
        for budget in 5...40 {
            let line = ContextPacker.line(for: Self.memory(flags), maxTokens: budget, minTokens: 1) ?? ""
            let body = line.dropFirst("- [fact] ".count).dropLast()
            #expect(body.unicodeScalars.count % 2 == 0, "budget \(budget) cut a flag: \(line.unicodeScalars.count) scalars")
            #expect(body.allSatisfy { $0 == "\u{1F1EF}\u{1F1F5}" })
        }
    }
}

@Suite struct RetrievalEvaluationTests {
    @Test func recallHitAndSessionRankingFollowTheDefinitions() throws {
        let evalCase = try RetrievalEvaluation.parseCase("""
            {"id": "c1", "sessions": [
              {"id": "S1", "turns": [{"id": "S1#0", "role": "user", "content": "a"}, {"id": "S1#1", "content": "b"}]},
              {"id": "S2", "turns": [{"id": "S2#0", "content": "c", "speaker": "Ann"}]}],
             "questions": [{"id": "q1", "question": "?", "category": "x", "gold_turn_ids": ["S1#1", "S2#0"], "gold_session_ids": ["S1", "S2"]}]}
            """)
        #expect(evalCase.sessions[1].turns[0].speaker == "Ann")
        let sessionOf = ["S1#0": "S1", "S1#1": "S1", "S2#0": "S2"]
        let scores = RetrievalEvaluation.score(ranked: ["S1#0", "S2#0", "S1#1"], question: evalCase.questions[0], sessionOfTurn: sessionOf)
        #expect(scores[1] == { var s = RetrievalEvaluation.Scores(); s.sessionRecallAny = 1; return s }())
        #expect(scores[5]?.turnRecall == 1 && scores[5]?.turnHit == 1 && scores[5]?.sessionRecallAll == 1)
        let two = RetrievalEvaluation.score(ranked: ["S1#0", "S2#0"], question: evalCase.questions[0], sessionOfTurn: sessionOf)
        #expect(two[5]?.turnRecall == 0.5)
        #expect(two[1]?.sessionRecallAll == 0 && two[5]?.sessionRecallAll == 1)
        #expect(throws: MemoryHubError.self) { try RetrievalEvaluation.parseCase("{\"id\": 3}") }
    }
}
