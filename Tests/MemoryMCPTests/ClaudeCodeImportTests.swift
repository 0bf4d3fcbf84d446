import Foundation
import Logging
import MemoryCore
@testable import MemoryHooks
import MemoryService
import MemoryStore
import Testing

/// `memoryhub import --claude-code`: a folder of real-shaped transcripts (several projects, a
/// resumed conversation, a compacted one) as sessions and memories, idempotently.
@Suite struct ClaudeCodeImportTests {
    static let shopSession = TranscriptFixture.claudeSession
    static let blogSession = "11111111-2222-4333-8444-555555555555"
    static let resumedSession = "99999999-8888-4777-8666-555555555555"

    /// ~/.claude/projects as Claude Code lays it out: one folder per working folder, one file per
    /// conversation. The shop conversation is resumed in a second file that repeats its turns
    /// and adds one; the blog conversation is another project.
    static func projects(in folder: URL) throws -> (root: String, shop: String, blog: String) {
        let shop = folder.appendingPathComponent("work/shop")
        let blog = folder.appendingPathComponent("work/blog")
        for repo in [shop, blog] {
            try FileManager.default.createDirectory(at: repo.appendingPathComponent(".git"), withIntermediateDirectories: true)
        }
        let root = folder.appendingPathComponent("claude/projects")
        let shopFolder = root.appendingPathComponent("-work-shop")
        let blogFolder = root.appendingPathComponent("-work-blog")
        for item in [shopFolder, blogFolder] { try FileManager.default.createDirectory(at: item, withIntermediateDirectories: true) }
        let original = TranscriptFixture.conversation(cwd: shop.path)
        try original.write(to: shopFolder.appendingPathComponent("\(shopSession).jsonl"), atomically: true, encoding: .utf8)
        // Resumed: Claude Code copies the earlier entries (same uuids) into a new conversation file.
        let resumed = original.replacingOccurrences(of: shopSession, with: resumedSession)
            + TranscriptFixture.userText("u-7", "Remember that the staging database is called shop_staging.", cwd: shop.path)
                .replacingOccurrences(of: shopSession, with: resumedSession)
                .replacingOccurrences(of: "2026-03-02T10:15:30.123Z", with: "2026-03-05T08:00:00.000Z") + "\n"
        let resumedPath = shopFolder.appendingPathComponent("\(resumedSession).jsonl")
        try resumed.write(to: resumedPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: resumedPath.path)
        let other = TranscriptFixture.conversation(cwd: blog.path).replacingOccurrences(of: shopSession, with: blogSession)
            .replacingOccurrences(of: "deploy", with: "publish").replacingOccurrences(of: "Deployer", with: "Publisher")
            // Entry ids are unique across conversations (only a resumed one repeats them).
            .replacingOccurrences(of: "\"u-", with: "\"blog-u-").replacingOccurrences(of: "\"a-", with: "\"blog-a-")
            .replacingOccurrences(of: "msg_01", with: "msg_blog")
        try other.write(to: blogFolder.appendingPathComponent("\(blogSession).jsonl"), atomically: true, encoding: .utf8)
        return (root.path, shop.path, blog.path)
    }

    static func all(_ services: MemoryHubServices) async throws -> ([Session], [Memory]) {
        let sessions = try await services.store.sessions(matching: SessionFilter(userID: "dev"), limit: 100, offset: 0).items
        let memories = try await services.store.memories(matching: MemoryFilter(userID: "dev"), limit: 1000, offset: 0).items
        return (sessions, memories)
    }

