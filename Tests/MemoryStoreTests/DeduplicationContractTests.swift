import Foundation
import MemoryCore
import MemoryStore
import Testing

/// Write-time de-duplication in the store: one memory per (user, project, content hash), decided
/// by the store even when identical writes race (issue 12).
@Suite struct DeduplicationContractTests {
    @Test(arguments: StoreBackend.available)
    func aSecondWriteWithTheSameHashReturnsTheFirstAndCountsAnAccess(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let session = Fixture.session(user: Fixture.user())
        try await store.insertSession(session)
        let first = Fixture.memory(in: session, content: "We deploy with make run")
        guard case .inserted(let counted) = try await store.insertMemory(first, contentHash: "h1", at: Fixture.time(2)) else {
            Issue.record("the first write must insert")
            return
        }
        #expect(counted.memoryCount == 1)
        let again = Fixture.memory(in: session, content: "we deploy with  make run", created: Fixture.time(3))
        guard case .duplicate(let existing) = try await store.insertMemory(again, contentHash: "h1", at: Fixture.time(4)) else {
            Issue.record("the second write must find the first")
            return
        }
        #expect(existing.id == first.id)
        #expect(existing.content == "We deploy with make run")
        #expect(existing.accessCount == first.accessCount + 1)
        #expect(existing.lastAccessed == Fixture.time(4))
        #expect(try await store.session(id: session.id, userID: session.userID)?.memoryCount == 1)
        #expect(try await store.memory(id: again.id, userID: session.userID) == nil)
    }

    @Test(arguments: StoreBackend.available)
    func otherUsersOtherProjectsAndUnhashedWritesAreNeverMatched(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let sessions = [
            Fixture.session(user: user, project: "a"), Fixture.session(user: user, project: "b"),
            Fixture.session(user: user, project: nil), Fixture.session(user: Fixture.user(), project: "a"),
        ]
        for session in sessions {
            try await store.insertSession(session)
            guard case .inserted = try await store.insertMemory(Fixture.memory(in: session), contentHash: "same", at: Fixture.time(2)) else {
                Issue.record("\(session.projectID ?? "no project") of \(session.userID) must get its own memory")
                return
            }
        }
        // No project matches no project.
        guard case .duplicate = try await store.insertMemory(Fixture.memory(in: sessions[2]), contentHash: "same", at: Fixture.time(3)) else {
            Issue.record("a write without a project must match the user's memory without a project")
            return
        }
        // Without a hash nothing is de-duplicated.
        _ = try await store.insertMemory(Fixture.memory(in: sessions[0]), at: Fixture.time(4))
        #expect(try await store.session(id: sessions[0].id, userID: user)?.memoryCount == 2)
    }

    /// Eight identical writes at once produce one memory; every caller gets its id.
    @Test(arguments: StoreBackend.available)
    func concurrentIdenticalWritesProduceOneMemory(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let session = Fixture.session(user: Fixture.user())
        try await store.insertSession(session)
        let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let memory = Fixture.memory(in: session, content: "Concurrent fact", created: Fixture.time(Double(index) / 1000 + 1))
                    switch try await store.insertMemory(memory, contentHash: "concurrent", at: Fixture.time(2)) {
                    case .inserted: return memory.id
                    case .duplicate(let existing): return existing.id
                    }
                }
            }
            return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        let stored = try await store.memories(matching: MemoryFilter(userID: session.userID, sessionID: session.id), limit: 50, offset: 0)
        #expect(stored.total == 1)
        #expect(stored.items.first?.accessCount == 7)
        #expect(try await store.session(id: session.id, userID: session.userID)?.memoryCount == 1)
    }

    /// An edit that makes two memories equal keeps both (an explicit edit is honoured); a later
    /// write of that content matches one of them, never fails.
    @Test(arguments: StoreBackend.available)
    func anEditToAnotherMemorysContentIsKept(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let session = Fixture.session(user: Fixture.user())
        try await store.insertSession(session)
        let first = Fixture.memory(in: session, content: "first")
        let second = Fixture.memory(in: session, content: "second", created: Fixture.time(2))
        _ = try await store.insertMemory(first, contentHash: "h-first", at: Fixture.time(2))
        _ = try await store.insertMemory(second, contentHash: "h-second", at: Fixture.time(3))
        var change = MemoryChange(content: "first")
        change.contentHash = "h-first"
        let edited = try #require(try await store.updateMemory(id: second.id, userID: session.userID, change: change, at: Fixture.time(4)))
        #expect(edited.content == "first")
        guard case .duplicate(let existing) = try await store.insertMemory(
            Fixture.memory(in: session, content: "first", created: Fixture.time(5)), contentHash: "h-first", at: Fixture.time(6))
        else {
            Issue.record("the hash still finds the first memory")
            return
        }
        #expect(existing.id == first.id)
        // The second memory's old hash is free again: "second" can be stored anew.
        guard case .inserted = try await store.insertMemory(
            Fixture.memory(in: session, content: "second", created: Fixture.time(7)), contentHash: "h-second", at: Fixture.time(8))
        else {
            Issue.record("an edited memory gives up its old content's hash")
            return
        }
    }

    /// A content change without a hash (de-duplication off) forgets the old hash: the old text
    /// written again is a new memory, never the changed one.
    @Test(arguments: StoreBackend.available)
    func aContentChangeWithoutAHashForgetsTheOldOne(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let session = Fixture.session(user: Fixture.user())
        try await store.insertSession(session)
        let first = Fixture.memory(in: session, content: "old text")
        _ = try await store.insertMemory(first, contentHash: "h-old", at: Fixture.time(2))
        _ = try await store.updateMemory(id: first.id, userID: session.userID, change: MemoryChange(content: "new text"), at: Fixture.time(3))
        guard case .inserted = try await store.insertMemory(
            Fixture.memory(in: session, content: "old text", created: Fixture.time(4)), contentHash: "h-old", at: Fixture.time(5))
        else {
            Issue.record("the changed memory must not answer for its old text")
            return
        }
    }
}
