import Foundation
import MemoryCore
@testable import MemoryMCP
import MemoryService
import Testing

/// `compress_session_context` in process: the current session by default, the budget, the
/// errors a model can cause.
@Suite struct CompressionToolTests {
    @Test func compressesTheCurrentSessionWithinTheBudget() async throws {
        try await MemoryToolsTests.withTools { tools, _ in
            let before = await tools.call("compress_session_context", arguments: [:])
            #expect(before.isError && before.structured?.objectValue?["code"] == "invalid_field", "\(before.text)")
            _ = await tools.call("init_session", arguments: [:])
            let empty = await tools.call("compress_session_context", arguments: [:])
            #expect(!empty.isError && empty.text.hasSuffix("has no memories yet."), "\(empty.text)")
            for index in 0..<40 {
                let created = await tools.call("create_memory", arguments: [
                    "content": .string("Decision \(index): " + String(repeating: "we keep the cache warm for tenant \(index) ", count: 12)),
                    "memory_type": "decision", "importance": .double(Double(index % 10) / 10),
                ])
                #expect(!created.isError, "\(created.text)")
            }
            let outcome = await tools.call("compress_session_context", arguments: ["target_tokens": 500, "strategy": "hierarchical"])
            #expect(!outcome.isError, "\(outcome.text)")
            let structured = try #require(outcome.structured?.objectValue)
            #expect(structured["original_memory_count"] == 40 && structured["strategy_used"] == "hierarchical")
            #expect((structured["token_estimate"]?.numberValue ?? .infinity) <= 500)
            #expect(outcome.text.contains("compressed with hierarchical") && outcome.text.contains("Memories:"))
        }
    }

    @Test func refusesWhatTheAPIRefuses() async throws {
        try await MemoryToolsTests.withTools { tools, services in
            let other = try await services.sessions.start(SessionStartRequest(userID: "someone-else")).session
            let foreign = await tools.call("compress_session_context", arguments: ["session_id": .string(other.id.lowercased)])
            #expect(foreign.isError && foreign.structured?.objectValue?["code"] == "session_not_found")
            _ = await tools.call("init_session", arguments: [:])
            for (arguments, field) in [(["target_tokens": 100] as JSONObject, "target_tokens"), (["strategy": "zip"], "strategy"), (["level": "max"], "level")] {
                let outcome = await tools.call("compress_session_context", arguments: arguments)
                #expect(outcome.isError && outcome.text.contains(field), "\(outcome.text)")
            }
        }
    }
}
