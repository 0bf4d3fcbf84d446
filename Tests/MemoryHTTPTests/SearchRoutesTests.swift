import Foundation
import HTTPTypes
import MemoryCore
import MemoryService
import MemoryCache
import MemoryStore
import Testing

/// `POST /api/memory/memories/search` and the vector routes over a live socket, on every store.
@Suite struct SearchRoutesTests {
    static func ids(_ response: APIResponse) -> [String] {
        response["results"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
    }

    @Test func everyFilterNarrowsAndTotalCountsEveryMatch() async throws {
        try await LiveAPI.run { api, services in
            let user = "u-\(UUID().uuidString.prefix(6))"
            let web = try await api.startSession(user, ["project_id": "web"])
            let cli = try await api.startSession(user, ["project_id": "cli"])
            let fact = try await api.createMemory(web, "Redis runs on port 6379 in staging", type: "fact", ["tags": ["infra"], "importance": 0.3])
            let decision = try await api.createMemory(web, "We chose Redis for the session cache", type: "decision", ["tags": ["cache", "infra"], "importance": 0.9])
            let error = try await api.createMemory(cli, "Redis connection refused when the CLI starts", type: "error", ["tags": ["cli"]])
            _ = try await api.createMemory(web, "Unrelated note about the logo colours", type: "fact")

            func search(_ extra: JSONObject) async throws -> APIResponse {
                var body: JSONObject = ["query": "redis", "user_id": .string(user)]
                for (key, value) in extra { body[key] = value }
                let response = try await api.post("/api/memory/memories/search", .object(body))
                #expect(response.status == .ok, "\(api.deployment): \(response.text)")
                return response
            }
            let all = try await search([:])
            #expect(Set(Self.ids(all)) == [fact, decision, error], "\(api.deployment)")
            #expect(all["total"] == 3 && all["query"] == "redis" && all["limit"] == 10 && all["offset"] == 0)
            #expect(all["search_time_ms"]?.numberValue != nil)
            #expect(all["results"]?.arrayValue?.allSatisfy { ($0.objectValue?["score"]?.numberValue ?? -1) > 0 } == true)
            #expect(Set(Self.ids(try await search(["project_id": "cli"]))) == [error])
            #expect(Set(Self.ids(try await search(["session_id": .string(web)]))) == [fact, decision])
            #expect(Set(Self.ids(try await search(["memory_types": ["decision", "error"]]))) == [decision, error])
            #expect(Set(Self.ids(try await search(["min_importance": 0.8]))) == [decision])
            #expect(Set(Self.ids(try await search(["tags": ["cache", "cli"]]))) == [decision, error])
            #expect(try await search(["tags": ["none"]])["total"] == 0)

            let first = try await search(["limit": 2])
            let second = try await search(["limit": 2, "offset": 2])
            #expect(first["total"] == 3 && second["total"] == 3, "total counts every match, not the page")
            #expect(Self.ids(first).count == 2 && Self.ids(second).count == 1)
            #expect(Set(Self.ids(first) + Self.ids(second)) == [fact, decision, error])
            let beyond = try await search(["offset": .int(Int64(Int32.max))])
            #expect(Self.ids(beyond).isEmpty && beyond["total"] == 3, "an offset past every match is an empty page")
            // The JSON layer stops at 32 bits; the CLI and other callers reach the service directly.
            var last = SearchRequest(userID: user, query: "redis")
            last.offset = .max
            let far = try await services.search.search(last)
            #expect(far.results.isEmpty && far.total == 3, "an offset of Int.max does not overflow")

            let explained = try await search(["explain": true, "mode": "lexical"])
            let top = explained["results"]?.arrayValue?.first?.objectValue
            let breakdown = top?["score_breakdown"]?.objectValue
            #expect(breakdown?["lexical_rank"]?.numberValue != nil && breakdown?["semantic_rank"] == .null)
            #expect(breakdown?["final"] == top?["score"] && breakdown?["adjustment"]?.numberValue != nil)
            #expect(explained["mode"] == "lexical")
            #expect(try await search([:])["results"]?.arrayValue?.first?.objectValue?["score_breakdown"] == nil)
        }
    }

    @Test func aTimeWindowRanksWhatWasWrittenInsideItFirstAndSaysSo() async throws {
        try await LiveAPI.run { api, services in
            let user = "u-\(UUID().uuidString.prefix(6))"
            let session = try #require(UUID(uuidString: try await api.startSession(user)))
            // Two memories that rank the same by their words, written two months apart.
            var ids: [String: String] = [:]
            for (month, content) in [("2023-03-10", "Release notes: the deploy went to staging"), ("2023-05-10", "Release notes: the deploy went to production")] {
                let at = try #require(Timestamp(iso8601: month + "T12:00:00Z"))
                let memory = Memory(sessionID: session, userID: user, content: content, memoryType: .fact, createdAt: at)
                _ = try await services.store.insertMemory(memory, at: at)
                ids[month] = memory.id.lowercased
            }
            func search(_ extra: JSONObject) async throws -> APIResponse {
                var body: JSONObject = [
                    "query": "release notes deploy", "user_id": .string(user), "mode": "lexical", "explain": true,
                    "reference_time": "2023-06-01T09:00:00Z",
                ]
                for (key, value) in extra { body[key] = value }
                return try await api.post("/api/memory/memories/search", .object(body))
            }
            let march = try await search(["time_window": "in March"])
            #expect(Self.ids(march) == [ids["2023-03-10"]!, ids["2023-05-10"]!], "\(api.deployment): \(march.text)")
            #expect(march["time_window"]?.objectValue?["phrase"] == "in march")
            #expect(march["time_window"]?.objectValue?["start"] == "2023-03-01T00:00:00.000000Z")
            let factors = march["results"]?.arrayValue?.compactMap { $0.objectValue?["score_breakdown"]?.objectValue?["time_window"]?.numberValue }
            #expect(factors == [1.2, 1.0])
            let may = try await search(["time_window": ["start": "2023-05-01T00:00:00Z", "end": "2023-06-01T00:00:00Z"]])
            #expect(Self.ids(may) == [ids["2023-05-10"]!, ids["2023-03-10"]!], "\(may.text)")
            #expect(may["time_window"]?.objectValue?["phrase"] == .null)
            // The query's own words, resolved against reference_time: "three weeks ago" is May.
            let fromQuery = try await search(["query": "release notes deploy three weeks ago", "time_window": "query"])
            #expect(Self.ids(fromQuery).first == ids["2023-05-10"], "\(fromQuery.text)")
            #expect(fromQuery["time_window"]?.objectValue?["phrase"] == "three weeks ago")
            // Without a window nothing is boosted and the response names none.
            let plain = try await search([:])
            #expect(plain["time_window"] == nil)
            #expect(plain["results"]?.arrayValue?.allSatisfy { $0.objectValue?["score_breakdown"]?.objectValue?["time_window"] == 1.0 } == true)

            // Resolved against the current minute, the same phrase twice is one ranking, cached. A
            // minute boundary or a background write (a vector stored) between the two searches makes
            // a miss on a slow machine: up to three pairs, one of which must hit.
            let relative: JSONValue = ["query": "release notes deploy", "user_id": .string(user), "time_window": "last week"]
            var cached = false
            for _ in 0..<3 where !cached {
                _ = try await api.post("/api/memory/memories/search", relative)
                let hits = services.search.cacheStatistics.hits
                #expect(try await api.post("/api/memory/memories/search", relative).status == .ok)
                cached = services.search.cacheStatistics.hits == hits + 1
            }
            #expect(cached, "the second of two identical searches was never a cache hit")

            for (bad, field) in [
                (["time_window": "at some point"], "time_window"), (["time_window": ["start": "2023-05-01T00:00:00Z"]], "time_window"),
                (["time_window": ["start": "2023-06-01T00:00:00Z", "end": "2023-05-01T00:00:00Z"]], "time_window"),
                (["reference_time": "last tuesday"], "reference_time"), (["time_window": 5], "time_window"),
            ] as [(JSONObject, String)] {
                expectError(try await search(bad), .unprocessableContent, field: field)
            }
        }
    }

    @Test func aWriteIsVisibleToTheVeryNextSearch() async throws {
        try await LiveAPI.run { api, services in
            let user = "u-\(UUID().uuidString.prefix(6))"
            let session = try await api.startSession(user)
            let body: JSONValue = ["query": "kubernetes manifests", "user_id": .string(user)]
            #expect(try await api.post("/api/memory/memories/search", body)["total"] == 0)
            let before = services.search.cacheStatistics
            #expect(try await api.post("/api/memory/memories/search", body)["total"] == 0)
            #expect(services.search.cacheStatistics.hits == before.hits + 1, "an identical search is served from the cache")

            let id = try await api.createMemory(session, "The kubernetes manifests live in deploy/k8s")
            #expect(Self.ids(try await api.post("/api/memory/memories/search", body)) == [id], "\(api.deployment)")
            _ = try await api.patch("/api/memory/memories/\(id)", ["content": "Helm charts live in deploy/helm"])
            #expect(try await api.post("/api/memory/memories/search", body)["total"] == 0)
            #expect(Self.ids(try await api.post("/api/memory/memories/search", ["query": "helm", "user_id": .string(user)])) == [id])
            _ = try await api.delete("/api/memory/memories/\(id)")
            #expect(try await api.post("/api/memory/memories/search", ["query": "helm", "user_id": .string(user)])["total"] == 0)
        }
    }

    @Test func noUserFindsAnothersMemories() async throws {
        try await LiveAPI.run { api, _ in
            let alice = "alice-\(UUID().uuidString.prefix(6))", bob = "bob-\(UUID().uuidString.prefix(6))"
            let session = try await api.startSession(alice)
            _ = try await api.createMemory(session, "Alice's secret token rotation schedule")
            let asBob = try await api.post("/api/memory/memories/search", ["query": "secret token", "user_id": .string(bob)])
            #expect(asBob["total"] == 0 && Self.ids(asBob).isEmpty)
            expectError(
                try await api.post("/api/memory/memories/search", ["query": "secret", "user_id": .string(alice)], user: bob), .forbidden)
            #expect(try await api.post("/api/memory/memories/search", ["query": "secret"], user: alice)["total"] == 1)
            let context = try await api.post("/api/memory/context/retrieve", ["query": "secret token", "user_id": .string(bob), "context_types": ["recent", "similar"]])
            #expect(context["total_memories"] == 0)
            expectError(try await api.post("/api/memory/context/retrieve", ["user_id": .string(bob), "session_id": .string(session)]), .notFound)
            expectError(try await api.get("/api/memory/context/stats/\(alice)", user: bob), .forbidden)
        }
    }

    @Test func badSearchesAreRefusedNamingTheField() async throws {
        try await LiveAPI.run { api, _ in
            let search = "/api/memory/memories/search"
            expectError(try await api.post(search, ["query": "  ", "user_id": "u"]), .unprocessableContent, field: "query")
            expectError(try await api.post(search, ["user_id": "u"]), .unprocessableContent, field: "query")
            expectError(try await api.post(search, ["query": "x"]), .unprocessableContent, field: "user_id")
            expectError(try await api.post(search, ["query": "x", "user_id": "u", "limit": 0]), .unprocessableContent, field: "limit")
            expectError(try await api.post(search, ["query": "x", "user_id": "u", "limit": 101]), .unprocessableContent, field: "limit")
            expectError(try await api.post(search, ["query": "x", "user_id": "u", "offset": -1]), .unprocessableContent, field: "offset")
            let huge = try await api.post(search, ["query": "x", "user_id": "u", "offset": .int(Int64.max)])
            expectError(huge, .unprocessableContent, field: "offset")
            #expect(huge["detail"] == "offset must be an integer between -2147483648 and 2147483647.", "not 'not a number': \(huge.text)")
            expectError(try await api.post(search, ["query": "x", "user_id": "u", "mode": "fuzzy"]), .unprocessableContent, field: "mode")
            expectError(try await api.post(search, ["query": "x", "user_id": "u", "memory_types": ["fact", "nope"]]), .unprocessableContent, field: "memory_types")
            expectError(try await api.post(search, ["query": "x", "user_id": "u", "min_importance": 2]), .unprocessableContent, field: "min_importance")
            expectError(try await api.post(search, ["query": 3, "user_id": "u"]), .unprocessableContent, field: "query")
            expectError(try await api.send(.post, search, raw: "{\"query\": "), .badRequest)
            // Query syntax of the lexical engines is just text here.
            let odd = try await api.post(search, ["query": "\"unbalanced (NEAR AND OR * ^ -- ' ; DROP TABLE memories", "user_id": "u"])
            #expect(odd.status == .ok, "\(odd.text)")
        }
    }

    @Test func vectorRoutesWithoutAModelSaySoAndReindexQueues() async throws {
        try await LiveAPI.run { api, services in
            guard services.search.embedder == nil else { return }
            let user = "u-\(UUID().uuidString.prefix(6))"
            let session = try await api.startSession(user)
            let memory = try await api.createMemory(session, "Vectors need a model")
            expectError(try await api.post("/api/memory/vector/search", ["query": "x", "user_id": .string(user)]), .unprocessableContent, code: "embedder_unavailable")
            expectError(try await api.post("/api/memory/memories/search", ["query": "x", "user_id": .string(user), "mode": "semantic"]), .unprocessableContent, code: "embedder_unavailable")
            expectError(try await api.post("/api/memory/vector/similar/\(memory)", [:], user: user), .conflict, code: "embedding_pending")
            expectError(try await api.post("/api/memory/vector/similar/\(memory)", [:], user: "someone-else"), .notFound)
            let reindex = try await api.post("/api/memory/vector/reindex/\(session)", [:], user: user)
            #expect(reindex.status == .accepted && reindex["queued"] == 1, "\(reindex.text)")
            expectError(try await api.post("/api/memory/vector/reindex/\(session)", [:], user: "someone-else"), .notFound)
            // Hybrid without a model falls back to lexical and says so.
            let hybrid = try await api.post("/api/memory/memories/search", ["query": "vectors", "user_id": .string(user)])
            #expect(hybrid["mode"] == "lexical" && hybrid["total"] == 1)
            let ready = try await api.get("/ready")
            #expect(ready["embedder"]?.objectValue?["status"] == "not_configured")
        }
    }
}

/// `/api/memory/context/*` over a live socket, on every store.
@Suite struct ContextRoutesTests {
    @Test func contextKeepsTheBudgetUsesEachMemoryOnceAndCarriesProvenance() async throws {
        try await LiveAPI.run { api, _ in
            let user = "u-\(UUID().uuidString.prefix(6))"
            let session = try await api.startSession(user, ["project_id": "app"])
            var created: Set<String> = []
            created.insert(try await api.createMemory(session, "Decided to use PostgreSQL with a Redis cache in production", type: "decision", ["importance": 0.9]))
            created.insert(try await api.createMemory(session, "Error: redis connection refused; fixed by starting redis-server first", type: "error", ["importance": 0.8]))
            created.insert(try await api.createMemory(session, "The user prefers tabs over spaces", type: "preference", ["importance": 0.7]))
            created.insert(try await api.createMemory(session, "Pattern: every background job is a Service", type: "pattern", ["importance": 0.7]))
            for index in 0..<30 {
                created.insert(try await api.createMemory(session, "Worklog entry \(index): " + String(repeating: "redis tuning detail ", count: 10)))
            }
            for budget in [200, 600, 4000] {
                let response = try await api.post("/api/memory/context/comprehensive", [
                    "user_id": .string(user), "query": "redis cache", "max_tokens": .int(Int64(budget)), "min_relevance": 0,
                ])
                #expect(response.status == .ok, "\(api.deployment): \(response.text)")
                let total = response["total_tokens"]?.numberValue ?? .infinity
                let formatted = response["formatted_context"]?.stringValue ?? ""
                #expect(total <= Double(budget), "\(api.deployment) budget \(budget)")
                #expect(Double((formatted.count + 3) / 4) <= total)
                let sections = response["sections"]?.arrayValue?.compactMap(\.objectValue) ?? []
                let ids = sections.flatMap { $0["memories"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? [] }
                #expect(Set(ids).count == ids.count, "each memory at most once")
                #expect(Set(ids).isSubset(of: created))
                #expect(response["total_memories"]?.numberValue == Double(ids.count))
                #expect(ids.count <= 30)
                for section in sections {
                    #expect((section["token_count"]?.numberValue ?? 0) > 0)
                    for memory in section["memories"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
                        #expect(memory["relevance_reason"]?.stringValue?.isEmpty == false)
                    }
                }
                if budget == 4000 {
                    let titles = sections.compactMap { $0["title"]?.stringValue }
                    #expect(titles.contains("Key Decisions") && titles.contains("Errors & Solutions") && titles.contains("User Preferences"))
                    #expect(titles.contains("Patterns & Insights") && titles.contains("Related Context"))
                    #expect(formatted.contains("## Key Decisions") && formatted.contains("PostgreSQL with a Redis cache"))
                }
            }
            let quick = try await api.get("/api/memory/context/quick/\(user)?query=postgresql&max_tokens=300")
            #expect(quick.status == .ok && (quick["total_tokens"]?.numberValue ?? 1000) <= 300, "\(quick.text)")
            #expect(quick["sections"]?.arrayValue?.isEmpty == false)
            let recentOnly = try await api.post("/api/memory/context/retrieve", ["user_id": .string(user), "context_types": ["recent"], "max_memories": 3])
            #expect(recentOnly["sections"]?.arrayValue?.count == 1 && recentOnly["total_memories"] == 3, "\(recentOnly.text)")
            #expect(recentOnly["formatted_context"]?.stringValue?.contains("## Recent Activity") == true)

            let stats = try await api.get("/api/memory/context/stats/\(user)?days=7")
            #expect(stats["total_memories"] == 34 && stats["total_sessions"] == 1 && stats["active_sessions"] == 1, "\(stats.text)")
            #expect(stats["memories_by_type"]?.objectValue?["decision"] == 1 && stats["memories_by_type"]?.objectValue?["fact"] == 30)
        }
    }

    @Test func badContextRequestsAreRefusedNamingTheField() async throws {
        try await LiveAPI.run { api, _ in
            let retrieve = "/api/memory/context/retrieve"
            expectError(try await api.post(retrieve, [:]), .unprocessableContent, field: "user_id")
            expectError(try await api.post(retrieve, ["user_id": "u", "max_tokens": 10]), .unprocessableContent, field: "max_tokens")
            expectError(try await api.post(retrieve, ["user_id": "u", "max_memories": 0]), .unprocessableContent, field: "max_memories")
            expectError(try await api.post(retrieve, ["user_id": "u", "min_relevance": 1.5]), .unprocessableContent, field: "min_relevance")
            expectError(try await api.post(retrieve, ["user_id": "u", "context_types": ["recent", "gossip"]]), .unprocessableContent, field: "context_types")
            expectError(try await api.post(retrieve, ["user_id": "u", "context_types": []]), .unprocessableContent, field: "context_types")
            expectError(try await api.post(retrieve, ["user_id": "u", "time_window_hours": -1]), .unprocessableContent, field: "time_window_hours")
            expectError(try await api.get("/api/memory/context/stats/u?days=0"), .unprocessableContent, field: "days")
            let empty = try await api.post(retrieve, ["user_id": .string("nobody-\(UUID().uuidString)")])
            #expect(empty.status == .ok && empty["total_memories"] == 0 && empty["formatted_context"] == "")
        }
    }
}
