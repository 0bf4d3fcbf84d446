import HTTPTypes
import MemoryCore
import Testing

/// Issue 10, item 8: context filters apply in the query that selects candidates, so a match older
/// than the newest few is still found, on both stores.
@Suite struct ContextFilterTests {
    @Test func filtersFindOldMatchesInEverySection() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("olga")
            var items: [JSONValue] = (0..<5).map { index in
                ["content": .string("rare decision \(index)"), "memory_type": "decision", "tags": ["rare"]]
            }
            items += (0..<295).map { index in ["content": .string("everyday note \(index)"), "memory_type": "fact", "tags": ["common"]] }
            // Three batches of 100: each request stays well inside the test client's 20 s timeout on a loaded machine.
            for start in stride(from: 0, to: items.count, by: 100) {
                let batch = try await api.post(
                    "/api/memory/memories/batch", ["session_id": .string(session), "memories": .array(Array(items[start..<start + 100]))])
                #expect(batch["created"] == 100, "\(batch.text)")
            }

            func contents(_ body: JSONObject) async throws -> [String] {
                var request = body
                request["user_id"] = "olga"
                request["min_relevance"] = 0
                request["max_memories"] = 50
                let response = try await api.post("/api/memory/context/retrieve", .object(request))
                #expect(response.status == .ok, "\(response.text)")
                return (response["sections"]?.arrayValue ?? []).flatMap { section in
                    (section.objectValue?["memories"]?.arrayValue ?? []).compactMap { $0.objectValue?["content"]?.stringValue }
                }.sorted()
            }
            let rare = (0..<5).map { "rare decision \($0)" }
            #expect(try await contents(["context_types": ["recent"], "tags": ["rare"]]) == rare, "\(api.deployment)")
            #expect(try await contents(["context_types": ["recent"], "memory_types": ["decision"]]) == rare, "\(api.deployment)")
            #expect(try await contents(["context_types": ["decisions"]]) == rare, "\(api.deployment)")
            #expect(try await contents(["context_types": ["decisions"], "tags": ["common"]]).isEmpty, "\(api.deployment)")
        }
    }
}
