import Foundation
import GRDB
import Logging
import MemoryCore
import MemoryStore
import Testing

/// What only the embedded store does: sharing one file between processes.
@Suite struct SQLiteStoreTests {
    /// A store on `path` (a new file by default), migrated.
    static func migratedStore(at path: String = TemporaryFolder.make().path + "/db.sqlite") async throws -> SQLiteMemoryStore {
        let store = try SQLiteMemoryStore(configuration: .init(path: path), logger: Logger(label: "test"))
        try await store.migrate()
        return store
    }

    @Test func twoProcessesMigratingOneNewFileAtOnceBothSucceed() async throws {
        let path = TemporaryFolder.make().path + "/shared.sqlite"
        let stores = try (0..<4).map { _ in try SQLiteMemoryStore(configuration: .init(path: path), logger: Logger(label: "test")) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.migrate() } }
            try await group.waitForAll()
        }
        let session = Fixture.session(user: Fixture.user())
        try await stores[0].insertSession(session)
        #expect(try await stores[3].session(id: session.id, userID: nil) == session)
    }

    @Test func changeGenerationMovesWhenAnotherConnectionCommits() async throws {
        let path = TemporaryFolder.make().path + "/shared.sqlite"
        let watcher = try SQLiteMemoryStore(configuration: .init(path: path), logger: Logger(label: "test"))
        let writer = try SQLiteMemoryStore(configuration: .init(path: path), logger: Logger(label: "test"))
        try await watcher.migrate()
        let before = try await watcher.changeGeneration()
        #expect(try await watcher.changeGeneration() == before)
        try await writer.insertSession(Fixture.session(user: Fixture.user()))
        #expect(try await watcher.changeGeneration() != before)
    }

    @Test func anUnopenableFileIsReportedAsUnavailable() async throws {
        let blocker = TemporaryFolder.make().appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        #expect(throws: MemoryHubError.self) {
            _ = try SQLiteMemoryStore(configuration: .init(path: blocker.path + "/db.sqlite"), logger: Logger(label: "test"))
        }
    }

    /// A word most memories hold carries no BM25 weight (FTS5 clamps its inverse document
    /// frequency to 1e-6): with enough matches for the other words, it is left out of the query,
    /// so the memories only it matches are not scored; with few, every match stays.
    @Test func aWordMostMemoriesHoldIsLeftOutOnlyWhenTheOtherWordsMatchEnough() async throws {
        let store = try await Self.migratedStore()
        let user = Fixture.user()
        // 600 memories hold "alpha"; 250 of them "beta" too (under half), one of those three times.
        let (_, memories) = try await SearchIndexContractTests.seed(store, user: user, (0..<600).map { index in
            let beta = index == 3 ? " beta beta beta" : index % 12 < 5 ? " beta" : ""
            return ("alpha note number \(index)\(beta)", .fact)
        })
        let betas = Set(memories.filter { $0.content.contains("beta") }.map(\.id))
        #expect(betas.count == 250)
        let both = try await store.lexicalMatches(terms: ["alpha", "beta"], filter: SearchFilter(userID: user), limit: 10_000)
        #expect(Set(both.map(\.id)) == betas, "the 350 memories only 'alpha' matches are not scored")
        #expect(both.first?.id == memories[3].id)
        #expect(both.map(\.score) == both.map(\.score).sorted(by: >))
        // Alone, the common word is the query.
        #expect(try await store.lexicalMatches(terms: ["alpha"], filter: SearchFilter(userID: user), limit: 10_000).count == 600)
        // Asked for fewer than 200, as many as asked for stand for the query: the best of them.
        let ten = try await store.lexicalMatches(terms: ["alpha", "beta"], filter: SearchFilter(userID: user), limit: 10)
        #expect(ten.count == 10 && ten.first?.id == memories[3].id && Set(ten.map(\.id)).isSubset(of: betas))
        // A small user in the same database keeps every match (five memories never reach the floor).
        let small = Fixture.user()
        _ = try await SearchIndexContractTests.seed(store, user: small, (0..<5).map { ("alpha small note \($0)\($0 == 0 ? " beta" : "")", .fact) })
        #expect(try await store.lexicalMatches(terms: ["alpha", "beta"], filter: SearchFilter(userID: small), limit: 10_000).count == 5)

        // Few memories: "beta" matches 2 of 10, under the 200 that would stand for the query, so
        // every memory "alpha" matches stays (each would gain a lexical rank in fused search).
        let fresh = try await Self.migratedStore()
        let (_, few) = try await SearchIndexContractTests.seed(fresh, user: user, (0..<10).map { index in
            ("alpha note number \(index)\(index < 2 ? " beta" : "")", .fact)
        })
        let all = try await fresh.lexicalMatches(terms: ["alpha", "beta"], filter: SearchFilter(userID: user), limit: 10_000)
        #expect(all.count == 10)
        #expect(Set(all.prefix(2).map(\.id)) == [few[0].id, few[1].id])
    }

    /// Ids are read straight from SQLite's text (StoredID): one that is not an id is a clear
    /// error of the search, never a crash.
    @Test func aCorruptIdInTheStoreIsAnErrorNotACrash() async throws {
        let path = TemporaryFolder.make().path + "/db.sqlite"
        let store = try await Self.migratedStore(at: path)
        let user = Fixture.user()
        let (_, memories) = try await SearchIndexContractTests.seed(store, user: user, [("the zebra crossing", .fact)])
        #expect(try await store.lexicalMatches(terms: ["zebra"], filter: SearchFilter(userID: user), limit: 10).map(\.id) == [memories[0].id])
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE memories SET id = 'not-an-id' WHERE id = ?", arguments: [memories[0].id.lowercased])
        }
        let error = await #expect(throws: MemoryHubError.self) {
            try await store.lexicalMatches(terms: ["zebra"], filter: SearchFilter(userID: user), limit: 10)
        }
        #expect(error?.code == .internalError)
        #expect(error.map { String(reflecting: $0) }?.contains("not-an-id") == true, "the log names the bad id")
    }

    /// Lexical search reads each match's ranking fields from memories_rank_fields, kept by
    /// triggers: after edits, supersession, un-supersession by a delete, a delete and a session's
    /// deletion, every match carries its memory's current importance and supersession, and the
    /// table equals its memories.
    @Test func theRankFieldsFollowEveryWrite() async throws {
        let path = TemporaryFolder.make().path + "/db.sqlite"
        let store = try await Self.migratedStore(at: path)
        let user = Fixture.user()
        let (_, memories) = try await SearchIndexContractTests.seed(store, user: user, (0..<6).map { ("the heron note \($0)", .fact) })
        // A second session's memories go with their session.
        let (gone, _) = try await SearchIndexContractTests.seed(store, user: user, (0..<3).map { ("a heron in the gone session \($0)", .fact) })
        let now = Fixture.time(100)
        var important = MemoryChange()
        important.importance = 0.95
        _ = try await store.updateMemory(id: memories[0].id, userID: user, change: important, at: now)
        var replaced = MemoryChange()
        replaced.supersededBy = .some(memories[2].id)
        _ = try await store.updateMemory(id: memories[1].id, userID: user, change: replaced, at: now)
        _ = try await store.updateMemory(id: memories[3].id, userID: user, change: replaced, at: now)
        // Deleting memories[2] makes what it superseded current again.
        _ = try await store.deleteMemory(id: memories[2].id, userID: user, at: now)
        var superseded = MemoryChange()
        superseded.supersededBy = .some(memories[5].id)
        _ = try await store.updateMemory(id: memories[4].id, userID: user, change: superseded, at: now)

        _ = try await store.deleteSession(id: gone.id, userID: user, at: now)
        let matches = try await store.lexicalMatches(terms: ["heron"], filter: SearchFilter(userID: user), limit: 100)
        #expect(Set(matches.map(\.id)) == Set(memories.map(\.id)).subtracting([memories[2].id]))
        for match in matches {
            let memory = try #require(try await store.memory(id: match.id, userID: user))
            #expect(match.importance == memory.importance)
            #expect(match.isSuperseded == (memory.supersededBy != nil), "\(memory.content)")
        }
        #expect(matches.first { $0.id == memories[0].id }?.importance == 0.95)
        #expect(matches.first { $0.id == memories[4].id }?.isSuperseded == true)
        #expect(matches.first { $0.id == memories[1].id }?.isSuperseded == false)

        let projection = """
            SELECT rowid, id, user_id, project_id, session_id, memory_type, importance, created_at,
                superseded_by IS NOT NULL FROM memories
            """
        let fields = "SELECT rowid, id, user_id, project_id, session_id, memory_type, importance, created_at, superseded FROM memories_rank_fields"
        let counts = try await DatabaseQueue(path: path).read { db -> [Int] in
            try ["memories_rank_fields", "(\(projection) EXCEPT \(fields))", "(\(fields) EXCEPT \(projection))"].map { table in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1
            }
        }
        #expect(counts == [5, 0, 0], "five rows, each equal to its memory's fields")
    }

    /// Lexical search ranks with BM25's b at 0.9, not FTS5's 0.75: a short memory naming the word
    /// once (10 words) ranks above a long one naming it twice (23 words). With b 0.75 the long one
    /// would rank first (scores 1.045 against 1.085; with 0.9, 1.055 against 1.041).
    @Test func lexicalSearchNormalisesLengthWithB09() async throws {
        let store = try await Self.migratedStore()
        let user = Fixture.user()
        let filler = (0..<8).map { index in ((0..<10).map { "f\(index)w\($0)" }.joined(separator: " "), MemoryType.fact) }
        let short = ("kiwi " + (1..<10).map { "s\($0)" }.joined(separator: " "), MemoryType.fact)
        let long = ("kiwi kiwi " + (2..<23).map { "l\($0)" }.joined(separator: " "), MemoryType.fact)
        let (_, memories) = try await SearchIndexContractTests.seed(store, user: user, filler + [short, long])
        let matches = try await store.lexicalMatches(terms: ["kiwi"], filter: SearchFilter(userID: user), limit: 10)
        #expect(matches.map(\.id) == [memories[8].id, memories[9].id])
    }

    /// Migration v12 fills memories_rank_fields from the memories already there.
    @Test func theRankFieldsMigrationCopiesExistingMemories() async throws {
        let path = TemporaryFolder.make().path + "/db.sqlite"
        let store = try await Self.migratedStore(at: path)
        let user = Fixture.user()
        let (_, memories) = try await SearchIndexContractTests.seed(store, user: user, (0..<5).map { ("an older otter note \($0)", .fact) })
        // As if the database had been written before v12.
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                DROP TRIGGER memories_rank_fields_insert;
                DROP TRIGGER memories_rank_fields_update;
                DROP TRIGGER memories_rank_fields_delete;
                DROP TABLE memories_rank_fields;
                DELETE FROM grdb_migrations WHERE identifier = 'v12-rank-fields';
                """)
        }
        let reopened = try await Self.migratedStore(at: path)
        let matches = try await reopened.lexicalMatches(terms: ["otter"], filter: SearchFilter(userID: user), limit: 10)
        #expect(Set(matches.map(\.id)) == Set(memories.map(\.id)))
        let copied = try await DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM memories_rank_fields r JOIN memories m ON m.rowid = r.rowid AND m.id = r.id") ?? 0
        }
        #expect(copied == 5)
    }
}
