import Foundation
import MemoryCore
@testable import MemoryHooks
import Testing

@Suite struct TranscriptReaderTests {
    let cwd = "/home/dev/shop"

    @Test func keepsWhatWasSaidAndSkipsEverythingElse() {
        let turns = TranscriptReader().turns(in: Array(TranscriptFixture.conversation(cwd: cwd).utf8))
        #expect(turns.map(\.id) == ["u-1", "u-2", "message:msg_01", "u-4"])
        #expect(turns.map(\.role) == [.user, .user, .assistant, .user])
        #expect(turns[0].text == "I prefer small commits with imperative messages, please always run the tests first.")
        // Injected context is cut out, the question stays.
        #expect(turns[1].text == "How is the deploy script wired to CI?")
        // The answer's entries are one turn: its text, its tool and the file it touched; no thinking.
        #expect(turns[2].text == "The deploy script runs from `.github/workflows/release.yml` only after the tests pass.")
        #expect(turns[2].tools == ["Edit"])
        #expect(turns[2].files == [cwd + "/scripts/deploy.sh"])
        #expect(turns[2].timestamp == "2026-03-02T10:15:30.123Z")
        #expect(!turns.contains { $0.text.contains("MemoryHub memory") || $0.text.contains("subagent") || $0.text.contains("continued") })
    }

    @Test func readingTwiceGivesTheSameIDs() {
        let text = TranscriptFixture.conversation(cwd: cwd)
        #expect(TranscriptReader().turns(in: Array(text.utf8)) == TranscriptReader().turns(in: Array(text.utf8)))
    }

    @Test func entriesWithoutUUIDGetAStableHash() {
        let line = #"{"type":"user","message":{"role":"user","content":"Remember that staging uses port 8443"}}"#
        let first = TranscriptReader().turns(in: Array(line.utf8))
        let second = TranscriptReader().turns(in: Array((line + "\n").utf8))
        #expect(first.count == 1 && first[0].id.hasPrefix("sha:"))
        #expect(first == second)
    }

    @Test func contentBlocksAndStringContentAreBothRead() {
        let lines = [
            #"{"type":"user","uuid":"a","message":{"role":"user","content":[{"type":"text","text":"Use the blue-green strategy"},{"type":"image","source":{}}]}}"#,
            #"{"type":"assistant","uuid":"b","message":{"role":"assistant","content":"Understood, blue-green it is."}}"#,
        ].joined(separator: "\n")
        let turns = TranscriptReader().turns(in: Array(lines.utf8))
        #expect(turns.map(\.text) == ["Use the blue-green strategy", "Understood, blue-green it is."])
    }

    @Test func anUnclosedMarkerDropsTheRest() {
        #expect(TranscriptReader.stripInjected("Question?\n<memoryhub-context>\nhalf") == "Question?")
        #expect(TranscriptReader.stripInjected("<memoryhub-context>a</memoryhub-context>") == nil)
        #expect(TranscriptReader.stripInjected("x <system-reminder>noise</system-reminder> y") == "x  y")
    }

    @Test func garbageIsNotATurn() {
        let bytes = Array("not json\n{\"type\":\"user\"}\n[1,2]\n\n{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}}]}}".utf8)
        #expect(TranscriptReader().turns(in: bytes).isEmpty)
    }
}

@Suite struct HookInputTests {
    @Test func readsTheFieldsAndIgnoresUnknownOnes() throws {
        let json = """
            {"session_id":"abc","transcript_path":"/tmp/t.jsonl","cwd":"/repo","hook_event_name":"UserPromptSubmit",
             "prompt":"how do we deploy?","permission_mode":"default","future_field":{"nested":[1,2]}}
            """
        let input = try HookInput.parse(Array(json.utf8))
        #expect(input == HookInput(sessionID: "abc", transcriptPath: "/tmp/t.jsonl", cwd: "/repo", hookEventName: "UserPromptSubmit", prompt: "how do we deploy?"))
    }

    @Test func missingAndMistypedFieldsAreAbsent() throws {
        let input = try HookInput.parse(Array(#"{"session_id": 42, "source": "startup", "reason": ""}"#.utf8))
        #expect(input.sessionID == nil && input.source == "startup" && input.reason == nil)
        #expect(try HookInput.parse(Array("  \n".utf8)) == HookInput())
    }

    @Test func anythingButAnObjectIsRefused() {
        #expect(throws: (any Error).self) { try HookInput.parse(Array("[1]".utf8)) }
        #expect(throws: (any Error).self) { try HookInput.parse(Array("{not json".utf8)) }
    }
}

@Suite struct ProjectNameTests {
    @Test func usesTheRepositoryTopFolder() throws {
        let root = try MCPTestEnvironment.temporaryFolder("project")
        defer { try? FileManager.default.removeItem(at: root) }
        let repo = root.appendingPathComponent("shop")
        try FileManager.default.createDirectory(at: repo.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("src/api"), withIntermediateDirectories: true)
        #expect(ProjectName.of(folder: repo.appendingPathComponent("src/api").path) == "shop")

        let worktree = root.appendingPathComponent("shop-feature")
        try FileManager.default.createDirectory(at: worktree, withIntermediateDirectories: true)
        try "gitdir: \(repo.path)/.git/worktrees/shop-feature\n".write(to: worktree.appendingPathComponent(".git"), atomically: true, encoding: .utf8)
        #expect(ProjectName.of(folder: worktree.path) == "shop")

        let plain = root.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        #expect(ProjectName.of(folder: plain.path) == "notes")
    }
}