    @Test func transcriptsBecomeDatedSessionsAndMemoriesOnce() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("claude-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let layout = try Self.projects(in: folder)
        let services = try await MemoryHubServices.embedded(path: folder.path + "/db.sqlite", logger: Logger(label: "test"))
        let importer = ClaudeCodeImport(services: services, userID: "dev", logger: Logger(label: "test"))

        let first = try await importer.importTranscripts(in: layout.root)
        #expect(first.transcripts == 3)
        #expect(first.report.errorCount == 0, "\(first.report.errors.map { "\($0.line): \($0.error.detail)" })")
        let (sessions, memories) = try await Self.all(services)
        #expect(sessions.count == 3)
        func session(_ claude: String) -> Session? { sessions.first { $0.clientSessionID == claude } }
        let shop = try #require(session(Self.shopSession))
        let blog = try #require(session(Self.blogSession))
        let resumed = try #require(session(Self.resumedSession))
        #expect(shop.projectID == "shop" && resumed.projectID == "shop" && blog.projectID == "blog")
        #expect(sessions.allSatisfy { $0.state == .ended && $0.tags == ["claude-code"] && $0.metadata["imported_from"] == "claude-code" })
        // Dated at the conversation, not at the import.
        #expect(shop.startedAt == Timestamp(iso8601: "2026-03-02T10:15:30.123Z"))
        #expect(resumed.endedAt == Timestamp(iso8601: "2026-03-05T08:00:00.000Z"))
        // The original conversation's three memories, once; the resumed one adds only its new turn.
        let byShop = memories.filter { $0.sessionID == shop.id }
        #expect(byShop.map(\.memoryType).sorted { $0.rawValue < $1.rawValue } == [.error, .fact, .preference])
        #expect(byShop.allSatisfy { $0.createdAt == Timestamp(iso8601: "2026-03-02T10:15:30.123Z") })
        let byResumed = memories.filter { $0.sessionID == resumed.id }
        #expect(byResumed.map(\.content) == ["Remember that the staging database is called shop_staging."], "\(byResumed.map(\.content))")
        #expect(memories.filter { $0.sessionID == blog.id }.count == 3)
        #expect(shop.memoryCount == 3 && resumed.memoryCount == 1 && blog.memoryCount == 3)
        // Neither the compaction summary, nor injected context, nor a subagent's notes.
        #expect(!memories.contains { $0.content.contains("continued from a previous conversation") })
        #expect(!memories.contains { $0.content.contains("memoryhub-context") || $0.content.contains("subagent") })
        #expect(memories.allSatisfy { $0.metadata["captured_by"] == "import" && $0.metadata["transcript_entry"] != nil })

        // The same folder again: nothing changes.
        let sequence = try await services.store.changeSequence(userID: "dev")
        let again = try await importer.importTranscripts(in: layout.root)
        #expect(again.report.sessions.inserted == 0 && again.report.memories.inserted == 0 && again.report.errorCount == 0)
        #expect(try await services.store.changeSequence(userID: "dev") == sequence)
        let after = try await Self.all(services)
        #expect(after.0 == sessions && after.1 == memories)
    }

    @Test func conversationsTheHooksCapturedAreReusedNotDuplicated() async throws {
        try await ClaudeCodeHooksTests.withFixture { fixture in
            // The hooks captured this conversation live.
            #expect(try await fixture.hooks.ingest(fixture.input, event: .stop) == 3)
            let live = try #require(try await fixture.services.store.session(clientSessionID: Self.shopSession, userID: "dev"))
            // Later the user imports their transcripts folder, which holds the same conversation.
            let root = fixture.folder.appendingPathComponent("projects/-shop")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: fixture.transcript, toPath: root.appendingPathComponent("\(Self.shopSession).jsonl").path)
            let result = try await ClaudeCodeImport(services: fixture.services, userID: "dev", logger: Logger(label: "test"))
                .importTranscripts(in: fixture.folder.appendingPathComponent("projects").path)
            #expect(result.report.errorCount == 0 && result.report.memories.inserted == 0 && result.report.sessions.inserted == 0)
            let sessions = try await fixture.services.store.sessions(matching: SessionFilter(userID: "dev"), limit: 10, offset: 0).items
            #expect(sessions.map(\.id) == [live.id])
            #expect(try await fixture.memories().count == 3)
        }
    }

    @Test func anUnreadableFolderIsAClearError() async throws {
        let folder = try MCPTestEnvironment.temporaryFolder("claude-import-missing")
        let services = try await MemoryHubServices.embedded(path: folder.path + "/db.sqlite", logger: Logger(label: "test"))
        await #expect(throws: MemoryHubError.self) {
            _ = try await ClaudeCodeImport(services: services, userID: "dev", logger: Logger(label: "test"))
                .importTranscripts(in: folder.path + "/nope")
        }
    }
}
