import Foundation
import HTTPTypes
import MemoryCore
import Testing

@Suite struct CompressionRoutesTests {
    static let words = ["redis", "postgres", "sqlite", "hummingbird", "deploy", "cache", "hooks", "tokens", "budget", "session"]

    /// Stores `count` varied memories (types, importances, entities, lengths) in the session.
    static func fill(_ api: APIClient, session: String, count: Int) async throws {
        let types = ["fact", "decision", "error", "pattern", "code", "preference", "entity"]
        let entities = ["Redis", "PostgreSQL", "SQLite", "Hummingbird", "MCP"]
        var items: [JSONValue] = []
        for index in 0..<count {
            let length = 4 + (index * 37) % 160
            let text = (0..<length).map { words[($0 * 7 + index * 3) % words.count] + "\(($0 + index) % 97)" }.joined(separator: " ")
            items.append([
                "content": .string("Item \(index): \(text)"),
                "memory_type": .string(types[index % types.count]),
                "importance": .double(Double((index * 13) % 100) / 100),
                "entities": .array((0..<(index % 4)).map { .string(entities[($0 + index) % entities.count]) }),
            ])
        }
        let response = try await api.post("/api/memory/memories/batch", ["session_id": .string(session), "memories": .array(items)])
        #expect(response.status == .ok || response.status == .created, "\(response.text)")
        #expect(response["failed"] == 0, "\(response.text)")
    }

    static func compress(_ api: APIClient, _ session: String, _ extra: JSONObject = [:], user: String? = nil) async throws -> APIResponse {
        var body: JSONObject = ["session_id": .string(session)]
        for (key, value) in extra { body[key] = value }
        return try await api.post("/api/memory/compression/compress", .object(body), user: user)
    }

