import Foundation
import MemoryAPI
import MemoryCore
import MemoryService
import Testing

@Suite struct CallerTests {
    @Test func aLocalCallerActsAsTheUserItNamesOrForTheIDsOwner() throws {
        #expect(try Caller.local.actingUser(naming: "alice") == "alice")
        #expect(try Caller.local.actingUser(naming: nil) == nil)
        #expect(throws: MemoryHubError.self) { try Caller.local.requiredUser(naming: nil) }
        #expect(Caller.local.isAdmin)
    }

    @Test func aUserKeyActsOnlyAsItsUser() throws {
        let alice = Caller(authority: .user("alice"), keyID: UUID())
        #expect(try alice.actingUser(naming: nil) == "alice")
        #expect(try alice.actingUser(naming: "alice") == "alice")
        let error = #expect(throws: MemoryHubError.self) { try alice.actingUser(naming: "bob") }
        #expect(error?.kind == .forbidden)
        #expect(!alice.isAdmin)
        #expect(throws: MemoryHubError.self) { try alice.requireAdmin() }
    }

    @Test func anAdminKeyActsForAnyUserItNames() throws {
        let admin = Caller(authority: .admin, keyID: UUID())
        #expect(try admin.actingUser(naming: "bob") == "bob")
        #expect(try admin.actingUser(naming: nil) == nil)
        try admin.requireAdmin()
    }

    @Test func namedUsersMustAgreeAndBeValidIdentifiers() throws {
        #expect(try Caller.namedUser([("header", "alice"), ("query", nil), ("body", "alice")]) == "alice")
        let error = #expect(throws: MemoryHubError.self) { try Caller.namedUser([("header", "alice"), ("body", "bob")]) }
        #expect(error?.kind == .forbidden)
        let control = #expect(throws: MemoryHubError.self) { try Caller.local.actingUser(naming: "alice\u{0}x") }
        #expect(control?.field == "user_id")
    }
}

@Suite struct TokenBucketTests {
    @Test func aBucketAllowsItsBurstThenItsRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(rate: 2, burst: 3, now: start)
        #expect((0..<3).map { _ in bucket.take(at: start) }.allSatisfy { $0 == nil })
        let wait = bucket.take(at: start)
        #expect(wait == .milliseconds(500))
        #expect(bucket.take(at: start + .milliseconds(500)) == nil)
        #expect(bucket.take(at: start + .milliseconds(600)) != nil)
        #expect(bucket.isFull(at: start + .seconds(10)))
    }

    @Test func theLimiterKeepsOneBucketPerKey() {
        let limiter = RateLimiter(rate: 1, burst: 1)
        let now = ContinuousClock.now
        let a = UUID(), b = UUID()
        #expect(limiter.admit(a, at: now) == nil)
        #expect(limiter.admit(a, at: now) != nil)
        #expect(limiter.admit(b, at: now) == nil)
    }
}

@Suite struct DecoderTests {
    @Test func aNewMemoryReadsEveryFieldAndNamesTheOneAtFault() throws {
        let session = "01a227fa-0315-79fd-ac8e-955b1b45bb11"
        let fields = JSONFields([
            "session_id": .string(session), "content": "c", "memory_type": "decision", "importance": 1, "entities": ["a"],
            "related_memories": [.string(session)],
        ])
        let memory = try NewMemory(fields: fields, fallbackSessionID: nil)
        #expect(memory.memoryType == .decision && memory.importance == 1 && memory.entities == ["a"] && memory.relatedMemories.count == 1)
        let missing = #expect(throws: MemoryHubError.self) { try NewMemory(fields: JSONFields(["content": "c", "memory_type": "fact"]), fallbackSessionID: nil) }
        #expect(missing?.field == "session_id")
        let wrongType = #expect(throws: MemoryHubError.self) {
            try NewMemory(fields: JSONFields(["session_id": .string(session), "content": 5, "memory_type": "fact"]), fallbackSessionID: nil)
        }
        #expect(wrongType?.field == "content")
    }

    @Test func aMemoryChangeClearsTheSummaryOnNullAndRefusesANullContent() throws {
        let change = try MemoryChange(fields: JSONFields(["summary": nil, "tags": ["x"]]))
        #expect(change.summary == .some(nil) && change.tags == ["x"] && change.content == nil)
        let error = #expect(throws: MemoryHubError.self) { try MemoryChange(fields: JSONFields(["content": nil])) }
        #expect(error?.field == "content")
    }

    @Test func searchDefaultsToHybridAndUseVectorSearchFalseMeansLexical() throws {
        #expect(try SearchRequest(fields: JSONFields(["query": "q"]), userID: "u").mode == .hybrid)
        #expect(try SearchRequest(fields: JSONFields(["query": "q", "use_vector_search": false]), userID: "u").mode == .lexical)
        #expect(try SearchRequest(fields: JSONFields(["query": "q", "mode": "semantic", "use_vector_search": false]), userID: "u").mode == .semantic)
    }

    @Test func unknownArgumentsAreRefusedWhenAskedTo() throws {
        let error = #expect(throws: MemoryHubError.self) { try JSONFields(["type": "fact"]).requireOnly(["memory_type"], owner: "create_memory") }
        #expect(error?.field == "type" && error?.detail.contains("create_memory") == true)
    }
}
