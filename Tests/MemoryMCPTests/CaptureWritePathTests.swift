import Foundation
import Logging
import MemoryCore
@testable import MemoryHooks
@testable import MemoryMCP
import MemoryService
import MemoryStore
import Testing

/// Issue 12 on the MCP and hook write paths: secrets are redacted and identical writes stored once.
@Suite struct CaptureWritePathTests {
    static let token = "ghp_" + "Zq8Rt5Vw2Xy7Ab4Cd1Ef6Gh3Jk9Mn0Pq2St5Uv"

    @Test func createMemoryRedactsAndReportsADuplicate() async throws {
        try await MemoryToolsTests.withTools { tools, services in
            let first = await tools.call("create_memory", arguments: ["content": .string("CI uses \(Self.token) to push tags"), "memory_type": "fact"])
            #expect(!first.isError, "\(first.text)")
            #expect(first.text.hasPrefix("Remembered"))
            let again = await tools.call("create_memory", arguments: ["content": .string("ci uses  \(Self.token) to push tags"), "memory_type": "fact"])
            #expect(again.text.hasPrefix("Already remembered"), "\(again.text)")
            #expect(again.structured?.objectValue?["deduplicated"] == true)
            let stored = try await services.store.memories(matching: MemoryFilter(userID: "dana"), limit: 10, offset: 0)
            #expect(stored.items.map(\.content) == ["CI uses [REDACTED:github_token] to push tags"])

            let id = try #require(stored.items.first?.id.lowercased)
            let updated = await tools.call("update_memory", arguments: ["memory_id": .string(id), "summary": .string("token \(Self.token)")])
            #expect(!updated.isError && !updated.text.contains(Self.token), "\(updated.text)")
            #expect(try await services.store.memory(id: stored.items[0].id, userID: "dana")?.summary == "token [REDACTED:github_token]")
        }
    }

    @Test func hooksStoreTranscriptTurnsRedacted() async throws {
        try await ClaudeCodeHooksTests.withFixture { fixture in
            let pasted = TranscriptFixture.userText(
                "u-9", "The CI deploy token is \(Self.token) and it lives in the `DEPLOY_TOKEN` secret. <private>I'm on the beach</private>",
                cwd: fixture.cwd) + "\n"
                + TranscriptFixture.userText("u-10", "here is my other token \(Self.token.dropLast(2))xy, why does the push fail?", cwd: fixture.cwd) + "\n"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.transcript))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(pasted.utf8))
            try handle.close()
            _ = try await fixture.hooks.ingest(fixture.input, event: .stop)
            let contents = try await fixture.memories().map(\.content)
            #expect(contents.contains { $0.hasPrefix("The CI deploy token is [REDACTED:github_token] and it lives in the `DEPLOY_TOKEN` secret.") }, "\(contents)")
            // Nothing secret or private is stored, and a question around a secret is not a memory at all.
            #expect(!contents.contains { $0.contains(Self.token.dropLast(2)) || $0.contains("beach") || $0.contains("push fail") }, "\(contents)")

            // A turn that is all private yields nothing, and does not stop the turns after it.
            let later = TranscriptFixture.userText("u-11", "<private>I prefer tabs</private>", cwd: fixture.cwd) + "\n"
                + TranscriptFixture.userText("u-12", "I prefer squash merges for feature branches.", cwd: fixture.cwd) + "\n"
            let more = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.transcript))
            try more.seekToEnd()
            try more.write(contentsOf: Data(later.utf8))
            try more.close()
            _ = try await fixture.hooks.ingest(fixture.input, event: .stop)
            let after = try await fixture.memories().map(\.content)
            #expect(after.contains("I prefer squash merges for feature branches.") && !after.contains { $0.contains("tabs") }, "\(after)")
        }
    }
}
