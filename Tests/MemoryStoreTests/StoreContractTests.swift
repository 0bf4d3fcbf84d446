import Foundation
import MemoryCore
import MemoryStore
import Testing

/// The persistence contract: every store passes every test here.
@Suite struct StoreContractTests {
    @Test(arguments: StoreBackend.available)
    func sessionRoundTripsEveryField(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        var session = Fixture.session(user: user)
        session.clientSessionID = "client-1"
        session.summary = "café ☕️ \"quoted\""
        session.endReason = nil
        session.metadata["unicode"] = "日本語"
        session.metadata["whole"] = .double(3.0)
        try await store.insertSession(session)
        let loaded = try #require(try await store.session(id: session.id, userID: user))
        #expect(loaded == session)
        #expect(try await store.session(id: session.id, userID: nil) == session)
        #expect(try await store.session(clientSessionID: "client-1", userID: user) == session)
        #expect(try await store.sessionVersion(id: session.id) == 1)
    }

    @Test(arguments: StoreBackend.available)
    func sessionsAreInvisibleToOtherUsers(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let owner = Fixture.user(), other = Fixture.user()
        let session = Fixture.session(user: owner)
        try await store.insertSession(session)
        #expect(try await store.session(id: session.id, userID: other) == nil)
        guard case .notFound = try await store.updateSession(id: session.id, userID: other, change: SessionChange(addTags: ["x"]), at: Fixture.time(5)) else {
            Issue.record("another user's update must not find the session")
            return
        }
        #expect(try await store.deleteSession(id: session.id, userID: other, at: Fixture.time(5)) == nil)
        #expect(try await store.session(id: session.id, userID: owner)?.tags == session.tags)
        #expect(try await store.sessions(matching: SessionFilter(userID: other), limit: 10, offset: 0).total == 0)
    }

    @Test(arguments: StoreBackend.available)
    func apiKeysRoundTripListByUserAndStayRevoked(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user(), other = Fixture.user()
        let digest = (0..<32).map { UInt8($0 * 7 % 256) }
        let first = APIKey(id: .v7(at: Fixture.time(0)), userID: user, name: "laptop", isAdmin: false, secretHash: digest, createdAt: Fixture.time(0))
        let second = APIKey(id: .v7(at: Fixture.time(1)), userID: user, name: nil, isAdmin: true, secretHash: digest.reversed(), createdAt: Fixture.time(1))
        let others = APIKey(id: .v7(at: Fixture.time(2)), userID: other, name: "ci", isAdmin: false, secretHash: digest, createdAt: Fixture.time(2))
        for key in [first, second, others] { try await store.insertAPIKey(key) }
        #expect(try await store.apiKey(id: first.id) == first)
        #expect(try await store.apiKey(id: UUID()) == nil)
        #expect(try await store.apiKeys(userID: user) == [second, first])
        #expect(try await store.apiKeys(userID: nil).filter { [user, other].contains($0.userID) }.map(\.id) == [others.id, second.id, first.id])

        try await store.recordAPIKeyUse(id: first.id, at: Fixture.time(5))
        #expect(try await store.apiKey(id: first.id)?.lastUsedAt == Fixture.time(5))
        let revoked = try #require(try await store.revokeAPIKey(id: first.id, at: Fixture.time(6)))
        #expect(revoked.revokedAt == Fixture.time(6))
        // A second revocation keeps the first time.
        #expect(try await store.revokeAPIKey(id: first.id, at: Fixture.time(9))?.revokedAt == Fixture.time(6))
        #expect(try await store.revokeAPIKey(id: UUID(), at: Fixture.time(9)) == nil)
        #expect(try await store.apiKey(id: second.id)?.revokedAt == nil)
    }