    @Test func compressAnswersTheContractsShape() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession()
            let decision = try await api.createMemory(
                session, "We decided to keep Redis optional for embedded installs", type: "decision",
                ["importance": 0.95, "entities": ["Redis"], "summary": "Redis optional"])
            _ = try await api.createMemory(session, "The hooks print within 1500 tokens at session start", ["importance": 0.3])
            let response = try await Self.compress(api, session)
            #expect(response.status == .ok, "\(response.text)")
            #expect(response["session_id"]?.stringValue == session)
            #expect(response["strategy_used"] == "hybrid")
            #expect(response["original_memory_count"] == 2)
            let context = try #require(response["compressed_context"]?.objectValue)
            for field in ["memories", "summary", "key_entities", "important_facts", "recent_decisions", "context_stats", "compression_ratio", "strategy_used", "token_estimate"] {
                #expect(context[field] != nil, "missing \(field)")
            }
            let memories = context["memories"]?.arrayValue ?? []
            #expect(response["compressed_memory_count"]?.numberValue == Double(memories.count))
            let first = try #require(memories.first?.objectValue)
            #expect(Set(first.keys) == ["id", "content", "summary", "memory_type", "importance", "entities", "created_at"])
            #expect(first["id"]?.stringValue == decision && first["summary"] == "Redis optional" && first["entities"] == ["Redis"])
            #expect(context["context_stats"]?.objectValue?["original_memory_count"] == 2)
            #expect(context["context_stats"]?.objectValue?["kept_memory_count"]?.numberValue == Double(memories.count))
            #expect((response["token_estimate"]?.numberValue ?? .infinity) <= 4000)
            #expect(response["token_estimate"] == context["token_estimate"])
        }
    }

    @Test func noStrategyAtAnyLevelGoesOverBudget() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession()
            try await Self.fill(api, session: session, count: 80)
            for strategy in CompressionStrategy.allCases {
                for level in CompressionLevel.allCases {
                    let response = try await Self.compress(api, session, [
                        "target_tokens": 500, "strategy": .string(strategy.rawValue), "level": .string(level.rawValue),
                    ])
                    #expect(response.status == .ok, "\(response.text)")
                    let tokens = try #require(response["token_estimate"]?.numberValue)
                    #expect(tokens <= 500, "\(api.deployment) \(strategy) \(level): \(tokens) tokens")
                    #expect(response["original_memory_count"] == 80)
                    let ids = (response["compressed_context"]?.objectValue?["memories"]?.arrayValue ?? []).compactMap { $0.objectValue?["id"] }
                    #expect(Set(ids).count == ids.count, "\(strategy) \(level) repeats a memory")
                }
            }
        }
    }

    @Test func aCachedCompressionIsNotServedAfterANewMemory() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession()
            _ = try await api.createMemory(session, "The first memory of the session", ["importance": 0.9])
            let first = try await Self.compress(api, session)
            #expect(first["original_memory_count"] == 1)
            let again = try await Self.compress(api, session)
            #expect(again.json == first.json, "the same compression twice")
            let added = try await api.createMemory(session, "A second memory, written after the first compression", ["importance": 0.9])
            let after = try await Self.compress(api, session)
            #expect(after["original_memory_count"] == 2, "\(api.deployment): a cached compression was served after a write")
            let kept = (after["compressed_context"]?.objectValue?["memories"]?.arrayValue ?? []).compactMap { $0.objectValue?["id"]?.stringValue }
            #expect(kept.contains(added))
            // An edit invalidates too.
            let patched = try await api.patch("/api/memory/memories/\(added)", ["content": "The second memory, edited"])
            #expect(patched.status == .ok)
            let edited = try await Self.compress(api, session)
            let contents = (edited["compressed_context"]?.objectValue?["memories"]?.arrayValue ?? []).compactMap { $0.objectValue?["content"]?.stringValue }
            #expect(contents.contains("The second memory, edited"))
        }
    }

    @Test func previewComputesAfreshAndStoresNothing() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession()
            _ = try await api.createMemory(session, "Use Redis for the shared cache", type: "decision", ["importance": 0.9, "entities": ["Redis"]])
            let preview = try await api.post("/api/memory/compression/compress/preview", [
                "session_id": .string(session), "strategy": "importance_based", "level": "light", "target_tokens": 500,
            ])
            #expect(preview.status == .ok, "\(preview.text)")
            #expect(preview["preview"] == true && preview["strategy"] == "importance_based" && preview["memory_count"] == 1)
            for field in ["compression_ratio", "token_estimate", "summary_length", "key_entities", "important_facts_count", "recent_decisions_count", "context_stats"] {
                #expect(preview[field] != nil, "missing \(field)")
            }
            let cleared = try await api.delete("/api/memory/compression/cache/\(session)")
            #expect(cleared.status == .ok)
            #expect(cleared["message"] == "Cleared 0 cache entries" && cleared["cleared"] == 0)
            // A preview after a compression is fresh too: it sees a memory the cache does not.
            _ = try await Self.compress(api, session)
            _ = try await api.createMemory(session, "Another decision about tokens", type: "decision", ["importance": 0.9])
            let fresh = try await api.post("/api/memory/compression/compress/preview", ["session_id": .string(session)])
            #expect(fresh["context_stats"]?.objectValue?["original_memory_count"] == 2)
        }
    }

    @Test func deleteClearsOneEntryOrAll() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession()
            _ = try await api.createMemory(session, "Something worth compressing", ["importance": 0.8])
            _ = try await Self.compress(api, session)
            _ = try await Self.compress(api, session, ["strategy": "summarization", "level": "light", "target_tokens": 1000])
            let path = "/api/memory/compression/cache/\(session)"
            let one = try await api.delete(path + "?strategy=summarization&level=light&target_tokens=1000")
            #expect(one.status == .ok && one["message"] == "Specific cache entry cleared" && one["cleared"] == 1, "\(one.text)")
            let again = try await api.delete(path + "?strategy=summarization&level=light&target_tokens=1000")
            #expect(again["cleared"] == 0)
            let all = try await api.delete(path)
            #expect(all["message"] == "Cleared 1 cache entries" && all["cleared"] == 1, "\(all.text)")
            #expect(try await api.delete(path)["cleared"] == 0)
            expectError(try await api.delete(path + "?strategy=hybrid"), .unprocessableContent, field: "level")
        }
    }

    @Test func statsEstimateEachLevel() async throws {
        try await LiveAPI.run { api, _ in
            let empty = try await api.startSession()
            let none = try await api.get("/api/memory/compression/stats/\(empty)")
            #expect(none.status == .ok, "\(none.text)")
            #expect(none["original_tokens"] == 0 && none["session_id"]?.stringValue == empty)
            let session = try await api.startSession()
            _ = try await api.createMemory(session, String(repeating: "abcd ", count: 100), ["importance": 0.6])
            let stats = try await api.get("/api/memory/compression/stats/\(session)")
            #expect(stats["original_tokens"] == 125)
            #expect(stats["available_strategies"]?.arrayValue?.count == 7)
            let estimates = try #require(stats["compression_estimates"]?.objectValue)
            #expect(Set(estimates.keys) == ["light", "moderate", "aggressive", "extreme"])
            #expect(estimates["moderate"]?.objectValue?["estimated_tokens"] == 75)
            #expect(estimates["extreme"]?.objectValue?["time_estimate"] == "2-5 seconds")
            #expect(stats["recommendations"]?.arrayValue?.isEmpty == false)
        }
    }

    @Test func strategiesListsEveryStrategyAndLevel() async throws {
        try await LiveAPI.run { api, _ in
            let response = try await api.get("/api/memory/compression/strategies")
            #expect(response.status == .ok)
            let strategies = try #require(response["strategies"]?.objectValue)
            #expect(Set(strategies.keys) == Set(CompressionStrategy.allCases.map(\.rawValue)))
            #expect(strategies["hybrid"]?.objectValue?["best_for"]?.stringValue?.isEmpty == false)
            #expect(response["levels"]?.objectValue?["aggressive"]?.objectValue?["reduction"] == "60-80%")
        }
    }

    @Test func callersCanCauseOnlyTheseErrors() async throws {
        try await LiveAPI.run { api, _ in
            let alice = try await api.startSession("alice")
            _ = try await api.createMemory(alice, "Alice's private memory", ["importance": 0.9])
            let unknown = UUID().uuidString.lowercased()
            // Bad ids.
            expectError(try await api.get("/api/memory/compression/stats/nope"), .badRequest)
            expectError(try await api.delete("/api/memory/compression/cache/nope"), .badRequest)
            expectError(try await Self.compress(api, "nope"), .unprocessableContent, field: "session_id")
            expectError(try await api.post("/api/memory/compression/compress", ["target_tokens": 1000]), .unprocessableContent, field: "session_id")
            // Unknown ids.
            expectError(try await Self.compress(api, unknown), .notFound, code: "session_not_found")
            expectError(try await api.post("/api/memory/compression/compress/preview", ["session_id": .string(unknown)]), .notFound)
            expectError(try await api.get("/api/memory/compression/stats/\(unknown)"), .notFound)
            expectError(try await api.delete("/api/memory/compression/cache/\(unknown)"), .notFound)
            // Another user's session is not found either, whichever way the user is named.
            expectError(try await Self.compress(api, alice, user: "bob"), .notFound)
            expectError(try await Self.compress(api, alice, ["user_id": "bob"]), .notFound)
            expectError(try await api.post("/api/memory/compression/compress/preview", ["session_id": .string(alice)], user: "bob"), .notFound)
            expectError(try await api.get("/api/memory/compression/stats/\(alice)?user_id=bob"), .notFound)
            expectError(try await api.delete("/api/memory/compression/cache/\(alice)", user: "bob"), .notFound)
            #expect(try await Self.compress(api, alice, user: "alice").status == .ok)
            // Out-of-range and unknown values.
            for target in [499, 16001, 0, -5] {
                expectError(try await Self.compress(api, alice, ["target_tokens": .int(Int64(target))]), .unprocessableContent, field: "target_tokens")
            }
            expectError(try await Self.compress(api, alice, ["target_tokens": "many"]), .unprocessableContent, field: "target_tokens")
            expectError(try await Self.compress(api, alice, ["strategy": "zip"]), .unprocessableContent, field: "strategy")
            expectError(try await Self.compress(api, alice, ["level": "maximum"]), .unprocessableContent, field: "level")
            expectError(
                try await api.post("/api/memory/compression/compress/preview", ["session_id": .string(alice), "strategy": "zip"]),
                .unprocessableContent, field: "strategy")
            let cache = "/api/memory/compression/cache/\(alice)"
            expectError(try await api.delete(cache + "?strategy=zip&level=light&target_tokens=1000"), .unprocessableContent, field: "strategy")
            expectError(try await api.delete(cache + "?strategy=hybrid&level=light&target_tokens=20"), .unprocessableContent, field: "target_tokens")
            #expect(try await Self.compress(api, alice, ["target_tokens": 500]).status == .ok)
            #expect(try await Self.compress(api, alice, ["target_tokens": 16000]).status == .ok)
        }
    }
}
