import Foundation
import MemoryCore
import Testing

@Suite struct DomainTests {
    @Test func transitionsFollowTheLifecycle() {
        let allowed: Set<String> = ["active>paused", "active>ended", "paused>active", "paused>ended", "ended>archived"]
        for from in SessionState.allCases {
            for to in SessionState.allCases {
                #expect(from.canTransition(to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
        #expect(SessionState.sources(of: .ended) == [.active, .paused])
    }

    @Test func relevanceDecaysWithAgeAndGrowsWithAccess() {
        let now = Timestamp(microsecondsSinceEpoch: 100 * 86_400 * 1_000_000)
        var memory = Memory(sessionID: UUID(), userID: "u", content: "x", memoryType: .fact, importance: 0.8, createdAt: now)
        #expect(abs(memory.relevanceScore(at: now) - 0.8 * 0.7) < 1e-12)
        memory.accessCount = 20
        #expect(abs(memory.relevanceScore(at: now) - 0.8) < 1e-12)
        let thirtyDaysLater = now.adding(seconds: 30 * 86_400)
        #expect(abs(memory.relevanceScore(at: thirtyDaysLater) - 0.4) < 1e-12)
        #expect(memory.isRecent(at: now.adding(seconds: 6 * 86_400)))
        #expect(!memory.isRecent(at: now.adding(seconds: 7 * 86_400)))
        #expect(memory.isHighImportance)
        #expect(abs(memory.ageDays(at: now.adding(seconds: 43_200)) - 0.5) < 1e-12)
    }

    @Test func uuidV7IsVersionSevenAndOrderedByTime() {
        let earlier = UUID.v7(at: Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000))
        let later = UUID.v7(at: Timestamp(microsecondsSinceEpoch: 1_700_000_000_001_000))
        #expect(earlier.lowercased.dropFirst(14).first == "7")
        #expect(["8", "9", "a", "b"].contains(earlier.lowercased.dropFirst(19).first.map(String.init) ?? ""))
        #expect(earlier.lowercased < later.lowercased)
        #expect(Set((0..<1000).map { _ in UUID.v7() }).count == 1000)
    }

    @Test func tagsAddWithoutDuplicatesInOrder() {
        #expect(["a", "b"].addingUnique(["b", "c", "a", "d", "c"]) == ["a", "b", "c", "d"])
    }
}

@Suite struct SessionReportTests {
    func memory(_ type: MemoryType, _ content: String, importance: Double, entities: [String] = []) -> Memory {
        Memory(sessionID: UUID(), userID: "u", content: content, memoryType: type, importance: importance,
               entities: entities, createdAt: .now())
    }

    @Test func statisticsAndInsightsComeFromTheMemories() {
        let memories = [
            memory(.decision, "Use PostgreSQL. TODO: write the migration", importance: 0.9, entities: ["PostgreSQL"]),
            memory(.decision, "Keep Redis optional", importance: 0.6, entities: ["Redis", "PostgreSQL"]),
            memory(.error, "Connection refused on 5432", importance: 0.7, entities: ["PostgreSQL"]),
            memory(.fact, "The API uses snake_case", importance: 0.85),
            memory(.pattern, "Handlers stay thin", importance: 0.5),
        ]
        let stats = SessionReport.finalStats(of: memories)
        #expect(stats["memory_count"] == 5)
        #expect(stats["important_count"] == 3)
        #expect(stats["mean_importance"] == .double(0.71))
        #expect(stats["distinct_entities"] == 2)
        let insights = SessionReport.insights(of: memories)
        #expect(insights["topics"] == ["PostgreSQL", "Redis"])
        #expect(insights["key_decisions"] == ["Use PostgreSQL. TODO: write the migration", "Keep Redis optional"])
        #expect(insights["errors_encountered"] == ["Connection refused on 5432"])
        #expect(insights["learning_points"] == ["The API uses snake_case"])
        #expect(insights["action_items"] == ["Use PostgreSQL. TODO: write the migration"])
        let summary = SessionReport.summary(of: memories)
        #expect(summary.hasPrefix("5 memories recorded."))
        #expect(summary.contains("Use PostgreSQL"))
    }

    @Test func emptySessionsGetAPlainSummary() {
        #expect(SessionReport.finalStats(of: [])["memory_count"] == 0)
        #expect(SessionReport.summary(of: []) == "No memories were recorded in this session.")
    }

    @Test func parentContextCarriesSummaryEntitiesAndImportantFacts() {
        let parent = Session(userID: "u", startedAt: .now(), summary: "We chose GRDB.")
        let context = SessionReport.parentContext(of: parent, memories: [
            memory(.fact, "SQLite runs in WAL mode", importance: 0.9, entities: ["SQLite"]),
            memory(.fact, "Minor detail", importance: 0.2, entities: ["SQLite", "GRDB"]),
        ])
        #expect(context["summary"] == "We chose GRDB.")
        #expect(context["top_entities"] == ["SQLite", "GRDB"])
        #expect(context["important_facts"] == ["SQLite runs in WAL mode"])
        #expect(context["parent_session_id"] == .string(parent.id.lowercased))
    }
}
