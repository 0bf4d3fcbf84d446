import Foundation
import Logging
import MemoryCore
@testable import MemoryHooks
import MemoryService
import MemoryStore
import Testing

/// Transcript capture in process: what is stored, with what provenance, exactly once.
@Suite struct ClaudeCodeHooksTests {
    struct Fixture {
        let folder: URL
        let services: MemoryHubServices
        let hooks: ClaudeCodeHooks
        let transcript: String
        let cwd: String

        var input: HookInput {
            HookInput(sessionID: TranscriptFixture.claudeSession, transcriptPath: transcript, cwd: cwd, hookEventName: "Stop")
        }

        func memories() async throws -> [Memory] {
            try await services.store.memories(matching: MemoryFilter(userID: "dev"), limit: 1000, offset: 0).items
        }
    }

    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("hooks")
        defer { try? FileManager.default.removeItem(at: folder) }
        let repo = folder.appendingPathComponent("shop")
        try FileManager.default.createDirectory(at: repo.appendingPathComponent(".git"), withIntermediateDirectories: true)
        let transcript = folder.appendingPathComponent("transcript.jsonl").path
        try TranscriptFixture.conversation(cwd: repo.path).write(toFile: transcript, atomically: true, encoding: .utf8)
        let services = try await MemoryHubServices.embedded(path: folder.path + "/db.sqlite", logger: Logger(label: "test"))
        let hooks = ClaudeCodeHooks(
            services: services, configuration: .init(userID: "dev", lockFolder: folder.path + "/locks", homeDirectory: folder.path), logger: Logger(label: "test"))
        try await body(Fixture(folder: folder, services: services, hooks: hooks, transcript: transcript, cwd: repo.path))
    }

    @Test func storesWhatCaptureKeepsTypedAndWithProvenance() async throws {
        try await Self.withFixture { fixture in
            #expect(try await fixture.hooks.ingest(fixture.input, event: .stop) == 3)
            let memories = try await fixture.memories().sorted { $0.createdAt < $1.createdAt }
            // The question ("How is the deploy script wired to CI?") and "ok" are not memories.
            #expect(memories.map(\.memoryType) == [.preference, .fact, .error])
            #expect(memories.map { $0.metadata["transcript_entry"]?.stringValue } == ["u-1", "message:msg_01", "u-4"])
            #expect(memories[0].content == "I prefer small commits with imperative messages, please always run the tests first.")
            #expect(memories[0].metadata["capture_rule"]?.stringValue?.hasPrefix("preference cue") == true)
            #expect(memories[0].metadata["span"] == [0, 83])
            #expect(memories[1].content.hasPrefix("The deploy script runs"))
            #expect(memories[1].entities.contains("scripts/deploy.sh") && memories[1].entities.contains("github"), "\(memories[1].entities)")
            #expect(memories[1].metadata["tools"] == ["Edit"])
            #expect(memories.allSatisfy { $0.metadata["source"] == "claude-code" && $0.metadata["captured_by"] == "stop" })
            #expect(memories.allSatisfy { $0.projectID == "shop" && $0.tags.contains("claude-code") })
            #expect(!memories.contains { $0.content.contains("memoryhub-context") || $0.content.contains("We deploy on Fridays") })
            let session = try await fixture.services.store.session(clientSessionID: TranscriptFixture.claudeSession, userID: "dev")
            #expect(session?.memoryCount == 3 && session?.metadata["transcript_path"] == .string(fixture.transcript))
            #expect(session?.metadata["capture_cursor"]?.objectValue?["entry"] == "u-4")
        }
    }

    @Test func readingTheSameTranscriptAgainStoresNothing() async throws {
        try await Self.withFixture { fixture in
            #expect(try await fixture.hooks.ingest(fixture.input, event: .stop) == 3)
            #expect(try await fixture.hooks.ingest(fixture.input, event: .preCompact) == 0)
            let more = TranscriptFixture.userText("u-7", "We decided to ship on Tuesdays from now on.", cwd: fixture.cwd) + "\n"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.transcript))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(more.utf8))
            try handle.close()
            #expect(try await fixture.hooks.ingest(fixture.input, event: .preCompact) == 1)
            #expect(try await fixture.memories().count == 4)
            // Nothing read twice counted an access: the cursor skipped what was read.
            #expect(try await fixture.memories().allSatisfy { $0.accessCount == 0 })
        }
    }

    @Test func concurrentHooksStoreEachTurnOnce() async throws {
        try await Self.withFixture { fixture in
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<4 {
                    group.addTask { try await fixture.hooks.ingest(fixture.input, event: index % 2 == 0 ? .stop : .preCompact) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(counts.reduce(0, +) == 3)
            let entries = try await fixture.memories().compactMap { $0.metadata["transcript_entry"]?.stringValue }
            #expect(entries.count == 3 && Set(entries).count == 3)
        }
    }

    @Test func longTurnsAreCutOnACharacterBoundary() {
        let text = String(repeating: "é", count: 10_000)
        let cut = ClaudeCodeHooks.truncated(text, maxBytes: 1001)
        #expect(cut.utf8.count <= 1001 && cut.hasSuffix("…[truncated]"))
    }
}

/// What the hooks print stays within its token budget, and can be turned off (issue 15).
@Suite struct HookContextBudgetTests {
    @Test func sessionStartAndPromptsStayWithinTheirBudgetsOrPrintNothing() async throws {
        try await ClaudeCodeHooksTests.withFixture { fixture in
            // Plenty to print: 40 decisions about deploys, in another conversation of the project.
            let other = try await fixture.services.sessions.start(SessionStartRequest(userID: "dev", projectID: "shop"))
            for index in 0..<40 {
                _ = try await fixture.services.memories.store(
                    NewMemory(
                        sessionID: other.session.id,
                        content: "Deploy rule \(index): the release pipeline deploys service \(index) only after its canary passes for ten minutes.",
                        memoryType: .decision, importance: 0.9),
                    actingUser: "dev")
            }
            func hooks(_ change: (inout ClaudeCodeHooks.Configuration) -> Void) -> ClaudeCodeHooks {
                var configuration = ClaudeCodeHooks.Configuration(
                    userID: "dev", lockFolder: fixture.folder.path + "/locks", homeDirectory: fixture.folder.path)
                change(&configuration)
                return ClaudeCodeHooks(services: fixture.services, configuration: configuration, logger: Logger(label: "test"))
            }
            var start = fixture.input
            start.hookEventName = "SessionStart"
            var prompt = fixture.input
            prompt.prompt = "how does the release pipeline deploy a service?"

            let roomy = try await hooks { _ in }.handle(.userPromptSubmit, input: prompt)
            let tight = try await hooks { $0.promptTokens = 120 }.handle(.userPromptSubmit, input: prompt)
            #expect(roomy.contains("Deploy rule") && TokenEstimate.tokens(roomy) <= 600, "\(TokenEstimate.tokens(roomy))")
            #expect(tight.contains("Deploy rule") && TokenEstimate.tokens(tight) <= 120, "\(TokenEstimate.tokens(tight)): \(tight)")
            #expect(tight.count < roomy.count)

            let context = try await hooks { $0.contextTokens = 250 }.handle(.sessionStart, input: start)
            #expect(context.contains("Deploy rule") && TokenEstimate.tokens(context) <= 250, "\(TokenEstimate.tokens(context))")

            // Estimates of parts and of the whole differ: the whole block is what must fit.
            let packed = hooks { _ in }.fitted(["header", String(repeating: "word ", count: 400), "- a\n- b\n- c"], tokens: 120)
            #expect(TokenEstimate.tokens(packed) <= 120 && packed.hasPrefix("<memoryhub-context>"), "\(TokenEstimate.tokens(packed))")

            let quiet = hooks { $0.injectContext = false }
            #expect(try await quiet.handle(.sessionStart, input: start).isEmpty)
            #expect(try await quiet.handle(.userPromptSubmit, input: prompt).isEmpty)
            // The session was still started for the conversation.
            #expect(try await fixture.services.store.session(clientSessionID: TranscriptFixture.claudeSession, userID: "dev") != nil)
        }
    }
}
