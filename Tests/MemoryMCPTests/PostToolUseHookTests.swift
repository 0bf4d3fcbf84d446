import Foundation
import MemoryCore
@testable import MemoryHooks
import MemoryService
import MemoryStore
import ProcessTestSupport
import Testing

/// The PostToolUse hook: what the assistant did that is worth remembering, through the real
/// binary (each call a new process, as Claude Code runs it).
@Suite struct PostToolUseHookTests {
    @Test func aFailedCommandAndTheFixThatFollowedAreRemembered() async throws {
        try await HookBinaryTests.withFixture { fixture in
            let src = fixture.repo.path + "/Sources/App/Deploy.swift"
            func tool(_ name: String, _ input: JSONObject, _ response: JSONValue) async throws {
                let result = try await fixture.run("post-tool-use", fixture.hookJSON("PostToolUse", [
                    "tool_name": .string(name), "tool_input": .object(input), "tool_response": response,
                ]))
                #expect(result.status == 0 && result.stdout.isEmpty, "\(result.stderr)\nlog: \(fixture.log)")
            }
            // A listing that mentions "0 errors" is not a failure; reading a file is nothing.
            try await tool("Bash", ["command": "swift build"], ["stdout": "Compiling…\nBuild complete, 0 errors", "stderr": "", "interrupted": false])
            try await tool("Read", ["file_path": .string(src)], ["type": "text"])
            try await tool("Bash", ["command": "swift build"], [
                "stdout": "", "stderr": "Sources/App/Deploy.swift:3:5: error: cannot find 'Deployer' in scope", "interrupted": false,
            ])
            try await tool("Edit", ["file_path": .string(src), "old_string": "a", "new_string": "b"], ["filePath": .string(src)])
            try await tool("Bash", ["command": "swift  build"], ["stdout": "Build complete!", "stderr": "", "interrupted": false])

            try await fixture.withServices { services in
                let memories = try await services.store.memories(matching: MemoryFilter(userID: "dev"), limit: 100, offset: 0).items
                    .sorted { $0.createdAt < $1.createdAt }
                #expect(memories.count == 2, "\(memories.map(\.content))\nlog: \(fixture.log)")
                let error = try #require(memories.first)
                #expect(error.memoryType == .error)
                #expect(error.content == "Command `swift build` failed: Sources/App/Deploy.swift:3:5: error: cannot find 'Deployer' in scope")
                let fix = try #require(memories.last)
                #expect(fix.memoryType == .fact && fix.content == "Command `swift  build` works again after changing App/Deploy.swift.")
                #expect(fix.relatedMemories == [error.id] && fix.entities == ["App/Deploy.swift"])
                let session = try #require(try await services.store.session(clientSessionID: TranscriptFixture.claudeSession, userID: "dev"))
                #expect(session.metadata["files_changed"] == ["App/Deploy.swift"])
                #expect(session.metadata["failed_commands"] == [:])
            }
        }
    }

    @Test func failuresAreReadFromFlagsExitCodesAndOutputButNotFromCounts() {
        #expect(ClaudeCodeHooks.failure(of: ["stdout": "ok", "exit_code": 2]) == "ok")
        #expect(ClaudeCodeHooks.failure(of: ["stdout": "", "stderr": "npm ERR! missing script: lint"]) == "npm ERR! missing script: lint")
        #expect(ClaudeCodeHooks.failure(of: .string("Exit code 1\nerror: linker command failed")) == "error: linker command failed")
        #expect(ClaudeCodeHooks.failure(of: ["stdout": "Executed 12 tests, with 0 failures (0 errors)", "stderr": ""]) == nil)
        #expect(ClaudeCodeHooks.failure(of: ["stdout": "warning: unused variable", "stderr": "warning: deprecated"]) == nil)
        #expect(ClaudeCodeHooks.failure(of: .null) == nil)
    }
}
