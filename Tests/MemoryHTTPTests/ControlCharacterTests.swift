import HTTPTypes
import MemoryCore
import Testing

/// Issue 10, item 1: U+0000 once cut identifiers and text on SQLite (`alice\u{0}x` acted as
/// alice, `before\u{0}after` was stored as `before`). Every store and every write path now either
/// stores exactly what it acknowledged or refuses with 422 naming the field, before writing.
@Suite struct ControlCharacterTests {
    @Test func aUserIDWithNULIsRefusedAndReadsNothingOfTheUserItStartsLike() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice")
            _ = try await api.createMemory(session, "alice deploys on fridays")

            expectError(try await api.post("/api/memory/session/start", ["user_id": "alice\u{0}x"]), .unprocessableContent, field: "user_id")
            expectError(try await api.post("/api/memory/memories/search", ["user_id": "alice\u{0}x", "query": "deploys", "mode": "lexical"]), .unprocessableContent, field: "user_id")
            expectError(try await api.post("/api/memory/context/retrieve", ["user_id": "alice\u{0}x", "query": "deploys", "min_relevance": 0]), .unprocessableContent, field: "user_id")
            expectError(try await api.get("/api/memory/memories/recent?user_id=alice%00x"), .unprocessableContent, field: "user_id")
            expectError(try await api.get("/api/memory/session/user/alice%00x?limit=10"), .unprocessableContent, field: "user_id")
            expectError(try await api.get("/api/memory/session/\(session)?user_id=alice%00x"), .unprocessableContent, field: "user_id")

            let sessions = try await api.get("/api/memory/session/user/alice?limit=200")
            #expect(sessions.array.count == 1, "\(api.deployment): \(sessions.text)")
        }
    }

    @Test func textWithNULIsRefusedOnEveryWritePathAndNothingIsStored() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice")
            let memoryPath = "/api/memory/memories"
            expectError(
                try await api.post(memoryPath, ["session_id": .string(session), "content": "before\u{0}after", "memory_type": "fact"]),
                .unprocessableContent, field: "content")
            expectError(
                try await api.post(memoryPath, ["session_id": .string(session), "content": "ok", "summary": "s\u{0}", "memory_type": "fact"]),
                .unprocessableContent, field: "summary")
            expectError(
                try await api.post(memoryPath, ["session_id": .string(session), "content": "ok", "memory_type": "fact", "metadata": ["k": "v\u{0}"]]),
                .unprocessableContent, field: "metadata")

            let batch = try await api.post("\(memoryPath)/batch", [
                "session_id": .string(session),
                "memories": [
                    ["content": "kept", "memory_type": "fact"],
                    ["content": "cut\u{0}here", "memory_type": "fact"],
                ],
            ])
            #expect(batch["created"] == 1 && batch["failed"] == 1, "\(api.deployment): \(batch.text)")

            let id = try await api.createMemory(session, "original")
            expectError(try await api.patch("\(memoryPath)/\(id)", ["content": "changed\u{0}"]), .unprocessableContent, field: "content")
            #expect(try await api.get("\(memoryPath)/\(id)")["content"]?.stringValue == "original")

            expectError(try await api.patch("/api/memory/session/\(session)", ["metadata": ["note": "a\u{0}b"]]), .unprocessableContent, field: "metadata")
            expectError(try await api.post("/api/memory/session/\(session)/end", ["final_summary": "done\u{0}"]), .unprocessableContent, field: "summary")
            #expect(try await api.get("/api/memory/session/\(session)")["state"] == "active")

            let stored = try await api.get("\(memoryPath)/session/\(session)?limit=200")
            #expect(stored.array.compactMap { $0.objectValue?["content"]?.stringValue }.sorted() == ["kept", "original"], "\(api.deployment): \(stored.text)")
        }
    }

    @Test func identifiersRefuseEveryControlCharacterWhileTextKeepsTabsAndNewlines() async throws {
        try await LiveAPI.run { api, _ in
            expectError(try await api.post("/api/memory/session/start", ["user_id": "bob\u{7}"]), .unprocessableContent, field: "user_id")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "bob", "project_id": "hub\t"]), .unprocessableContent, field: "project_id")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "bob", "client_session_id": "c\u{1B}[0m"]), .unprocessableContent, field: "client_session_id")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "bob", "tags": ["ok", "bad\n"]]), .unprocessableContent, field: "tags")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "bob", "tags": ["c1\u{85}"]]), .unprocessableContent, field: "tags")

            let session = try await api.startSession("bob")
            expectError(
                try await api.post("/api/memory/memories", ["session_id": .string(session), "content": "x", "memory_type": "fact", "entities": ["a\u{0}"]]),
                .unprocessableContent, field: "entities")
            expectError(try await api.post("/api/memory/memories/search", ["user_id": "bob", "query": "x", "tags": ["t\u{1}"]]), .unprocessableContent, field: "tags")
            expectError(try await api.post("/api/memory/memories/search", ["user_id": "bob", "query": "deploy\u{0}x", "mode": "lexical"]), .unprocessableContent, field: "query")

            let text = "line one\n\tindented \u{7} bell, \u{1F1EF}\u{1F1F5} and e\u{301}"
            let id = try await api.createMemory(session, text, ["summary": "two\nlines", "tags": ["é", "日本"]])
            let memory = try await api.get("/api/memory/memories/\(id)")
            #expect(memory["content"]?.stringValue == text)
            #expect(memory["summary"]?.stringValue == "two\nlines")
        }
    }
}