    /// SQLite binds text as C strings and would cut `alice\u{0}x` to `alice`; PostgreSQL cannot
    /// keep U+0000 at all. Every store refuses it on every call, naming the field, before it
    /// reads or writes anything (issue 10, item 1).
    @Test(arguments: StoreBackend.available)
    func textWithNULIsRefusedOnEveryCallNamingTheField(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        func rejects(_ field: String, _ operation: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
            let error = await #expect(throws: MemoryHubError.self, sourceLocation: sourceLocation) { try await operation() }
            #expect(error?.kind == .invalidField, sourceLocation: sourceLocation)
            #expect(error?.field == field, sourceLocation: sourceLocation)
        }

        // Writes: nothing of a refused value is stored.
        var userWithNUL = Fixture.session(user: user + "\u{0}x")
        userWithNUL.clientSessionID = "c"
        await rejects("user_id") { try await store.insertSession(userWithNUL) }
        var summaryWithNUL = Fixture.session(user: user)
        summaryWithNUL.summary = "before\u{0}after"
        await rejects("summary") { try await store.insertSession(summaryWithNUL) }
        var metadataWithNUL = Fixture.session(user: user)
        metadataWithNUL.metadata["nested"] = ["deep": ["ok", "bad\u{0}"]]
        await rejects("metadata") { try await store.insertSession(metadataWithNUL) }
        var keyWithNUL = Fixture.session(user: user)
        keyWithNUL.metadata["k\u{0}"] = 1
        await rejects("metadata") { try await store.insertSession(keyWithNUL) }
        for refused in [userWithNUL, summaryWithNUL, metadataWithNUL, keyWithNUL] {
            #expect(try await store.session(id: refused.id, userID: nil) == nil)
        }

        let session = Fixture.session(user: user)
        try await store.insertSession(session)
        await rejects("tags") { _ = try await store.updateSession(id: session.id, userID: user, change: SessionChange(addTags: ["a\u{0}"]), at: Fixture.time(1)) }
        await rejects("summary") { _ = try await store.updateSession(id: session.id, userID: user, change: SessionChange(summary: "s\u{0}"), at: Fixture.time(1)) }
        var memory = Fixture.memory(in: session)
        memory.content = "before\u{0}after"
        await rejects("content") { _ = try await store.insertMemory(memory, at: Fixture.time(2)) }
        #expect(try await store.session(id: session.id, userID: user) == session)
        #expect(try await store.memory(id: memory.id, userID: nil) == nil)

        let stored = Fixture.memory(in: session)
        _ = try await store.insertMemory(stored, at: Fixture.time(3))
        await rejects("entities") {
            _ = try await store.updateMemory(id: stored.id, userID: user, change: MemoryChange(entities: ["x\u{0}"]), at: Fixture.time(4))
        }
        await rejects("content") {
            _ = try await store.updateMemory(id: stored.id, userID: user, change: MemoryChange(content: "x\u{0}y"), at: Fixture.time(4))
        }
        #expect(try await store.memory(id: stored.id, userID: user) == stored)

        // Reads: a user id that only starts like the owner's reads nothing of the owner's.
        let impostor = user + "\u{0}x"
        await rejects("user_id") { _ = try await store.session(id: session.id, userID: impostor) }
        await rejects("user_id") { _ = try await store.sessions(matching: SessionFilter(userID: impostor), limit: 10, offset: 0) }
        await rejects("client_session_id") { _ = try await store.session(clientSessionID: "c\u{0}", userID: user) }
        await rejects("user_id") { _ = try await store.memory(id: stored.id, userID: impostor) }
        await rejects("user_id") { _ = try await store.memories(matching: MemoryFilter(userID: impostor), limit: 10, offset: 0) }
        await rejects("project_id") { _ = try await store.memories(matching: MemoryFilter(userID: user, projectID: "proj\u{0}x"), limit: 10, offset: 0) }
        await rejects("user_id") { _ = try await store.memories(ids: [stored.id], userID: impostor) }
        await rejects("user_id") { _ = try await store.lexicalMatches(terms: ["grdb"], filter: SearchFilter(userID: impostor), limit: 10) }
        await rejects("user_id") { _ = try await store.memoryCounts(userID: impostor, projectID: nil, since: Fixture.time(), mostAccessed: 5) }
        await rejects("user_id") { _ = try await store.deleteMemory(id: stored.id, userID: impostor, at: Fixture.time(5)) }
        await rejects("user_id") { _ = try await store.deleteSession(id: session.id, userID: impostor, at: Fixture.time(5)) }
        #expect(try await store.memory(id: stored.id, userID: user) == stored)
    }

