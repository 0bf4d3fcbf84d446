import Foundation
import MemoryCore

/// Transcripts shaped like the JSON lines Claude Code writes (~/.claude/projects/.../SESSION.jsonl).
enum TranscriptFixture {
    static let claudeSession = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"

    static func line(_ object: JSONObject) -> String { JSONWriter.string(.object(object)) }

    static func envelope(_ type: String, uuid: String, parent: String?, cwd: String, _ extra: JSONObject) -> JSONObject {
        var object: JSONObject = [
            "type": .string(type), "uuid": .string(uuid), "parentUuid": parent.map(JSONValue.string) ?? .null,
            "sessionId": .string(claudeSession), "timestamp": "2026-03-02T10:15:30.123Z", "cwd": .string(cwd),
            "version": "2.1.3", "gitBranch": "main", "isSidechain": false, "userType": "external",
        ]
        for (key, value) in extra { object[key] = value }
        return object
    }

    static func userText(_ uuid: String, _ text: String, cwd: String, parent: String? = nil, _ extra: JSONObject = [:]) -> String {
        line(envelope("user", uuid: uuid, parent: parent, cwd: cwd, ["message": ["role": "user", "content": .string(text)]].merging(extra) { $1 }))
    }

    static func assistant(_ uuid: String, messageID: String, blocks: [JSONValue], cwd: String, parent: String? = nil) -> String {
        line(envelope("assistant", uuid: uuid, parent: parent, cwd: cwd, [
            "requestId": "req_011CQ",
            "message": [
                "id": .string(messageID), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                "content": .array(blocks), "stop_reason": .null,
                "usage": ["input_tokens": 12, "output_tokens": 40, "cache_read_input_tokens": 0],
            ],
        ]))
    }

    static func toolResult(_ uuid: String, toolUseID: String, _ text: String, cwd: String) -> String {
        line(envelope("user", uuid: uuid, parent: nil, cwd: cwd, [
            "message": ["role": "user", "content": [["type": "tool_result", "tool_use_id": .string(toolUseID), "content": .string(text)]]],
            "toolUseResult": ["stdout": .string(text), "stderr": "", "interrupted": false],
        ]))
    }

    /// A conversation with one of everything the reader must keep or skip. Keeps four turns:
    /// the preference, the question, the assistant's answer (two entries, one message), and the
    /// error report; capture stores three memories of them (the question is not one).
    static func conversation(cwd: String) -> String {
        [
            line(["type": "summary", "summary": "Deploy pipeline work", "leafUuid": "u-0"]),
            // What the SessionStart hook printed, as Claude Code records it: never stored.
            userText("u-hook", "<memoryhub-context>\nMemoryHub memory for user dev. We deploy on Fridays.\n</memoryhub-context>", cwd: cwd, ["isMeta": true]),
            userText("u-1", "I prefer small commits with imperative messages, please always run the tests first.", cwd: cwd),
            userText("u-cmd", "<command-name>/model</command-name>\n<command-message>model</command-message>", cwd: cwd),
            userText("u-2", "<memoryhub-context>\nold memories\n</memoryhub-context>\nHow is the deploy script wired to CI?", cwd: cwd),
            assistant("a-1", messageID: "msg_01", blocks: [
                ["type": "thinking", "thinking": "The user asks about CI.", "signature": "sig"],
                ["type": "text", "text": "The deploy script runs from `.github/workflows/release.yml` only after the tests pass."],
            ], cwd: cwd),
            assistant("a-2", messageID: "msg_01", blocks: [
                ["type": "tool_use", "id": "toolu_01", "name": "Edit", "input": ["file_path": .string(cwd + "/scripts/deploy.sh"), "old_string": "a", "new_string": "b"]],
            ], cwd: cwd),
            toolResult("u-3", toolUseID: "toolu_01", "The file scripts/deploy.sh has been updated.", cwd: cwd),
            line(envelope("assistant", uuid: "a-side", parent: nil, cwd: cwd, [
                "isSidechain": true,
                "message": ["id": "msg_side", "role": "assistant", "content": [["type": "text", "text": "A subagent's private notes."]]],
            ])),
            line(envelope("system", uuid: "s-1", parent: nil, cwd: cwd, ["subtype": "stop_hook_summary", "content": "Stop hooks ran"])),
            "{\"type\": \"user\", \"message\": {\"role\": \"user\", \"content\": \"half a li",
            userText("u-4", "The build failed with error: cannot find 'Deployer' in scope", cwd: cwd),
            userText("u-5", "This session is being continued from a previous conversation that ran out of context. Summary: ...", cwd: cwd, ["isCompactSummary": true]),
            userText("u-6", "ok", cwd: cwd),
        ].joined(separator: "\n") + "\n"
    }
}
