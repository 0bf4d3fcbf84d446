package import MemoryCore

/// A Claude Code hook event MemoryHub handles, named as on the command line.
package enum HookEvent: String, Sendable, CaseIterable {
    case sessionStart = "session-start"
    case userPromptSubmit = "user-prompt-submit"
    case preCompact = "pre-compact"
    case stop
    case sessionEnd = "session-end"
    case postToolUse = "post-tool-use"
}

/// What Claude Code writes to a hook's stdin. Every field is optional and unknown fields are
/// ignored, so a newer Claude Code (or a hand-written test) never breaks the parse.
package struct HookInput: Sendable, Equatable {
    package var sessionID: String?
    package var transcriptPath: String?
    package var cwd: String?
    package var hookEventName: String?
    /// SessionStart: startup, resume, clear or compact.
    package var source: String?
    /// UserPromptSubmit: what the user typed.
    package var prompt: String?
    /// PreCompact: manual or auto.
    package var trigger: String?
    /// SessionEnd: clear, logout, prompt_input_exit, other.
    package var reason: String?
    /// PostToolUse: the tool (`Bash`, `Edit`, …), what it was called with and what it answered.
    package var toolName: String?
    package var toolInput: JSONObject = [:]
    package var toolResponse: JSONValue = .null

    package init(
        sessionID: String? = nil, transcriptPath: String? = nil, cwd: String? = nil, hookEventName: String? = nil,
        source: String? = nil, prompt: String? = nil, trigger: String? = nil, reason: String? = nil
    ) {
        self.sessionID = sessionID
        self.transcriptPath = transcriptPath
        self.cwd = cwd
        self.hookEventName = hookEventName
        self.source = source
        self.prompt = prompt
        self.trigger = trigger
        self.reason = reason
    }

    /// Parses the hook's stdin. Empty input reads as no fields; anything but a JSON object throws.
    package static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws -> HookInput {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return HookInput() }
        guard case .object(let object) = try JSONParser.parse(bytes) else {
            throw MemoryHubError.malformed("The hook input is not a JSON object.")
        }
        return HookInput(object: object)
    }

    /// The fields of a hook's stdin object; unknown keys are ignored, empty strings read as absent.
    package init(object: JSONObject) {
        func text(_ key: String) -> String? {
            guard let value = object[key]?.stringValue, !value.isEmpty else { return nil }
            return value
        }
        self.init(
            sessionID: text("session_id"), transcriptPath: text("transcript_path"), cwd: text("cwd"),
            hookEventName: text("hook_event_name"), source: text("source"), prompt: text("prompt"),
            trigger: text("trigger"), reason: text("reason"))
        toolName = text("tool_name")
        toolInput = object["tool_input"]?.objectValue ?? [:]
        toolResponse = object["tool_response"] ?? .null
    }
}