    @Test(arguments: StoreBackend.available)
    func clientSessionIDIsUniquePerUser(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        var first = Fixture.session(user: user)
        first.clientSessionID = "same"
        try await store.insertSession(first)
        var second = Fixture.session(user: user)
        second.clientSessionID = "same"
        await #expect(throws: MemoryHubError.self) { try await store.insertSession(second) }
        var otherUsers = Fixture.session(user: Fixture.user())
        otherUsers.clientSessionID = "same"
        try await store.insertSession(otherUsers)
    }

    @Test(arguments: StoreBackend.available)
    func latestActiveSessionMatchesUserProjectStateAndWindow(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let old = Fixture.session(user: user, started: Fixture.time(0))
        let recent = Fixture.session(user: user, started: Fixture.time(100))
        let ended = Fixture.session(user: user, started: Fixture.time(200), state: .ended)
        let otherProject = Fixture.session(user: user, project: "other", started: Fixture.time(300))
        let noProject = Fixture.session(user: user, project: nil, started: Fixture.time(400))
        let otherUser = Fixture.session(user: Fixture.user(), started: Fixture.time(500))
        for session in [old, recent, ended, otherProject, noProject, otherUser] { try await store.insertSession(session) }
        #expect(try await store.latestActiveSession(userID: user, projectID: "proj", updatedSince: Fixture.time(-1))?.id == recent.id)
        #expect(try await store.latestActiveSession(userID: user, projectID: nil, updatedSince: Fixture.time(-1))?.id == noProject.id)
        #expect(try await store.latestActiveSession(userID: user, projectID: "proj", updatedSince: Fixture.time(101)) == nil)
        #expect(try await store.latestActiveSession(userID: user, projectID: "missing", updatedSince: Fixture.time(-1)) == nil)
    }

    @Test(arguments: StoreBackend.available)
    func updateMergesMetadataAddsTagsAndBumpsVersion(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let session = Fixture.session(user: user)
        try await store.insertSession(session)
        let change = SessionChange(metadataPatch: ["source": nil, "added": ["deep": true], "nested": "replaced"], addTags: ["alpha", "beta"])
        guard case .updated(let updated) = try await store.updateSession(id: session.id, userID: user, change: change, at: Fixture.time(60)) else {
            Issue.record("update failed")
            return
        }
        #expect(updated.metadata == ["added": ["deep": true], "nested": "replaced"])
        #expect(updated.tags == ["zeta", "alpha", "beta"])
        #expect(updated.version == 2)
        #expect(updated.updatedAt == Fixture.time(60))
        #expect(try await store.session(id: session.id, userID: user) == updated)
        #expect(try await store.sessionVersion(id: session.id) == 2)
    }

    @Test(arguments: StoreBackend.available)
    func stateChangesHonourRequiredStates(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let session = Fixture.session(user: user)
        try await store.insertSession(session)
        let end = SessionChange(state: .ended, requiredStates: [.active, .paused], endedAt: Fixture.time(30), endReason: "normal", summary: "done")
        guard case .updated(let ended) = try await store.updateSession(id: session.id, userID: user, change: end, at: Fixture.time(30)) else {
            Issue.record("end failed")
            return
        }
        #expect(ended.state == .ended && ended.endedAt == Fixture.time(30) && ended.endReason == "normal" && ended.summary == "done")
        guard case .stateMismatch(let unchanged) = try await store.updateSession(id: session.id, userID: user, change: end, at: Fixture.time(40)) else {
            Issue.record("a second end must report the state mismatch")
            return
        }
        #expect(unchanged == ended)
    }

