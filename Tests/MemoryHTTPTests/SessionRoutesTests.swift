import Foundation
import HTTPTypes
import MemoryCore
import MemoryService
import MemoryStore
import Testing

@Suite struct SessionRoutesTests {
    static let sessionFields = [
        "id", "user_id", "project_id", "client_session_id", "parent_session_id", "state", "started_at", "ended_at",
        "end_reason", "summary", "metadata", "tags", "created_at", "updated_at", "duration", "is_active", "memory_count",
    ]

    @Test func startReturnsTheFullSession() async throws {
        try await LiveAPI.run { api, _ in
            let response = try await api.post("/api/memory/session/start", [
                "user_id": "alice", "project_id": "memoryhub", "metadata": ["editor": "vim", "nested": ["n": 1.5]], "tags": ["cli"],
            ])
            #expect(response.status == .created)
            for field in Self.sessionFields { #expect(response[field] != nil, "missing \(field)") }
            #expect(response["state"] == "active" && response["is_active"] == true && response["memory_count"] == 0)
            #expect(response["tags"] == ["cli", "project"])
            #expect(response["metadata"] == ["editor": "vim", "nested": ["n": 1.5]])
            #expect(response["duration"] == .null && response["ended_at"] == .null)
            let startedAt = try #require(response["started_at"]?.stringValue)
            #expect(Timestamp(iso8601: startedAt) != nil && startedAt.hasSuffix("Z"))
            let fetched = try await api.get("/api/memory/session/\(response.id)")
            #expect(fetched.status == .ok && fetched.json == response.json)
        }
    }

    @Test func startIsIdempotentByClientSessionID() async throws {
        try await LiveAPI.run { api, _ in
            let first = try await api.post("/api/memory/session/start", ["user_id": "alice", "client_session_id": "conv-1"])
            let second = try await api.post("/api/memory/session/start", ["user_id": "alice", "client_session_id": "conv-1"])
            #expect(first.status == .created && second.status == .ok)
            #expect(first.id == second.id)
            let otherUser = try await api.post("/api/memory/session/start", ["user_id": "bob", "client_session_id": "conv-1"])
            #expect(otherUser.status == .created && otherUser.id != first.id)
        }
    }

    @Test func startLinksToTheRecentActiveSessionOfTheProject() async throws {
        try await LiveAPI.run { api, _ in
            let first = try await api.post("/api/memory/session/start", ["user_id": "alice", "project_id": "p"])
            _ = try await api.createMemory(first.id, "Redis is optional", type: "fact", ["importance": 0.9, "entities": ["Redis"]])
            let linked = try await api.post("/api/memory/session/start", ["user_id": "alice", "project_id": "p"])
            #expect(linked["parent_session_id"]?.stringValue == first.id)
            #expect(linked["tags"] == ["project", "continued"])
            let context = linked["metadata"]?.objectValue?["parent_context"]?.objectValue
            #expect(context?["top_entities"] == ["Redis"])
            #expect(context?["important_facts"] == ["Redis is optional"])
            let otherProject = try await api.post("/api/memory/session/start", ["user_id": "alice", "project_id": "q"])
            #expect(otherProject["parent_session_id"] == .null)
            let unlinked = try await api.post("/api/memory/session/start", ["user_id": "alice", "project_id": "p", "auto_link": false])
            #expect(unlinked["parent_session_id"] == .null)
            let explicit = try await api.post("/api/memory/session/start", ["user_id": "alice", "project_id": "p", "parent_session_id": .string(first.id)])
            #expect(explicit["parent_session_id"]?.stringValue == first.id)
            #expect(explicit["tags"] == ["project"])
        }
    }

    @Test func startRejectsBadInput() async throws {
        try await LiveAPI.run { api, _ in
            let bob = try await api.startSession("bob")
            expectError(try await api.post("/api/memory/session/start", ["project_id": "p"]), .unprocessableContent, code: "invalid_field", field: "user_id")
            expectError(try await api.post("/api/memory/session/start", ["user_id": 42]), .unprocessableContent, field: "user_id")
            expectError(try await api.post("/api/memory/session/start", ["user_id": ""]), .unprocessableContent, field: "user_id")
            expectError(try await api.post("/api/memory/session/start", ["user_id": .string(String(repeating: "u", count: 256))]), .unprocessableContent, field: "user_id")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "a", "tags": "one"]), .unprocessableContent, field: "tags")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "a", "metadata": [1, 2]]), .unprocessableContent, field: "metadata")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "a", "auto_link": "yes"]), .unprocessableContent, field: "auto_link")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "a", "parent_session_id": "nope"]), .unprocessableContent, field: "parent_session_id")
            expectError(try await api.post("/api/memory/session/start", ["user_id": "alice", "parent_session_id": .string(bob)]), .notFound)
            expectError(try await api.send(.post, "/api/memory/session/start", raw: "{\"user_id\": "), .badRequest, code: "malformed_request")
            expectError(try await api.send(.post, "/api/memory/session/start", raw: "[1]"), .badRequest)
            expectError(try await api.post("/api/memory/session/start", ["user_id": "alice"], user: "mallory"), .forbidden)
        }
    }

    @Test func getRefusesBadUnknownAndForeignIDs() async throws {
        try await LiveAPI.run { api, _ in
            let id = try await api.startSession("alice")
            #expect(try await api.get("/api/memory/session/\(id)", user: "alice").status == .ok)
            #expect(try await api.get("/api/memory/session/\(id)?user_id=alice").status == .ok)
            expectError(try await api.get("/api/memory/session/not-a-uuid"), .badRequest)
            expectError(try await api.get("/api/memory/session/\(UUID().uuidString)"), .notFound, code: "session_not_found")
            expectError(try await api.get("/api/memory/session/\(id)", user: "mallory"), .notFound, code: "session_not_found")
            expectError(try await api.get("/api/memory/session/\(id)?user_id=mallory"), .notFound)
            expectError(try await api.get("/api/memory/session/\(id)?user_id=mallory", user: "alice"), .forbidden)
        }
    }

    @Test func patchMergesMetadataAndAddsTags() async throws {
        try await LiveAPI.run { api, _ in
            let id = try await api.startSession("alice", ["metadata": ["keep": 1, "drop": true], "tags": ["a"]])
            let response = try await api.patch("/api/memory/session/\(id)", ["metadata": ["drop": nil, "new": ["x": 2.0]], "tags": ["a", "b"]])
            #expect(response.status == .ok)
            #expect(response["metadata"] == ["keep": 1, "new": ["x": 2.0]])
            #expect(response["tags"] == ["a", "b"])
            let ended = try await api.patch("/api/memory/session/\(id)", ["ended_at": "2099-01-01T00:00:00.000001Z"])
            #expect(ended["ended_at"] == "2099-01-01T00:00:00.000001Z")
            expectError(try await api.patch("/api/memory/session/\(id)", ["ended_at": "2000-01-01T00:00:00Z"]), .unprocessableContent, field: "ended_at")
            expectError(try await api.patch("/api/memory/session/\(id)", ["ended_at": "soon"]), .unprocessableContent, field: "ended_at")
            expectError(try await api.patch("/api/memory/session/\(id)", ["metadata": "x"]), .unprocessableContent, field: "metadata")
            expectError(try await api.patch("/api/memory/session/\(id)", ["tags": [1]]), .unprocessableContent, field: "tags")
            expectError(try await api.send(.patch, "/api/memory/session/\(id)", raw: "{"), .badRequest)
            expectError(try await api.patch("/api/memory/session/\(UUID().uuidString)", ["tags": ["x"]]), .notFound)
            expectError(try await api.patch("/api/memory/session/\(id)", ["tags": ["x"]], user: "mallory"), .notFound)
        }
    }

    @Test func endRecordsStatsInsightsAndSummaryOnce() async throws {
        try await LiveAPI.run { api, _ in
            let id = try await api.startSession()
            _ = try await api.createMemory(id, "Ship on Fridays. TODO: ask QA", type: "decision", ["importance": 0.9, "entities": ["QA"]])
            _ = try await api.createMemory(id, "Timeout in CI", type: "error", ["importance": 0.6])
            expectError(try await api.post("/api/memory/session/\(id)/end", ["reason": "bored"]), .unprocessableContent, field: "reason")
            let ended = try await api.post("/api/memory/session/\(id)/end", ["reason": "user_requested"])
            #expect(ended.status == .ok)
            #expect(ended["state"] == "ended" && ended["end_reason"] == "user_requested" && ended["is_active"] == false)
            #expect(ended["duration"]?.numberValue != nil && ended["ended_at"] != .null)
            let metadata = ended["metadata"]?.objectValue
            #expect(metadata?["final_stats"]?.objectValue?["memory_count"] == 2)
            #expect(metadata?["insights"]?.objectValue?["action_items"] == ["Ship on Fridays. TODO: ask QA"])
            #expect(metadata?["insights"]?.objectValue?["errors_encountered"] == ["Timeout in CI"])
            #expect(ended["summary"]?.stringValue?.contains("Ship on Fridays") == true)
            let again = try await api.post("/api/memory/session/\(id)/end", ["reason": "normal", "final_summary": "other"])
            #expect(again.status == .ok && again.json == ended.json)
            let custom = try await api.startSession()
            let withSummary = try await api.post("/api/memory/session/\(custom)/end", ["final_summary": "We shipped."])
            #expect(withSummary["summary"] == "We shipped." && withSummary["end_reason"] == "normal")
            expectError(try await api.post("/api/memory/session/\(custom)/end", user: "mallory"), .notFound)
        }
    }

    @Test func transitionsFollowTheLifecycleAndRefuseTheRest() async throws {
        try await LiveAPI.run { api, _ in
            let id = try await api.startSession()
            let path = "/api/memory/session/\(id)/transition"
            #expect(try await api.post(path, ["state": "paused"])["state"] == "paused")
            expectError(try await api.post(path, ["state": "paused"]), .conflict, code: "invalid_transition")
            expectError(try await api.post(path, ["state": "archived"]), .conflict, code: "invalid_transition")
            #expect(try await api.post(path, ["state": "active"])["state"] == "active")
            let ended = try await api.post(path, ["state": "ended"])
            #expect(ended["state"] == "ended" && ended["metadata"]?.objectValue?["final_stats"] != nil)
            expectError(try await api.post(path, ["state": "active"]), .conflict)
            #expect(try await api.post(path, ["state": "archived"])["state"] == "archived")
            expectError(try await api.post(path, ["state": "paused"]), .conflict, code: "invalid_transition")
            #expect(try await api.post(path, ["state": "ended"])["state"] == "archived", "ending an archived session changes nothing")
            expectError(try await api.post(path, [:]), .unprocessableContent, field: "state")
            expectError(try await api.post(path, ["state": "sleeping"]), .unprocessableContent, field: "state")
            expectError(try await api.post("/api/memory/session/\(UUID().uuidString)/transition", ["state": "paused"]), .notFound)
        }
    }

    @Test func deleteRemovesTheSessionAndItsMemories() async throws {
        try await LiveAPI.run { api, _ in
            let id = try await api.startSession()
            let memory = try await api.createMemory(id)
            expectError(try await api.delete("/api/memory/session/\(id)", user: "mallory"), .notFound)
            #expect(try await api.get("/api/memory/session/\(id)").status == .ok)
            let deleted = try await api.delete("/api/memory/session/\(id)")
            #expect(deleted.status == .noContent)
            expectError(try await api.get("/api/memory/session/\(id)"), .notFound)
            expectError(try await api.get("/api/memory/memories/\(memory)"), .notFound)
            expectError(try await api.delete("/api/memory/session/\(id)"), .notFound)
            expectError(try await api.delete("/api/memory/session/zzz"), .badRequest)
        }
    }

    @Test func listingByUserPagesAndValidatesLimits() async throws {
        try await LiveAPI.run { api, _ in
            var ids: [String] = []
            for index in 0..<5 { ids.append(try await api.startSession("carol", ["project_id": .string(index < 3 ? "a" : "b")])) }
            _ = try await api.startSession("dave")
            let page = try await api.get("/api/memory/session/user/carol?limit=2&offset=1")
            #expect(page.status == .ok && page.totalCount == 5)
            #expect(page.array.map { $0.objectValue?["id"]?.stringValue ?? "" } == [ids[3], ids[2]])
            #expect(try await api.get("/api/memory/session/user/carol?project_id=a").totalCount == 3)
            _ = try await api.post("/api/memory/session/\(ids[0])/end")
            #expect(try await api.get("/api/memory/session/user/carol?active_only=true").totalCount == 4)
            #expect(try await api.get("/api/memory/session/user/carol").array.count == 5)
            for bad in ["limit=0", "limit=201", "limit=ten", "offset=-1", "active_only=maybe"] {
                expectError(try await api.get("/api/memory/session/user/carol?\(bad)"), .unprocessableContent)
            }
            expectError(try await api.get("/api/memory/session/user/carol", user: "dave"), .forbidden)
            let active = try await api.get("/api/memory/session/active?user_id=carol&project_id=b")
            #expect(active.status == .ok && active.array.count == 2)
            expectError(try await api.get("/api/memory/session/active"), .unprocessableContent, field: "user_id")
        }
    }

    @Test func chainRunsFromTheRootThroughDescendants() async throws {
        try await LiveAPI.run { api, _ in
            let root = try await api.startSession()
            let middle = try await api.startSession("alice", ["parent_session_id": .string(root)])
            let leaf = try await api.startSession("alice", ["parent_session_id": .string(middle)])
            let sibling = try await api.startSession("alice", ["parent_session_id": .string(root)])
            let chain = try await api.get("/api/memory/session/\(middle)/chain")
            #expect(chain.array.map { $0.objectValue?["id"]?.stringValue ?? "" } == [root, middle, leaf])
            let fromRoot = try await api.get("/api/memory/session/\(root)/chain")
            #expect(fromRoot.array.map { $0.objectValue?["id"]?.stringValue ?? "" } == [root, middle, leaf, sibling])
            expectError(try await api.get("/api/memory/session/\(UUID().uuidString)/chain"), .notFound)
            expectError(try await api.get("/api/memory/session/\(root)/chain", user: "mallory"), .notFound)
        }
    }

    @Test func contextListsTheImportantMemories() async throws {
        try await LiveAPI.run { api, _ in
            let id = try await api.startSession("alice", ["project_id": "p"])
            _ = try await api.createMemory(id, "minor", type: "fact", ["importance": 0.2])
            let key = try await api.createMemory(id, "key decision", type: "decision", ["importance": 0.95])
            let context = try await api.get("/api/memory/session/\(id)/context")
            #expect(context.status == .ok)
            #expect(context["session_id"]?.stringValue == id && context["memory_count"] == 2 && context["is_active"] == true)
            #expect(context["important_memories"]?.arrayValue?.map { $0.objectValue?["id"]?.stringValue } == [key])
            for field in ["user_id", "project_id", "started_at", "duration", "tags"] { #expect(context[field] != nil) }
            expectError(try await api.get("/api/memory/session/\(id)/context", user: "mallory"), .notFound)
        }
    }

    @Test func cleanupEndsStaleSessionsAndReportsTheCount() async throws {
        try await LiveAPI.run { api, services in
            let stale = Session(userID: "erin", startedAt: Timestamp.now().adding(seconds: -3 * 3600))
            try await services.store.insertSession(stale)
            let fresh = try await api.startSession("erin")
            let response = try await api.post("/api/memory/session/cleanup", ["hours": 2])
            #expect(response.status == .ok)
            #expect(response["closed_count"] == 1)
            #expect(response["message"]?.stringValue?.isEmpty == false)
            let closed = try await api.get("/api/memory/session/\(stale.id.lowercased)")
            #expect(closed["state"] == "ended" && closed["end_reason"] == "timeout")
            #expect(closed["tags"]?.arrayValue?.contains("auto-closed") == true)
            #expect(try await api.get("/api/memory/session/\(fresh)")["state"] == "active")
            expectError(try await api.post("/api/memory/session/cleanup", ["hours": -1]), .unprocessableContent, field: "hours")
            expectError(try await api.post("/api/memory/session/cleanup", ["hours": "many"]), .unprocessableContent, field: "hours")
        }
    }

    /// Issue 10, item 9: every HTTP client percent-encodes `jörg` in a path; the path parameter is
    /// decoded once, as query parameters are.
    @Test func userPathParametersArePercentDecodedLikeQueryParameters() async throws {
        try await LiveAPI.run { api, _ in
            let session = try await api.startSession("jörg")
            _ = try await api.createMemory(session, "jörg prefers tabs")
            let sessions = try await api.get("/api/memory/session/user/j%C3%B6rg")
            #expect(sessions.array.compactMap { $0.objectValue?["id"]?.stringValue } == [session], "\(api.deployment): \(sessions.text)")
            let stats = try await api.get("/api/memory/context/stats/j%C3%B6rg")
            #expect(stats["total_memories"] == 1, "\(api.deployment): \(stats.text)")
            let quick = try await api.get("/api/memory/context/quick/j%C3%B6rg?query=tabs")
            #expect(quick["total_memories"] == 1, "\(api.deployment): \(quick.text)")
            // A literal percent sign is encoded too, and decoded exactly once.
            let percent = try await api.startSession("100%")
            #expect(try await api.get("/api/memory/session/user/100%25").array.first?.objectValue?["id"]?.stringValue == percent)
            expectError(try await api.get("/api/memory/session/user/bad%ZZ"), .badRequest)
        }
    }
}
