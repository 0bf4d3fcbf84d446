import Foundation
import Logging
import MemoryCore
@testable import MemoryMCP
import MemoryService
import MemoryStore
import Testing

/// The tools in process, on a fresh embedded database: argument checks and tool errors.
@Suite struct MemoryToolsTests {
    static func withTools(user: String? = "dana", project: String? = "shop", _ body: (MemoryTools, MemoryHubServices) async throws -> Void) async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("tools")
        defer { try? FileManager.default.removeItem(at: folder) }
        let services = try await MemoryHubServices.embedded(path: folder.path + "/db.sqlite", logger: Logger(label: "test"))
        try await body(MemoryTools(services: services, connection: MCPConnection(userID: user, projectID: project), logger: Logger(label: "test")), services)
    }

    @Test func everyToolIsListedWithTheArgumentsOfAPIMD() {
        let expected: [String: [String]] = [
            "init_session": ["metadata", "parent_session_id", "project_id", "tags"],
            "get_session": ["include_context", "session_id"],
            "update_session_context": ["metadata", "session_id", "tags"],
            "end_session": ["reason", "session_id", "summary"],
            "get_session_history": ["limit", "project_id"],
            "create_memory": ["content", "entities", "importance", "memory_type", "metadata", "session_id", "summary", "tags"],
            "search_memories": ["limit", "memory_types", "min_importance", "project_id", "query"],
            "get_memory": ["memory_id"],
            "update_memory": ["content", "entities", "importance", "memory_id", "metadata", "summary", "tags"],
            "delete_memory": ["memory_id"],
            "get_memory_stats": ["project_id"],
            "get_context": ["context_types", "max_memories", "max_tokens", "query"],
            "suggest_session_links": ["context_hint", "project_id"],
            "get_session_insights": ["session_id"],
            "compress_session_context": ["level", "session_id", "strategy", "target_tokens"],
            "store_persistent_context": [
                "content", "context_type", "importance", "metadata", "project_id", "related_entities", "scope", "session_id",
            ],
            "query_persistent_context": ["context_type", "limit", "project_id", "query", "scope", "session_id"],
        ]
        #expect(Set(MemoryTool.all.map(\.name)) == Set(expected.keys))
        for (name, arguments) in expected {
            #expect(MemoryTool.byName[name]?.argumentNames == arguments, "\(name)")
        }
    }

    @Test func linkSuggestionsAndInsightsOfTheCurrentSession() async throws {
        try await Self.withTools { tools, _ in
            let none = await tools.call("suggest_session_links", arguments: ["context_hint": "billing"])
            #expect(!none.isError && none.text == "No earlier session to continue.")
            _ = await tools.call("init_session", arguments: [:])
            _ = await tools.call("create_memory", arguments: ["content": "We chose SQLite for the embedded store. TODO: benchmark WAL", "memory_type": "decision", "entities": ["SQLite"]])
            let insights = await tools.call("get_session_insights", arguments: [:])
            #expect(!insights.isError, "\(insights.text)")
            #expect(insights.text.contains("Action items:") && insights.text.contains("TODO: benchmark WAL"))
            #expect(insights.structured?.objectValue?["memory_count"] == .int(1))
            let links = await tools.call("suggest_session_links", arguments: [:])
            #expect(!links.isError && links.text.contains("recent_active"), "\(links.text)")
            let unknown = await tools.call("get_session_insights", arguments: ["session_id": .string(UUID().uuidString)])
            #expect(unknown.isError && unknown.structured?.objectValue?["code"] == "session_not_found")
        }
    }

    @Test func createMemoryStartsOneSessionForConcurrentCalls() async throws {
        try await Self.withTools { tools, services in
            let outcomes = await withTaskGroup(of: ToolOutcome.self) { group in
                for index in 0..<8 {
                    group.addTask { await tools.call("create_memory", arguments: ["content": .string("note \(index)"), "memory_type": "fact"]) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { !$0.isError }, "\(outcomes.map(\.text))")
            let sessions = Set(outcomes.compactMap { $0.structured?.objectValue?["memory"]?.objectValue?["session_id"]?.stringValue })
            #expect(sessions.count == 1)
            let page = try await services.sessions.list(userID: "dana", projectID: "shop", activeOnly: false, limit: 10, offset: 0)
            #expect(page.total == 1 && page.items.first?.memoryCount == 8)
        }
    }

    @Test func badArgumentsAreToolErrorsThatSayWhatIsWrong() async throws {
        try await Self.withTools { tools, _ in
            let cases: [(String, JSONObject, String)] = [
                ("create_memory", ["content": "x"], "memory_type is required."),
                ("create_memory", ["content": "x", "memory_type": "fact", "importance": 1.5], "importance must be between 0 and 1."),
                ("create_memory", ["content": "", "memory_type": "fact"], "content must not be empty."),
                ("create_memory", ["content": 3, "memory_type": "fact"], "content must be a string, not number."),
                ("get_memory", ["memory_id": "42"], "memory_id must be a UUID"),
                ("get_memory", [:], "memory_id is required."),
                ("get_session", [:], "There is no current session"),
                ("get_session_history", ["limit": 500], "limit must be between 1 and 200."),
                ("get_context", ["max_tokens": 5], "max_tokens must be between 100 and 32000."),
                ("search_memories", ["query": "x", "memory_types": ["fact", "idea"]], "memory_types must be one of"),
                ("delete_memory", ["memory_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "force": true], "delete_memory does not take 'force'"),
                ("forget_everything", [:], "There is no tool named 'forget_everything'"),
            ]
            for (tool, arguments, phrase) in cases {
                let outcome = await tools.call(tool, arguments: arguments)
                #expect(outcome.isError, "\(tool) \(arguments)")
                #expect(outcome.text.contains(phrase), "\(tool): \(outcome.text)")
                #expect(outcome.structured?.objectValue?["code"] != nil)
            }
        }
    }

    @Test func aConnectionWithoutUserRefusesPolitely() async throws {
        try await Self.withTools(user: nil) { tools, _ in
            let outcome = await tools.call("create_memory", arguments: ["content": "x", "memory_type": "fact"])
            #expect(outcome.isError && outcome.text.contains("X-User-ID"))
        }
    }

    @Test func endingTheCurrentSessionForgetsIt() async throws {
        try await Self.withTools { tools, _ in
            let started = await tools.call("init_session", arguments: [:])
            #expect(!started.isError)
            let ended = await tools.call("end_session", arguments: ["summary": "done"])
            #expect(!ended.isError && ended.text.contains("ended"))
            #expect(await tools.call("update_session_context", arguments: ["tags": ["x"]]).isError)
            let memory = await tools.call("create_memory", arguments: ["content": "after", "memory_type": "fact"])
            #expect(!memory.isError)
            #expect(memory.structured?.objectValue?["memory"]?.objectValue?["session_id"] != started.structured?.objectValue?["session"]?.objectValue?["id"])
        }
    }

    /// Issue 10, item 5: a search with limit 100 over long memories was 6 MB of structured
    /// content. Every result stays within the budget; clipped contents name the id that
    /// get_memory returns whole.
    @Test func toolResultsStayWithinTheBudgetAndSayHowToGetTheRest() async throws {
        try await Self.withTools { tools, services in
            let session = try await services.sessions.start(SessionStartRequest(userID: "dana", projectID: "shop", autoLink: false)).session
            let body = String(repeating: "The deploy pipeline runs make release then uploads the binary. ", count: 60)
            var ids: [String] = []
            for index in 0..<100 {
                let memory = try await services.memories.create(
                    NewMemory(sessionID: session.id, content: "\(index) \(body)", memoryType: .fact), actingUser: "dana")
                ids.append(memory.id.lowercased)
            }
            let budget = ResultBudget().maximumCharacters
            func size(_ outcome: ToolOutcome) -> Int { outcome.text.count + (outcome.structured.map { JSONWriter.bytes($0).count } ?? 0) }

            let search = await tools.call("search_memories", arguments: ["query": "deploy pipeline release", "limit": 100])
            #expect(!search.isError, "\(search.text)")
            #expect(size(search) <= budget, "search: \(size(search)) characters")
            let results = search.structured?.objectValue?["results"]?.arrayValue ?? []
            let clipped = try #require(results.first?.objectValue)
            #expect(clipped["content_clipped"] == true)
            let clippedID = try #require(clipped["id"]?.stringValue)
            #expect(clipped["content"]?.stringValue?.contains("get_memory with memory_id \(clippedID)") == true)
            #expect(search.structured?.objectValue?["total"] == 100)

            let context = await tools.call("get_context", arguments: ["query": "deploy pipeline", "max_tokens": 32000, "max_memories": 100])
            #expect(!context.isError && size(context) <= budget, "context: \(size(context)) characters")

            let whole = await tools.call("get_memory", arguments: ["memory_id": .string(clippedID)])
            #expect(whole.structured?.objectValue?["memory"]?.objectValue?["content"]?.stringValue?.count ?? 0 > body.count, "get_memory returns the whole memory")
            #expect(size(whole) <= budget)
            _ = ids
        }
    }
}
