import Foundation
import MemoryCore
@testable import MemoryMCP
import MemoryService
import MemoryStore
import Testing

/// `store_persistent_context` and `query_persistent_context` in process: the connection's user,
/// project and session as defaults, and the errors a model can cause.
@Suite struct PersistentContextToolTests {
    @Test func storesForTheConnectionAndFindsItAgain() async throws {
        try await MemoryToolsTests.withTools { tools, services in
            let stored = await tools.call("store_persistent_context", arguments: [
                "content": "Releases are cut from the main branch with make release", "context_type": "workflows", "scope": "project",
                "importance": 0.8, "related_entities": ["make"],
            ])
            #expect(!stored.isError, "\(stored.text)")
            let id = try #require(stored.structured?.objectValue?["context_id"]?.stringValue)
            let uuid = try #require(UUID(uuidString: id))
            let item = try #require(try await services.store.contextItem(id: uuid, userID: "dana"))
            #expect(item.projectID == "shop" && item.scope == .project && item.importance == 0.8, "the connection's project is the default")

            let found = await tools.call("query_persistent_context", arguments: ["query": "how are releases cut", "context_type": "workflows"])
            #expect(!found.isError && found.text.contains("make release") && found.text.contains(id), "\(found.text)")
            #expect(found.structured?.objectValue?["results"]?.arrayValue?.first?.objectValue?["access_count"] == 2)
            let nothing = await tools.call("query_persistent_context", arguments: ["query": "penguins"])
            #expect(!nothing.isError && nothing.text == "No persistent context matches.")

            let session = await tools.call("store_persistent_context", arguments: ["content": "x", "context_type": "learnings", "scope": "session"])
            #expect(session.isError && session.text.contains("session_id"), "no current session yet: \(session.text)")
            _ = await tools.call("init_session", arguments: [:])
            let inSession = await tools.call("store_persistent_context", arguments: ["content": "x", "context_type": "learnings", "scope": "session"])
            #expect(!inSession.isError, "the current session is the default: \(inSession.text)")
        }
    }

    @Test func refusesWhatTheAPIRefuses() async throws {
        try await MemoryToolsTests.withTools { tools, _ in
            let valid: JSONObject = ["content": "x", "context_type": "decisions", "scope": "user"]
            for (change, field) in [
                (["context_type": "gossip"] as JSONObject, "context_type"), (["scope": "galaxy"], "scope"), (["importance": 2], "importance"),
                (["content": ""], "content"),
            ] {
                var arguments = valid
                for (key, value) in change { arguments[key] = value }
                let outcome = await tools.call("store_persistent_context", arguments: arguments)
                #expect(outcome.isError && outcome.structured?.objectValue?["code"] == "invalid_field" && outcome.text.contains(field), "\(field): \(outcome.text)")
            }
            let limit = await tools.call("query_persistent_context", arguments: ["query": "x", "limit": 500])
            #expect(limit.isError && limit.structured?.objectValue?["code"] == "invalid_field" && limit.text.contains("limit"), "\(limit.text)")
            let missing = await tools.call("query_persistent_context", arguments: [:])
            #expect(missing.isError && missing.structured?.objectValue?["code"] == "invalid_field" && missing.text.contains("query"), "\(missing.text)")
        }
    }
}
