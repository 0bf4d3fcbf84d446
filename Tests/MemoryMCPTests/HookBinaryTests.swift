import Foundation
import Logging
import MemoryCore
import MemoryService
import MemoryStore
import ProcessTestSupport
import Testing

/// `memoryhub hook ...` as Claude Code runs it: the real binary, real-shaped hook JSON on stdin,
/// real-shaped transcript files.
@Suite(.enabled(if: MCPTestEnvironment.binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
struct HookBinaryTests {
    struct Fixture {
        let folder: URL
        let database: String
        let repo: URL
        let transcript: String
        let logFile: String

        func run(_ event: String, _ input: JSONObject, extra: [String] = []) async throws -> ChildProcess.Result {
            try await ChildProcess.run(
                MCPTestEnvironment.binary!,
                ["hook", event, "--database", database, "--user", "dev", "--log-file", logFile] + extra,
                stdin: JSONWriter.string(.object(input)), environment: ["HOME": folder.path],
                timeout: .seconds(120))
        }

        func hookJSON(_ event: String, _ extra: JSONObject = [:]) -> JSONObject {
            var object: JSONObject = [
                "session_id": .string(TranscriptFixture.claudeSession), "transcript_path": .string(transcript),
                "cwd": .string(repo.appendingPathComponent("Sources").path), "hook_event_name": .string(event),
                "permission_mode": "default",
            ]
            for (key, value) in extra { object[key] = value }
            return object
        }

        var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

        func withServices<T: Sendable>(_ body: (MemoryHubServices) async throws -> T) async throws -> T {
            try await body(try await MemoryHubServices.embedded(path: database, logger: Logger(label: "test")))
        }
    }

    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("hook-binary")
        defer { try? FileManager.default.removeItem(at: folder) }
        let repo = folder.appendingPathComponent("shop")
        try FileManager.default.createDirectory(at: repo.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("Sources"), withIntermediateDirectories: true)
        let transcript = folder.appendingPathComponent("\(TranscriptFixture.claudeSession).jsonl").path
        try TranscriptFixture.conversation(cwd: repo.path).write(toFile: transcript, atomically: true, encoding: .utf8)
        try await body(Fixture(
            folder: folder, database: folder.path + "/db.sqlite", repo: repo, transcript: transcript,
            logFile: folder.path + "/hooks.log"))
    }

    /// An earlier, still active session of the project with a few memories.
    static func seed(_ fixture: Fixture) async throws -> UUID {
        try await fixture.withServices { services in
            let session = try await services.sessions.start(SessionStartRequest(userID: "dev", projectID: "shop")).session
            for (content, type, importance) in [
                ("We deploy with blue-green releases on Fridays", MemoryType.decision, 0.9),
                ("The staging server is staging.shop.internal", .fact, 0.8),
                ("Dana prefers tabs in Makefiles", .preference, 0.6),
            ] {
                _ = try await services.memories.create(
                    NewMemory(sessionID: session.id, content: content, memoryType: type, importance: importance), actingUser: "dev")
            }
            return session.id
        }
    }

    @Test func sessionStartContinuesTheProjectAndPrintsItsContext() async throws {
        try await Self.withFixture { fixture in
            let earlier = try await Self.seed(fixture)
            let result = try await fixture.run("session-start", fixture.hookJSON("SessionStart", ["source": "startup", "model": "claude-sonnet-4-5"]))
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("<memoryhub-context>\n") && result.stdout.hasSuffix("</memoryhub-context>\n"), "\(result.stdout)")
            #expect(result.stdout.contains("project shop"))
            // Inherited from the linked session.
            #expect(result.stdout.contains("staging.shop.internal"), "\(result.stdout)")
            // From the context engine.
            #expect(result.stdout.contains("blue-green releases"), "\(result.stdout)\nlog: \(fixture.log)")

            let again = try await fixture.run("session-start", fixture.hookJSON("SessionStart", ["source": "compact"]))
            #expect(again.status == 0 && again.stdout.contains("<memoryhub-context>"))
            try await fixture.withServices { services in
                let session = try #require(try await services.store.session(clientSessionID: TranscriptFixture.claudeSession, userID: "dev"))
                #expect(session.projectID == "shop" && session.parentSessionID == earlier)
                #expect(session.tags.contains("claude-code") && session.tags.contains("continued"))
                #expect(session.metadata["cwd"] == .string(fixture.repo.appendingPathComponent("Sources").path))
                let all = try await services.sessions.list(userID: "dev", projectID: nil, activeOnly: false, limit: 10, offset: 0)
                #expect(all.total == 2)
            }
        }
    }

    @Test func userPromptSubmitPrintsTheRelevantMemories() async throws {
        try await Self.withFixture { fixture in
            _ = try await Self.seed(fixture)
            let result = try await fixture.run("user-prompt-submit", fixture.hookJSON("UserPromptSubmit", ["prompt": "How do we deploy on Fridays?"]))
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("<memoryhub-context>") && result.stdout.contains("blue-green releases"), "\(result.stdout)\nlog: \(fixture.log)")
            #expect(!result.stdout.contains("tabs in Makefiles"))

            let empty = try await fixture.run("user-prompt-submit", fixture.hookJSON("UserPromptSubmit", ["prompt": "   "]))
            #expect(empty.status == 0 && empty.stdout.isEmpty)
        }
    }

    @Test func stopAndPreCompactStoreEachTurnOnce() async throws {
        try await Self.withFixture { fixture in
            let stop = try await fixture.run("stop", fixture.hookJSON("Stop", ["stop_hook_active": false]))
            #expect(stop.status == 0 && stop.stdout.isEmpty, "\(stop.stderr)")
            let again = try await fixture.run("stop", fixture.hookJSON("Stop"))
            #expect(again.status == 0 && again.stdout.isEmpty)
            try await fixture.withServices { services in
                let memories = try await services.store.memories(matching: MemoryFilter(userID: "dev"), limit: 100, offset: 0).items
                #expect(memories.count == 3, "\(memories.map(\.content))\nlog: \(fixture.log)")
                #expect(Set(memories.map(\.memoryType)) == [.preference, .fact, .error])
            }

            // Two hooks read the grown transcript at the same time.
            let more = TranscriptFixture.userText("u-9", "Let's go with GitHub Actions instead of Jenkins.", cwd: fixture.repo.path)
                + "\n" + TranscriptFixture.assistant("a-9", messageID: "msg_09", blocks: [["type": "text", "text": "Switched the pipeline to GitHub Actions."]], cwd: fixture.repo.path) + "\n"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.transcript))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(more.utf8))
            try handle.close()
            async let first = fixture.run("pre-compact", fixture.hookJSON("PreCompact", ["trigger": "auto", "custom_instructions": ""]))
            async let second = fixture.run("stop", fixture.hookJSON("Stop"))
            let (a, b) = try await (first, second)
            #expect(a.status == 0 && b.status == 0)
            try await fixture.withServices { services in
                let memories = try await services.store.memories(matching: MemoryFilter(userID: "dev"), limit: 100, offset: 0).items
                let entries = memories.compactMap { $0.metadata["transcript_entry"]?.stringValue }
                #expect(entries.count == 4 && Set(entries).count == 4, "\(entries)\nlog: \(fixture.log)")
                #expect(memories.first { $0.metadata["transcript_entry"] == "u-9" }?.memoryType == .decision)
            }
        }
    }

    @Test func sessionEndStoresTheLastTurnsAndEndsTheSession() async throws {
        try await Self.withFixture { fixture in
            let result = try await fixture.run("session-end", fixture.hookJSON("SessionEnd", ["reason": "prompt_input_exit"]))
            #expect(result.status == 0 && result.stdout.isEmpty)
            try await fixture.withServices { services in
                let session = try #require(try await services.store.session(clientSessionID: TranscriptFixture.claudeSession, userID: "dev"))
                #expect(session.state == .ended && session.memoryCount == 3, "log: \(fixture.log)")
                #expect(session.metadata["claude_end_reason"] == "prompt_input_exit")
            }
        }
    }

    @Test func aBrokenDatabaseOrBadInputExitsZeroQuietlyAndLogsWhy() async throws {
        try await Self.withFixture { fixture in
            try Data("this is not a SQLite database, just text that fills the header page".utf8).write(to: URL(fileURLWithPath: fixture.database))
            for (event, name) in [("session-start", "SessionStart"), ("user-prompt-submit", "UserPromptSubmit"), ("pre-compact", "PreCompact"), ("stop", "Stop"), ("session-end", "SessionEnd")] {
                let result = try await fixture.run(event, fixture.hookJSON(name, ["prompt": "anything"]))
                #expect(result.status == 0, "\(event): \(result.stderr)")
                #expect(result.stdout.isEmpty, "\(event): \(result.stdout)")
                #expect(fixture.log.contains("hook \(event) session \(TranscriptFixture.claudeSession)"), "\(fixture.log)")
            }
            let garbage = try await ChildProcess.run(
                MCPTestEnvironment.binary!, ["hook", "stop", "--log-file", fixture.logFile, "--database", fixture.database],
                stdin: "{not json", environment: ["HOME": fixture.folder.path])
            #expect(garbage.status == 0 && garbage.stdout.isEmpty && fixture.log.contains("unreadable hook input"))
            let unknown = try await fixture.run("pre-tool-use", fixture.hookJSON("PreToolUse"))
            #expect(unknown.status == 0 && unknown.stdout.isEmpty && fixture.log.contains("unknown hook event"))
            let badFlag = try await ChildProcess.run(
                MCPTestEnvironment.binary!, ["hook", "stop", "--no-such-flag"], stdin: "{}", environment: ["HOME": fixture.folder.path])
            #expect(badFlag.status == 0 && badFlag.stdout.isEmpty)
            let defaultLog = fixture.folder.path + "/.local/share/memoryhub/hooks.log"
            #expect(((try? String(contentsOfFile: defaultLog, encoding: .utf8)) ?? "").contains("bad command line"))
        }
    }

    /// A hook never fails loudly, but asking for its help at a terminal prints it (issue 10, item 10).
    @Test func hookHelpPrintsHelp() async throws {
        for arguments in [["hook", "--help"], ["hook", "session-start", "--help"], ["hook", "-h"]] {
            let result = try await ChildProcess.run(MCPTestEnvironment.binary!, arguments, stdin: "", timeout: .seconds(60))
            #expect(result.status == 0)
            #expect(result.stdout.contains("USAGE: memoryhub hook") && result.stdout.contains("session-start"), "\(arguments): \(result.stdout)")
        }
    }
}
