import Foundation
import MemoryCore
import MemoryStore
import Testing

/// The search-index part of the persistence contract (lexical matches, the change feed,
/// embeddings, counts): every store passes every test here.
@Suite struct SearchIndexContractTests {
    /// A session with memories of the given contents (and types), created a second apart.
    static func seed(
        _ store: any MemoryStore, user: String, project: String? = "proj", _ items: [(String, MemoryType)]
    ) async throws -> (Session, [Memory]) {
        let session = Fixture.session(user: user, project: project)
        try await store.insertSession(session)
        var memories: [Memory] = []
        for (offset, (content, type)) in items.enumerated() {
            var memory = Fixture.memory(in: session, type: type, content: content, created: Fixture.time(Double(offset + 1)))
            memory.summary = nil
            memory.entities = []
            memory.tags = ["t\(offset % 2)"]
            _ = try await store.insertMemory(memory, at: memory.createdAt)
            memories.append(memory)
        }
        return (session, memories)
    }

    /// Issue 10, item 6: both stores find the same memory for ordinary technical tokens, which
    /// PostgreSQL's parser used to keep whole (`v2.1-rc` found nothing there).
    @Test(arguments: StoreBackend.available)
    func technicalTokensAreFoundOnEveryStore(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let cases: [(content: String, query: String)] = [
            ("We shipped release v2.1-rc yesterday", "v2.1-rc"),
            ("The request timeout is 500ms now", "500ms"),
            ("The offset came out as -42 again", "-42"),
            ("Please don't retry failed uploads", "don't"),
            ("The bug was in Sources/MemoryCore/Timestamp.swift", "Timestamp.swift"),
            ("Settings live in config.production.yaml", "config.production.yaml"),
            ("Call memoryhub.session.start first", "memoryhub.session.start"),
        ]
        let (_, memories) = try await Self.seed(store, user: user, cases.map { ($0.content, .fact) })
        for (index, item) in cases.enumerated() {
            let matches = try await store.lexicalMatches(terms: SearchText.terms(item.query), filter: SearchFilter(userID: user), limit: 10)
            #expect(matches.first?.id == memories[index].id, "\(backend): '\(item.query)' found \(matches.map(\.id))")
        }
    }

    /// Issue 10, item 6: a word inside an unspaced Chinese, Japanese or Korean run is found.
    @Test(arguments: StoreBackend.available)
    func wordsInsideUnspacedRunsAreFound(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let (_, memories) = try await Self.seed(store, user: user, [
            ("部署失败，原因是证书过期", .error),
            ("東京でデプロイが完了しました", .fact),
            ("배포가실패했습니다", .error),
            ("证书更新好了", .fact),
        ])
        func found(_ query: String) async throws -> [UUID] {
            try await store.lexicalMatches(terms: SearchText.terms(query), filter: SearchFilter(userID: user), limit: 10).map(\.id)
        }
        #expect(try await found("证书过期") == [memories[0].id], "\(backend)")
        #expect(try await found("原因是证书过期") == [memories[0].id], "\(backend)")
        #expect(Set(try await found("证书")) == [memories[0].id, memories[3].id], "\(backend)")
        #expect(try await found("デプロイ") == [memories[1].id], "\(backend)")
        #expect(try await found("실패") == [memories[2].id], "\(backend)")
        #expect(try await found("过证").isEmpty, "\(backend): characters out of order are no phrase")
    }

    @Test(arguments: StoreBackend.available)
    func lexicalMatchesRankAndStemAndStayWithTheUser(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user(), other = Fixture.user()
        let (_, memories) = try await Self.seed(store, user: user, [
            ("Deploying the service needs the staging credentials", .fact),
            ("We deployed to production on Friday and deploys are scripted", .decision),
            ("The cat sleeps on the keyboard", .fact),
        ])
        _ = try await Self.seed(store, user: other, [("Deploying deploys deployed deployment", .fact)])
        let matches = try await store.lexicalMatches(terms: ["deploy"], filter: SearchFilter(userID: user), limit: 10)
        // Stemming: "deploy" finds deploying, deployed and deploys; the other user's memory never shows.
        #expect(Set(matches.map(\.id)) == [memories[0].id, memories[1].id])
        #expect(matches.allSatisfy { $0.score > 0 })
        #expect(matches.first?.id == memories[1].id, "two occurrences outrank one")
        #expect(try await store.lexicalMatches(terms: ["keyboard"], filter: SearchFilter(userID: other), limit: 10).isEmpty)
        #expect(try await store.lexicalMatches(terms: ["deploy"], filter: SearchFilter(userID: user), limit: 1).count == 1)
        #expect(try await store.lexicalMatches(terms: [], filter: SearchFilter(userID: user), limit: 10).isEmpty)
    }

