import Foundation
import MemoryAPI
import MemoryCore
import MemoryService
import Testing

/// One golden JSON per response shape: a change to any field name, rounding or nesting shows as a
/// diff against `Golden/<shape>.json`. Run with `MEMORYHUB_RECORD_GOLDEN=1` to rewrite the files
/// after a deliberate change, and review the diff.
@Suite struct RepresentationGoldenTests {
    static let now = Timestamp(microsecondsSinceEpoch: 1_764_000_000_000_000)
    static let sessionID = UUID(uuidString: "01a227fa-0315-79fd-ac8e-955b1b45bb11")!
    static let memoryID = UUID(uuidString: "01a227fa-02ae-7896-9e30-f1ccdd8750fc")!

    static let session = Session(
        id: sessionID, userID: "alice", projectID: "hub", clientSessionID: "claude-1", state: .ended,
        startedAt: now.adding(seconds: -3600), endedAt: now.adding(seconds: -60), endReason: "normal", summary: "Shipped keys.",
        metadata: ["client": "claude", "nested": ["list": [1, 2.5, nil]]], tags: ["project", "continued"], memoryCount: 2,
        version: 7)

    static let memory = Memory(
        id: memoryID, sessionID: sessionID, userID: "alice", projectID: "hub", content: "Keys are hashed with SHA-256.",
        summary: "Key storage", memoryType: .decision, importance: 0.9, confidence: 0.75, entities: ["SHA-256"], tags: ["auth"],
        relatedMemories: [sessionID], metadata: ["line": 42], hasEmbedding: true, accessCount: 3,
        lastAccessed: now.adding(seconds: -10), createdAt: now.adding(seconds: -86_400 * 2), version: 2)

    static func expectGolden(_ name: String, _ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let rendered = String(decoding: JSONWriter.bytes(value), as: UTF8.self)
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
        let file = folder.appendingPathComponent(name + ".json")
        if ProcessInfo.processInfo.environment["MEMORYHUB_RECORD_GOLDEN"] == "1" {
            try (rendered + "\n").write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(rendered == golden, "\(name) differs from Golden/\(name).json:\n\(rendered)", sourceLocation: sourceLocation)
    }

    @Test func session() throws {
        try Self.expectGolden("session", APIRepresentation.session(Self.session))
    }

    @Test func memory() throws {
        try Self.expectGolden("memory", APIRepresentation.memory(Self.memory, now: Self.now))
    }

    @Test func sessionContext() throws {
        let summary = SessionContextSummary(session: Self.session, importantMemories: [Self.memory])
        try Self.expectGolden("session-context", APIRepresentation.sessionContext(summary, now: Self.now))
    }

    @Test func error() throws {
        try Self.expectGolden("error", APIRepresentation.error(.invalidField("importance", "importance must be between 0 and 1.")))
    }

    @Test func search() throws {
        let breakdown = ScoreBreakdown(
            lexicalRank: 1, lexicalScore: 3.14159265, semanticRank: 2, similarity: 0.812345678, fused: 0.1234567, adjustment: 0.01,
            final: 0.1334567)
        let response = SearchResponse(
            results: [ScoredMemory(memory: Self.memory, score: 0.1334567, breakdown: breakdown)], total: 12, query: "key storage",
            limit: 10, offset: 0, mode: .hybrid, searchTime: .microseconds(1234))
        try Self.expectGolden("search", APIRepresentation.search(response, now: Self.now))
    }

    @Test func similarity() throws {
        let found = (results: [(memory: Self.memory, similarity: 0.9876543219)], total: 1)
        try Self.expectGolden("similarity", APIRepresentation.similarity(found, extra: ["query": "hashing"], now: Self.now))
    }

    @Test func context() throws {
        let item = ContextMemory(memory: Self.memory, relevanceScore: 0.8, relevanceReason: "matches the query (score 0.8)")
        let section = ContextSection(title: "Key Decisions", contextType: .decisions, memories: [item], tokenCount: 21, relevanceScore: 0.8)
        let response = ContextResponse(
            sections: [section], totalMemories: 1, totalTokens: 21, maxRelevance: 0.8, retrievalTime: .microseconds(2500),
            formattedContext: "## Key Decisions\n- Keys are hashed with SHA-256.", contextSummary: "1 memory in 1 section")
        try Self.expectGolden("context", APIRepresentation.context(response, now: Self.now))
    }

    @Test func statistics() throws {
        let stats = MemoryStatistics(
            userID: "alice", projectID: nil, days: 7, totalMemories: 5, memoriesInWindow: 3, countsByType: [.decision: 2, .fact: 3],
            totalSessions: 2, activeSessions: 1, sessionsInWindow: 2, meanImportance: 0.62, withEmbedding: 4, mostAccessed: [Self.memory])
        try Self.expectGolden("statistics", APIRepresentation.statistics(stats, now: Self.now))
    }

    @Test func batch() throws {
        let result = BatchResult(memories: [Self.memory], errors: [(index: 1, error: .invalidField("content", "content is required."))])
        try Self.expectGolden("batch", APIRepresentation.batch(result, now: Self.now))
    }

    @Test func apiKey() throws {
        let key = APIKey(
            id: Self.memoryID, userID: "alice", name: "laptop", isAdmin: false, secretHash: Array(repeating: 7, count: 32),
            createdAt: Self.now, lastUsedAt: Self.now.adding(seconds: 5))
        try Self.expectGolden("api-key", APIRepresentation.apiKey(key))
        try Self.expectGolden("api-key-created", APIRepresentation.apiKey(key, text: "mhk_example"))
    }

    @Test func readinessAndCacheStatistics() throws {
        let readiness = Readiness(storeProblem: nil, cacheBackend: "redis", embedder: (model: "all-MiniLM-L6-v2", dimension: 384))
        try Self.expectGolden("readiness", APIRepresentation.readiness(readiness))
        let stats = CacheStatistics(name: "session", backend: "redis", hits: 3, misses: 1, errors: 0, fills: 1, invalidations: 2, evictions: 0, entries: nil)
        try Self.expectGolden("cache-statistics", APIRepresentation.cacheStatistics([stats]))
    }
}