    @Test(arguments: StoreBackend.available)
    func concurrentMergesAndTagAddsLoseNothing(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let session = Fixture.session(user: user)
        try await store.insertSession(session)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    let metadata = try await store.updateSession(
                        id: session.id, userID: user, change: SessionChange(metadataPatch: ["key\(worker)": .int(Int64(worker))]), at: Fixture.time(Double(worker)))
                    let tags = try await store.updateSession(
                        id: session.id, userID: user, change: SessionChange(addTags: ["tag\(worker)"]), at: Fixture.time(Double(worker)))
                    for result in [metadata, tags] {
                        guard case .updated = result else { throw MemoryHubError.internal("update lost") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let final = try #require(try await store.session(id: session.id, userID: user))
        for worker in 0..<8 {
            #expect(final.metadata["key\(worker)"] == .int(Int64(worker)))
            #expect(final.tags.contains("tag\(worker)"))
        }
        #expect(final.metadata["source"] == "test")
        #expect(final.tags.count == 2 + 8)
        #expect(final.version == 1 + 16)
    }

    @Test(arguments: StoreBackend.available)
    func listingPagesNewestFirstWithTotals(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        var sessions: [Session] = []
        for index in 0..<7 {
            let session = Fixture.session(user: user, project: index.isMultiple(of: 2) ? "even" : "odd", started: Fixture.time(Double(index) * 10))
            try await store.insertSession(session)
            sessions.append(session)
        }
        _ = try await store.updateSession(id: sessions[6].id, userID: user, change: SessionChange(state: .paused), at: Fixture.time(100))
        let firstPage = try await store.sessions(matching: SessionFilter(userID: user), limit: 3, offset: 0)
        #expect(firstPage.total == 7)
        #expect(firstPage.items.map(\.id) == [sessions[6].id, sessions[5].id, sessions[4].id])
        let lastPage = try await store.sessions(matching: SessionFilter(userID: user), limit: 3, offset: 6)
        #expect(lastPage.items.map(\.id) == [sessions[0].id])
        let even = try await store.sessions(matching: SessionFilter(userID: user, projectID: "even"), limit: 10, offset: 0)
        #expect(even.total == 4)
        let active = try await store.sessions(matching: SessionFilter(userID: user, states: [.active]), limit: 10, offset: 0)
        #expect(active.total == 6 && !active.items.contains { $0.id == sessions[6].id })
    }

    @Test(arguments: StoreBackend.available)
    func deletingASessionTakesItsMemoriesAndUnlinksChildren(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let parent = Fixture.session(user: user)
        var child = Fixture.session(user: user, started: Fixture.time(10))
        child.parentSessionID = parent.id
        try await store.insertSession(parent)
        try await store.insertSession(child)
        #expect(try await store.childSessions(of: parent.id, userID: user).map(\.id) == [child.id])
        let memory = Fixture.memory(in: parent)
        _ = try await store.insertMemory(memory, at: Fixture.time(2))
        let unlinked = try #require(try await store.deleteSession(id: parent.id, userID: user, at: Fixture.time(20)))
        #expect(unlinked.map(\.id) == [child.id])
        #expect(unlinked.first?.parentSessionID == nil && unlinked.first?.version == 2)
        #expect(try await store.session(id: parent.id, userID: user) == nil)
        #expect(try await store.memory(id: memory.id, userID: user) == nil)
        #expect(try await store.session(id: child.id, userID: user)?.parentSessionID == nil)
        #expect(try await store.sessionVersion(id: parent.id) == nil)
    }

    @Test(arguments: StoreBackend.available)
    func cleanupCandidatesAreIdleActiveAndLongEndedSessions(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let idle = Fixture.session(user: user, started: Fixture.time(-100_000))
        let busy = Fixture.session(user: user, started: Fixture.time(0))
        try await store.insertSession(idle)
        try await store.insertSession(busy)
        let candidates = try await store.cleanupCandidates(state: .active, before: Fixture.time(-50_000), limit: 1000)
        #expect(candidates.contains { $0.id == idle.id })
        #expect(!candidates.contains { $0.id == busy.id })
        _ = try await store.updateSession(
            id: busy.id, userID: user, change: SessionChange(state: .ended, endedAt: Fixture.time(-60_000)), at: Fixture.time(1))
        let ended = try await store.cleanupCandidates(state: .ended, before: Fixture.time(-50_000), limit: 1000)
        #expect(ended.contains { $0.id == busy.id })
    }

    @Test(arguments: StoreBackend.available)
    func memoryRoundTripsAndIsCountedInItsSession(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let session = Fixture.session(user: user)
        try await store.insertSession(session)
        var memory = Fixture.memory(in: session, type: .decision, importance: 0.9)
        let first = Fixture.memory(in: session)
        _ = try await store.insertMemory(first, at: Fixture.time(1))
        memory.relatedMemories = [first.id]
        let counted = try await store.insertMemory(memory, at: Fixture.time(2))
        #expect(counted.memoryCount == 2 && counted.version == 3 && counted.updatedAt == Fixture.time(2))
        #expect(try await store.session(id: session.id, userID: user) == counted)
        #expect(try await store.memory(id: memory.id, userID: user) == memory)
        #expect(try await store.memory(id: memory.id, userID: Fixture.user()) == nil)
        #expect(try await store.existingMemoryIDs([first.id, UUID()], userID: user) == [first.id])
        #expect(try await store.existingMemoryIDs([first.id], userID: Fixture.user()) == [])
    }

    @Test(arguments: StoreBackend.available)
    func memoryNeedsItsOwnersSession(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let session = Fixture.session(user: Fixture.user())
        try await store.insertSession(session)
        var foreign = Fixture.memory(in: session)
        foreign.userID = Fixture.user()
        await #expect(throws: MemoryHubError.sessionNotFound(session.id.lowercased)) { _ = try await store.insertMemory(foreign, at: Fixture.time()) }
        let orphan = Fixture.memory(in: Fixture.session(user: session.userID))
        await #expect(throws: MemoryHubError.self) { _ = try await store.insertMemory(orphan, at: Fixture.time()) }
        #expect(try await store.session(id: session.id, userID: nil)?.memoryCount == 0)
    }

    @Test(arguments: StoreBackend.available)
    func accessUpdateAndDeleteOfMemories(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let session = Fixture.session(user: user)
        try await store.insertSession(session)
        var memory = Fixture.memory(in: session)
        memory.hasEmbedding = true
        _ = try await store.insertMemory(memory, at: Fixture.time(1))

        let accessed = try #require(try await store.recordAccess(memoryID: memory.id, userID: user, at: Fixture.time(10)))
        #expect(accessed.accessCount == 1 && accessed.lastAccessed == Fixture.time(10))
        #expect(try await store.recordAccess(memoryID: memory.id, userID: Fixture.user(), at: Fixture.time(11)) == nil)

        let unchangedContent = try #require(try await store.updateMemory(
            id: memory.id, userID: user, change: MemoryChange(importance: 0.95, tags: memory.tags, metadataPatch: ["line": nil, "extra": 1]), at: Fixture.time(20)))
        #expect(unchangedContent.importance == 0.95 && unchangedContent.hasEmbedding, "the embedded text did not change")
        #expect(unchangedContent.metadata == ["ratio": 0.25, "extra": 1])
        #expect(unchangedContent.version == 2 && unchangedContent.entities == memory.entities)
        let newTags = try #require(try await store.updateMemory(
            id: memory.id, userID: user, change: MemoryChange(tags: ["new"]), at: Fixture.time(25)))
        #expect(newTags.tags == ["new"] && !newTags.hasEmbedding, "tags are embedded text: the memory is embedded again")
        #expect(newTags.version == 3)
        let newContent = try #require(try await store.updateMemory(
            id: memory.id, userID: user, change: MemoryChange(content: "changed", summary: .some(nil)), at: Fixture.time(30)))
        #expect(newContent.content == "changed" && newContent.summary == nil && !newContent.hasEmbedding)
        #expect(newContent.version == 4)
        #expect(try await store.memory(id: memory.id, userID: user) == newContent)
        #expect(try await store.updateMemory(id: memory.id, userID: Fixture.user(), change: MemoryChange(content: "x"), at: Fixture.time(31)) == nil)

        #expect(try await store.deleteMemory(id: memory.id, userID: Fixture.user(), at: Fixture.time(40)) == nil)
        let afterDelete = try #require(try await store.deleteMemory(id: memory.id, userID: user, at: Fixture.time(40)))
        #expect(afterDelete.memoryCount == 0)
        #expect(try await store.memory(id: memory.id, userID: user) == nil)
        #expect(try await store.deleteMemory(id: memory.id, userID: user, at: Fixture.time(41)) == nil)
    }

    @Test(arguments: StoreBackend.available)
    func memoryListingFiltersPagesAndCounts(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        let session = Fixture.session(user: user)
        let otherSession = Fixture.session(user: user, project: "elsewhere")
        try await store.insertSession(session)
        try await store.insertSession(otherSession)
        var memories: [Memory] = []
        for index in 0..<10 {
            let memory = Fixture.memory(
                in: session, type: index < 4 ? .decision : .fact, importance: Double(index) / 10, content: "memory \(index)",
                created: Fixture.time(Double(index)))
            _ = try await store.insertMemory(memory, at: memory.createdAt)
            memories.append(memory)
        }
        _ = try await store.insertMemory(Fixture.memory(in: otherSession), at: Fixture.time(50))
        let page = try await store.memories(matching: MemoryFilter(userID: user, sessionID: session.id), limit: 4, offset: 2)
        #expect(page.total == 10)
        #expect(page.items.map(\.content) == ["memory 7", "memory 6", "memory 5", "memory 4"])
        let decisions = try await store.memories(matching: MemoryFilter(userID: user, sessionID: session.id, memoryType: .decision), limit: 50, offset: 0)
        #expect(decisions.total == 4 && decisions.items.allSatisfy { $0.memoryType == .decision })
        let important = try await store.memories(matching: MemoryFilter(userID: user, sessionID: session.id, minImportance: 0.7), limit: 50, offset: 0)
        #expect(Set(important.items.map(\.content)) == ["memory 7", "memory 8", "memory 9"])
        let everything = try await store.memories(matching: MemoryFilter(userID: user), limit: 50, offset: 0)
        #expect(everything.total == 11)
        // The search filter's fields apply in the query, before paging: the same semantics as SearchFilter.matches.
        var searchFilter = SearchFilter(userID: user)
        searchFilter.memoryTypes = [.decision, .code]
        searchFilter.createdAfter = Fixture.time(2)
        let typedAndRecent = try await store.memories(matching: MemoryFilter(searchFilter), limit: 1, offset: 0)
        #expect(typedAndRecent.total == 2 && typedAndRecent.items.map(\.content) == ["memory 3"])
        searchFilter = SearchFilter(userID: user)
        searchFilter.tags = ["storage", "absent"]
        #expect(try await store.memories(matching: MemoryFilter(searchFilter), limit: 50, offset: 0).total == 11)
        searchFilter.tags = ["absent"]
        #expect(try await store.memories(matching: MemoryFilter(searchFilter), limit: 50, offset: 0).total == 0)
        let byProject = try await store.memories(matching: MemoryFilter(userID: user, projectID: "elsewhere"), limit: 50, offset: 0)
        #expect(byProject.total == 1)
        #expect(try await store.memories(matching: MemoryFilter(userID: Fixture.user(), sessionID: session.id), limit: 50, offset: 0).total == 0)
    }
}
