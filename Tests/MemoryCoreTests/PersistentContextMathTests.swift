import Foundation
import MemoryCore
import Testing

/// The arithmetic of persistent context (API-more.md): similarity, score, decay, previews, coherence.
@Suite struct PersistentContextMathTests {
    let now = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)

    @Test func jaccardComparesWordsWithoutCommonOnes() {
        let query = PersistentContextMath.wordSet("How do we deploy the API?")
        #expect(query == ["deploy", "api"])
        #expect(PersistentContextMath.jaccard(query, PersistentContextMath.wordSet("We deploy the API with make")) == 2.0 / 3.0)
        #expect(PersistentContextMath.jaccard(query, PersistentContextMath.wordSet("the office cat is grey")) == 0)
        #expect(PersistentContextMath.jaccard([], []) == 0)
    }

    @Test func cosineIsUsedOnlyWhenBothSidesHaveAVector() {
        let embedded = ContextItemSketch(id: UUID(), content: "deploy api", importance: 0.5, accessCount: 1, embedding: [1, 0])
        var bare = embedded
        bare.embedding = nil
        #expect(PersistentContextMath.similarity(queryVector: [0, 1], queryWords: ["deploy"], item: embedded) == 0)
        #expect(PersistentContextMath.similarity(queryVector: [0, 1], queryWords: ["deploy"], item: bare) == 0.5)
        #expect(PersistentContextMath.similarity(queryVector: nil, queryWords: ["deploy"], item: embedded) == 0.5)
        #expect(abs(PersistentContextMath.cosine([3, 4], [4, 3]) - 0.96) < 1e-6)
        #expect(PersistentContextMath.cosine([1, 0], [1, 0, 0]) == 0, "vectors of different lengths are not compared")
    }

    @Test func accessesStopAddingToTheScoreAtTen() {
        #expect(PersistentContextMath.score(similarity: 0.5, importance: 1, accessCount: 0) == 1)
        let ten = PersistentContextMath.score(similarity: 0.5, importance: 1, accessCount: 10)
        #expect(abs(ten - 2) < 1e-12)
        #expect(PersistentContextMath.score(similarity: 0.5, importance: 1, accessCount: 1000) == ten)
    }

    @Test func decayCountsWeeksSinceTheLaterOfAccessAndDecay() {
        let twoWeeksAgo = now.adding(seconds: -2 * PersistentContextMath.week)
        let decayed = PersistentContextMath.decayedImportance(0.8, lastAccessed: twoWeeksAgo, decayedAt: nil, now: now)
        #expect(abs((decayed ?? 0) - 0.8 * 0.95 * 0.95) < 1e-12)
        // Decayed a week ago: only the week since counts.
        let sinceDecay = PersistentContextMath.decayedImportance(
            0.8, lastAccessed: twoWeeksAgo, decayedAt: now.adding(seconds: -PersistentContextMath.week), now: now)
        #expect(abs((sinceDecay ?? 0) - 0.8 * 0.95) < 1e-12)
        #expect(PersistentContextMath.decayedImportance(0.8, lastAccessed: twoWeeksAgo, decayedAt: now, now: now) == nil, "a repeat changes nothing")
        #expect(PersistentContextMath.decayedImportance(0.8, lastAccessed: now, decayedAt: nil, now: now) == nil)
    }

    @Test func decayStopsAtTheFloorAndNeverRaises() {
        let yearsAgo = now.adding(seconds: -300 * PersistentContextMath.week)
        #expect(PersistentContextMath.decayedImportance(0.9, lastAccessed: yearsAgo, decayedAt: nil, now: now) == 0.1)
        #expect(PersistentContextMath.decayedImportance(0.1, lastAccessed: yearsAgo, decayedAt: nil, now: now) == nil)
        #expect(PersistentContextMath.decayedImportance(0.05, lastAccessed: yearsAgo, decayedAt: nil, now: now) == nil)
    }

    @Test func previewsCutCharactersNotBytes() {
        #expect(PersistentContextMath.preview("short", limit: 10) == "short")
        #expect(PersistentContextMath.preview(String(repeating: "é", count: 12), limit: 10) == String(repeating: "é", count: 10) + "...")
    }

    @Test func coherenceIsTheMeanPairwiseCosine() {
        func item(_ vector: [Float]?) -> ContextItem {
            ContextItem(
                id: UUID(), userID: "u", scope: .user, contextType: .patterns, content: "x", lastAccessed: now, createdAt: now,
                updatedAt: now, embedding: vector)
        }
        #expect(PersistentContextMath.coherence([item([1, 0]), item(nil)]) == 1.0, "fewer than two vectors")
        #expect(abs(PersistentContextMath.coherence([item([1, 0]), item([0, 1]), item([1, 0])]) - 1.0 / 3.0) < 1e-9)
        #expect(ContextItemType.technicalKnowledge.title == "Technical Knowledge")
    }
}