    @Test(arguments: StoreBackend.available)
    func lexicalMatchesApplyEveryFilter(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let (session, memories) = try await Self.seed(store, user: user, [
            ("redis cache eviction", .fact), ("redis cache decision", .decision), ("redis cache error", .error),
        ])
        let (otherSession, otherProject) = try await Self.seed(store, user: user, project: "elsewhere", [("redis cache elsewhere", .fact)])
        _ = try await store.updateMemory(id: memories[2].id, userID: user, change: MemoryChange(importance: 0.9), at: Fixture.time(10))
        func ids(_ configure: (inout SearchFilter) -> Void) async throws -> Set<UUID> {
            var filter = SearchFilter(userID: user)
            configure(&filter)
            return Set(try await store.lexicalMatches(terms: ["redis"], filter: filter, limit: 50).map(\.id))
        }
        #expect(try await ids { _ in }.count == 4)
        #expect(try await ids { $0.projectID = "proj" } == Set(memories.map(\.id)))
        #expect(try await ids { $0.sessionID = otherSession.id } == [otherProject[0].id])
        #expect(try await ids { $0.sessionID = session.id; $0.memoryTypes = [.decision, .error] } == [memories[1].id, memories[2].id])
        #expect(try await ids { $0.minImportance = 0.8 } == [memories[2].id])
        #expect(try await ids { $0.tags = ["t1"] } == [memories[1].id])
        #expect(try await ids { $0.tags = ["t1", "t0"]; $0.projectID = "proj" } == Set(memories.map(\.id)))
        #expect(try await ids { $0.createdAfter = Fixture.time(2) } == [memories[1].id, memories[2].id])
    }

    @Test(arguments: StoreBackend.available)
    func changedContentIsReindexedAndDeletedMemoriesLeaveTheIndex(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let (session, memories) = try await Self.seed(store, user: user, [("alpha bravo", .fact), ("charlie delta", .fact)])
        _ = try await store.updateMemory(id: memories[0].id, userID: user, change: MemoryChange(content: "echo foxtrot"), at: Fixture.time(5))
        #expect(try await store.lexicalMatches(terms: ["alpha"], filter: SearchFilter(userID: user), limit: 5).isEmpty)
        #expect(try await store.lexicalMatches(terms: ["foxtrot"], filter: SearchFilter(userID: user), limit: 5).map(\.id) == [memories[0].id])
        _ = try await store.updateMemory(id: memories[1].id, userID: user, change: MemoryChange(tags: ["golf"]), at: Fixture.time(5))
        #expect(try await store.lexicalMatches(terms: ["golf"], filter: SearchFilter(userID: user), limit: 5).map(\.id) == [memories[1].id])
        _ = try await store.deleteMemory(id: memories[1].id, userID: user, at: Fixture.time(6))
        #expect(try await store.lexicalMatches(terms: ["charlie"], filter: SearchFilter(userID: user), limit: 5).isEmpty)
        _ = try await store.deleteSession(id: session.id, userID: user, at: Fixture.time(7))
        #expect(try await store.lexicalMatches(terms: ["echo"], filter: SearchFilter(userID: user), limit: 5).isEmpty)
    }

