import Foundation
import HTTPTypes
import MemoryCore
import Testing

@Suite struct MemoryRoutesTests {
    static let memoryFields = [
        "id", "session_id", "user_id", "project_id", "content", "summary", "memory_type", "importance", "confidence",
        "entities", "tags", "related_memories", "metadata", "has_embedding", "access_count", "last_accessed",
        "created_at", "updated_at", "age_days", "relevance_score", "is_recent", "is_high_importance",
    ]

    @Test func createReturnsTheMemoryWithDerivedFieldsAndCountsIt() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice", ["project_id": "hub"])
            let response = try await api.post("/api/memory/memories", [
                "session_id": .string(session), "content": "Use WAL mode", "memory_type": "decision",
                "entities": ["SQLite"], "tags": ["storage"], "metadata": ["file": "db.swift", "line": 12],
            ])
            #expect(response.status == .created)
            for field in Self.memoryFields { #expect(response[field] != nil, "missing \(field)") }
            #expect(response["importance"] == 0.5 && response["confidence"] == 0.8)
            #expect(response["user_id"] == "alice" && response["project_id"] == "hub")
            #expect(response["has_embedding"] == false && response["access_count"] == 0 && response["is_recent"] == true)
            #expect(response["is_high_importance"] == false)
            #expect(abs((response["relevance_score"]?.numberValue ?? 0) - 0.35) < 0.001)
            #expect(response["metadata"] == ["file": "db.swift", "line": 12])
            let sessionAfter = try await api.get("/api/memory/session/\(session)")
            #expect(sessionAfter["memory_count"] == 1)
        }
    }

    @Test func createRejectsBadInput() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice")
            let bobs = try await api.startSession("bob")
            func body(_ extra: JSONObject) -> JSONValue {
                var object: JSONObject = ["session_id": .string(session), "content": "x", "memory_type": "fact"]
                for (key, value) in extra { object[key] = value }
                return .object(object)
            }
            let path = "/api/memory/memories"
            expectError(try await api.post(path, body(["content": nil])), .unprocessableContent, field: "content")
            expectError(try await api.post(path, body(["content": ""])), .unprocessableContent, field: "content")
            expectError(try await api.post(path, body(["content": 7])), .unprocessableContent, field: "content")
            expectError(try await api.post(path, body(["content": .string(String(repeating: "é", count: 32 * 1024 + 1))])), .unprocessableContent, field: "content")
            #expect(try await api.post(path, body(["content": .string(String(repeating: "a", count: 64 * 1024))])).status == .created)
            expectError(try await api.post(path, body(["memory_type": "rumour"])), .unprocessableContent, field: "memory_type")
            expectError(try await api.post(path, body(["memory_type": nil])), .unprocessableContent, field: "memory_type")
            expectError(try await api.post(path, body(["importance": 1.5])), .unprocessableContent, field: "importance")
            expectError(try await api.post(path, body(["importance": -0.1])), .unprocessableContent, field: "importance")
            expectError(try await api.post(path, body(["importance": "high"])), .unprocessableContent, field: "importance")
            expectError(try await api.post(path, body(["confidence": 2])), .unprocessableContent, field: "confidence")
            expectError(try await api.post(path, body(["entities": "SQLite"])), .unprocessableContent, field: "entities")
            expectError(try await api.post(path, body(["metadata": "x"])), .unprocessableContent, field: "metadata")
            expectError(try await api.post(path, body(["session_id": "abc"])), .unprocessableContent, field: "session_id")
            expectError(try await api.post(path, body(["session_id": nil])), .unprocessableContent, field: "session_id")
            expectError(try await api.post(path, body(["related_memories": [.string(UUID().uuidString)]])), .unprocessableContent, field: "related_memories")
            expectError(try await api.post(path, body(["session_id": .string(UUID().uuidString)])), .notFound, code: "session_not_found")
            expectError(try await api.post(path, body(["session_id": .string(bobs)]), user: "alice"), .notFound)
            expectError(try await api.send(.post, path, raw: "not json"), .badRequest)
            #expect(try await api.get("/api/memory/session/\(session)")["memory_count"] == 1)
        }
    }

    @Test func relatedMemoriesMustBelongToTheSameUser() async throws {
        try await LiveAPI.run { api, _ in
            let alice = try await api.startSession("alice")
            let bob = try await api.startSession("bob")
            let alicesMemory = try await api.createMemory(alice)
            let bobsMemory = try await api.createMemory(bob)
            let linked = try await api.post("/api/memory/memories", [
                "session_id": .string(alice), "content": "x", "memory_type": "fact", "related_memories": [.string(alicesMemory)],
            ])
            #expect(linked["related_memories"] == [.string(alicesMemory)])
            expectError(try await api.post("/api/memory/memories", [
                "session_id": .string(alice), "content": "x", "memory_type": "fact", "related_memories": [.string(bobsMemory)],
            ]), .unprocessableContent, field: "related_memories")
        }
    }

    @Test func getCountsEachAccess() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice")
            let id = try await api.createMemory(session)
            #expect(try await api.get("/api/memory/memories/\(id)")["access_count"] == 1)
            let second = try await api.get("/api/memory/memories/\(id)", user: "alice")
            #expect(second["access_count"] == 2 && second["last_accessed"]?.stringValue != nil)
            expectError(try await api.get("/api/memory/memories/\(id)", user: "mallory"), .notFound, code: "memory_not_found")
            expectError(try await api.get("/api/memory/memories/\(UUID().uuidString)"), .notFound)
            expectError(try await api.get("/api/memory/memories/12345"), .badRequest)
            #expect(try await api.get("/api/memory/memories/\(id)")["access_count"] == 3)
        }
    }

    @Test func updateChangesFieldsWithPatchAndPut() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice")
            let id = try await api.createMemory(session, "old", type: "fact", ["entities": ["A"], "metadata": ["a": 1, "b": 2]])
            let patched = try await api.patch("/api/memory/memories/\(id)", [
                "content": "new", "importance": 0.9, "entities": ["B", "C"], "metadata": ["a": nil, "c": 3], "summary": "short",
            ])
            #expect(patched.status == .ok)
            #expect(patched["content"] == "new" && patched["importance"] == 0.9 && patched["is_high_importance"] == true)
            #expect(patched["entities"] == ["B", "C"] && patched["metadata"] == ["b": 2, "c": 3] && patched["summary"] == "short")
            let put = try await api.send(.put, "/api/memory/memories/\(id)", json: ["tags": ["t"], "summary": nil])
            #expect(put.status == .ok && put["tags"] == ["t"] && put["summary"] == .null && put["content"] == "new")
            expectError(try await api.patch("/api/memory/memories/\(id)", ["importance": 3]), .unprocessableContent, field: "importance")
            expectError(try await api.patch("/api/memory/memories/\(id)", ["content": nil]), .unprocessableContent, field: "content")
            expectError(try await api.patch("/api/memory/memories/\(id)", ["content": ""]), .unprocessableContent, field: "content")
            expectError(try await api.patch("/api/memory/memories/\(id)", ["tags": "t"]), .unprocessableContent, field: "tags")
            expectError(try await api.patch("/api/memory/memories/\(id)", ["content": "x"], user: "mallory"), .notFound)
            expectError(try await api.patch("/api/memory/memories/\(UUID().uuidString)", ["content": "x"]), .notFound)
            #expect(try await api.get("/api/memory/memories/\(id)")["content"] == "new")
        }
    }

    @Test func deleteUncountsTheMemory() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice")
            let id = try await api.createMemory(session)
            expectError(try await api.delete("/api/memory/memories/\(id)", user: "mallory"), .notFound)
            #expect(try await api.delete("/api/memory/memories/\(id)").status == .noContent)
            #expect(try await api.get("/api/memory/session/\(session)")["memory_count"] == 0)
            expectError(try await api.get("/api/memory/memories/\(id)"), .notFound)
            expectError(try await api.delete("/api/memory/memories/\(id)"), .notFound)
        }
    }

    @Test func listingBySessionFiltersAndPages() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice")
            var ids: [String] = []
            for index in 0..<6 {
                ids.append(try await api.createMemory(session, "m\(index)", type: index < 2 ? "error" : "fact", ["importance": .double(Double(index) / 5)]))
            }
            let path = "/api/memory/memories/session/\(session)"
            let page = try await api.get("\(path)?limit=2&offset=1")
            #expect(page.totalCount == 6)
            #expect(page.array.map { $0.objectValue?["id"]?.stringValue ?? "" } == [ids[4], ids[3]])
            #expect(try await api.get("\(path)?memory_type=error").totalCount == 2)
            #expect(try await api.get("\(path)?min_importance=0.6").totalCount == 3)
            #expect(try await api.get(path).array.count == 6)
            for bad in ["limit=0", "limit=201", "offset=-2", "memory_type=rumour", "min_importance=2", "min_importance=x"] {
                expectError(try await api.get("\(path)?\(bad)"), .unprocessableContent)
            }
            expectError(try await api.get("/api/memory/memories/session/\(UUID().uuidString)"), .notFound)
            expectError(try await api.get(path, user: "mallory"), .notFound)
        }
    }

    @Test func recentListsTheUsersNewestMemoriesAcrossSessions() async throws {
        try await LiveAPI.run { api, _ in
            let first = try await api.startSession("alice", ["project_id": "a"])
            let second = try await api.startSession("alice", ["project_id": "b"])
            let one = try await api.createMemory(first, "one")
            let two = try await api.createMemory(second, "two")
            _ = try await api.createMemory(try await api.startSession("bob"), "bob's")
            let recent = try await api.get("/api/memory/memories/recent?user_id=alice")
            #expect(recent.array.map { $0.objectValue?["id"]?.stringValue ?? "" } == [two, one])
            #expect(try await api.get("/api/memory/memories/recent?user_id=alice&project_id=a").array.count == 1)
            #expect(try await api.get("/api/memory/memories/recent?user_id=alice&limit=1").array.count == 1)
            expectError(try await api.get("/api/memory/memories/recent"), .unprocessableContent, field: "user_id")
            expectError(try await api.get("/api/memory/memories/recent?user_id=alice&limit=0"), .unprocessableContent, field: "limit")
        }
    }

    @Test func batchStoresTheValidItemsAndReportsTheRest() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("alice")
            let response = try await api.post("/api/memory/memories/batch", [
                "session_id": .string(session),
                "memories": [
                    ["content": "first", "memory_type": "fact"],
                    ["content": "", "memory_type": "fact"],
                    ["content": "third", "memory_type": "pattern", "importance": 0.7],
                    "not an object",
                    ["content": "fifth", "memory_type": "nonsense"],
                ],
            ])
            #expect(response.status == .created)
            #expect(response["created"] == 2 && response["failed"] == 3)
            #expect(response["memories"]?.arrayValue?.map { $0.objectValue?["content"] } == ["first", "third"])
            #expect(response["errors"]?.arrayValue?.map { $0.objectValue?["index"] } == [1, 3, 4])
            #expect(response["errors"]?.arrayValue?.allSatisfy { $0.objectValue?["detail"]?.stringValue?.isEmpty == false } == true)
            #expect(try await api.get("/api/memory/session/\(session)")["memory_count"] == 2)
            let allBad = try await api.post("/api/memory/memories/batch", ["session_id": .string(session), "memories": [["content": "x"]]])
            #expect(allBad.status == .unprocessableContent && allBad["created"] == 0)
            expectError(try await api.post("/api/memory/memories/batch", ["session_id": .string(session)]), .unprocessableContent, field: "memories")
            expectError(try await api.post("/api/memory/memories/batch", ["session_id": .string(session), "memories": "x"]), .unprocessableContent, field: "memories")
        }
    }
}