    @Test(arguments: StoreBackend.available)
    func theChangeFeedCarriesWritesEmbeddingsAndDeletesInOrder(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        #expect(try await store.changeSequence(userID: user) == 0)
        let (session, memories) = try await Self.seed(store, user: user, [("one", .fact), ("two", .fact), ("three", .fact)])
        let afterInserts = try await store.changeSequence(userID: user)
        #expect(afterInserts == 3)
        var feed = try await store.indexChanges(userID: user, after: -1)
        #expect(feed.map(\.id) == memories.map(\.id))
        #expect(feed.allSatisfy { $0.entry == nil }, "no vectors yet")

        let vector: [Float] = (0..<8).map { Float($0) / 10 }
        let current = try #require(try await store.memory(id: memories[0].id, userID: user))
        #expect(try await store.storeEmbeddings([ComputedEmbedding(id: current.id, version: current.version, vector: vector)]) == 1)
        #expect(try await store.memory(id: memories[0].id, userID: user)?.hasEmbedding == true)
        #expect(try await store.embedding(memoryID: memories[0].id, userID: user) == vector)
        #expect(try await store.embedding(memoryID: memories[0].id, userID: Fixture.user()) == nil)
        // A vector for an older version is not stored.
        _ = try await store.updateMemory(id: memories[1].id, userID: user, change: MemoryChange(content: "two, changed"), at: Fixture.time(9))
        #expect(try await store.storeEmbeddings([ComputedEmbedding(id: memories[1].id, version: 1, vector: vector)]) == 0)

        feed = try await store.indexChanges(userID: user, after: afterInserts)
        #expect(feed.map(\.id) == [memories[0].id, memories[1].id])
        let entry = try #require(feed.first?.entry)
        #expect(entry.vector == vector && entry.sessionID == session.id && entry.memoryType == .fact && entry.tags == ["t0"])
        #expect(entry.createdAt == memories[0].createdAt && entry.projectID == "proj")

        let beforeDelete = try await store.changeSequence(userID: user)
        _ = try await store.deleteMemory(id: memories[2].id, userID: user, at: Fixture.time(10))
        feed = try await store.indexChanges(userID: user, after: beforeDelete)
        #expect(feed.count == 1 && feed[0].id == memories[2].id && feed[0].entry == nil)

        let beforeSessionDelete = try await store.changeSequence(userID: user)
        _ = try await store.deleteSession(id: session.id, userID: user, at: Fixture.time(11))
        feed = try await store.indexChanges(userID: user, after: beforeSessionDelete)
        #expect(Set(feed.map(\.id)) == [memories[0].id, memories[1].id])
        #expect(feed.allSatisfy { $0.entry == nil })
        #expect(try await store.changeSequence(userID: user) > beforeSessionDelete)
        // Reads and accesses do not move the sequence.
        let settled = try await store.changeSequence(userID: user)
        _ = try await store.memory(id: memories[0].id, userID: user)
        #expect(try await store.changeSequence(userID: user) == settled)
    }

    @Test(arguments: StoreBackend.available)
    func embeddingJobsListWhatWaitsAndClearingQueuesASessionAgain(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let (session, memories) = try await Self.seed(store, user: user, [("first text", .fact), ("second text", .fact)])
        var memory = memories[0]
        memory.summary = nil
        let jobs = try await store.embeddingJobs(limit: 100_000).filter { job in memories.contains { $0.id == job.id } }
        #expect(Set(jobs.map(\.id)) == Set(memories.map(\.id)))
        #expect(jobs.first { $0.id == memories[0].id }?.text.hasPrefix("first text") == true)
        #expect(jobs.allSatisfy { $0.userID == user && $0.version == 1 })
        #expect(try await store.embeddingBacklog() >= 2)
        let stored = try await store.storeEmbeddings(jobs.map { ComputedEmbedding(id: $0.id, version: $0.version, vector: [1, 0]) })
        #expect(stored == 2)
        let waiting = try await store.embeddingJobs(limit: 100_000).filter { job in memories.contains { $0.id == job.id } }
        #expect(waiting.isEmpty)

        await #expect(throws: MemoryHubError.self) { try await store.clearEmbeddings(sessionID: session.id, userID: Fixture.user()) }
        #expect(try await store.clearEmbeddings(sessionID: session.id, userID: user) == 2)
        #expect(try await store.memory(id: memories[0].id, userID: user)?.hasEmbedding == false)
        #expect(try await store.embedding(memoryID: memories[0].id, userID: user) == nil)
        let again = try await store.embeddingJobs(limit: 100_000).filter { job in memories.contains { $0.id == job.id } }
        #expect(again.count == 2)
    }

    @Test(arguments: StoreBackend.available)
    func memoryCountsAreTheUsers(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let (_, memories) = try await Self.seed(store, user: user, [("a", .fact), ("b", .decision), ("c", .decision)])
        _ = try await Self.seed(store, user: user, project: "other", [("d", .error)])
        _ = try await Self.seed(store, user: Fixture.user(), [("e", .fact)])
        _ = try await store.recordAccess(memoryID: memories[1].id, userID: user, at: Fixture.time(20))
        let counts = try await store.memoryCounts(userID: user, projectID: nil, since: Fixture.time(2.5), mostAccessed: 5)
        #expect(counts.totalMemories == 4)
        #expect(counts.countsByType == [.fact: 1, .decision: 2, .error: 1])
        #expect(counts.memoriesSince == 1, "only c was created after the cut")
        #expect(counts.totalSessions == 2 && counts.activeSessions == 2)
        #expect(abs(counts.meanImportance - 0.5) < 1e-9)
        #expect(counts.mostAccessed.map(\.id) == [memories[1].id])
        let project = try await store.memoryCounts(userID: user, projectID: "other", since: Fixture.time(-100), mostAccessed: 5)
        #expect(project.totalMemories == 1 && project.totalSessions == 1 && project.memoriesSince == 1)
    }
}
