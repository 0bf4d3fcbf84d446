package import MemoryCore

/// What a hook process sends to `memoryhub serve` (`POST /api/memory/hooks/{event}`), so the
/// server runs the very same ``ClaudeCodeHooks`` code the process would have run itself.
///
/// JSON body:
/// ```
/// {"input": {…the hook's stdin object, verbatim…},
///  "options": {"project_id": "shop", "context_tokens": 1500, "prompt_tokens": 600, "inject": true},
///  "transcript_turns": [{"id": "u-1", "role": "user", "text": "…", "timestamp": "…", "files": [], "tools": []}]}
/// ```
/// The user is not in the body: it is the caller's (an API key's user, or in `local` mode the
/// `X-User-ID` header). `transcript_turns` carries the transcript as the hook process read it
/// (``TranscriptReader``) for the capture events: the server never opens a path a client names.
/// It is absent when the event does not read the transcript, or when the file was unreadable.
package struct HookRequest: Sendable, Equatable {
    /// The hook's stdin object as Claude Code wrote it.
    package var input: JSONObject
    /// Overrides the project read from the input's `cwd`.
    package var projectID: String?
    /// Token budgets of what session-start and user-prompt-submit print.
    package var contextTokens: Int
    package var promptTokens: Int
    /// False: session-start and user-prompt-submit print nothing.
    package var injectContext: Bool
    /// The transcript's turns, for pre-compact, stop and session-end; nil when not read.
    package var transcriptTurns: [TranscriptTurn]?

    package init(
        input: JSONObject, projectID: String? = nil, contextTokens: Int = 1500, promptTokens: Int = 600, injectContext: Bool = true,
        transcriptTurns: [TranscriptTurn]? = nil
    ) {
        self.input = input
        self.projectID = projectID
        self.contextTokens = contextTokens
        self.promptTokens = promptTokens
        self.injectContext = injectContext
        self.transcriptTurns = transcriptTurns
    }

    /// The body as sent.
    package var json: JSONValue {
        var options: JSONObject = [
            "context_tokens": .int(Int64(contextTokens)), "prompt_tokens": .int(Int64(promptTokens)), "inject": .bool(injectContext),
        ]
        if let projectID { options["project_id"] = .string(projectID) }
        var body: JSONObject = ["input": .object(input), "options": .object(options)]
        if let transcriptTurns { body["transcript_turns"] = .array(transcriptTurns.map(\.json)) }
        return .object(body)
    }

    /// Reads a body; throws 400 for anything but an object with an `input` object, 422 (naming
    /// the field) for options or turns of the wrong shape or out of range.
    package static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws -> HookRequest {
        guard case .object(let body) = try JSONParser.parse(bytes), let input = body["input"]?.objectValue else {
            throw MemoryHubError.malformed("The body must be a JSON object with the hook's input as an object in \"input\".")
        }
        var request = HookRequest(input: input)
        let options = body["options"]?.objectValue ?? [:]
        if let project = options["project_id"], !project.isNull {
            guard let text = project.stringValue else { throw MemoryHubError.invalidField("options.project_id", "project_id must be a string.") }
            request.projectID = text
        }
        request.contextTokens = try Self.tokens(options["context_tokens"], field: "options.context_tokens") ?? request.contextTokens
        request.promptTokens = try Self.tokens(options["prompt_tokens"], field: "options.prompt_tokens") ?? request.promptTokens
        if let inject = options["inject"], !inject.isNull {
            guard case .bool(let value) = inject else { throw MemoryHubError.invalidField("options.inject", "inject must be true or false.") }
            request.injectContext = value
        }
        if let turns = body["transcript_turns"], !turns.isNull {
            guard let array = turns.arrayValue else {
                throw MemoryHubError.invalidField("transcript_turns", "transcript_turns must be an array of turns.")
            }
            request.transcriptTurns = try array.map(TranscriptTurn.init(json:))
        }
        return request
    }

    private static func tokens(_ value: JSONValue?, field: String) throws -> Int? {
        guard let value, !value.isNull else { return nil }
        guard case .int(let number) = value, (0...100_000).contains(number) else {
            throw MemoryHubError.invalidField(field, "\(field) must be an integer from 0 to 100000.")
        }
        return Int(number)
    }
}

extension TranscriptTurn {
    /// The turn as `transcript_turns` carries it.
    package var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "role": .string(role.rawValue), "text": .string(text),
            "files": .array(files.map(JSONValue.string)), "tools": .array(tools.map(JSONValue.string)),
        ]
        if let timestamp { object["timestamp"] = .string(timestamp) }
        return .object(object)
    }

    /// Reads a turn of `transcript_turns`; 422 when a field is missing or of the wrong type.
    package init(json: JSONValue) throws {
        func failure(_ detail: String) -> MemoryHubError { .invalidField("transcript_turns", "Each transcript turn needs \(detail).") }
        guard let object = json.objectValue, let id = object["id"]?.stringValue, !id.isEmpty else { throw failure("an id") }
        guard let role = object["role"]?.stringValue.flatMap(Role.init(rawValue:)) else { throw failure("a role, user or assistant") }
        guard let text = object["text"]?.stringValue else { throw failure("a text") }
        func strings(_ key: String) throws -> [String] {
            guard let value = object[key], !value.isNull else { return [] }
            guard let array = value.arrayValue else { throw failure("\(key) as an array of strings") }
            return try array.map { element in
                guard let text = element.stringValue else { throw failure("\(key) as an array of strings") }
                return text
            }
        }
        self.init(id: id, role: role, text: text, timestamp: object["timestamp"]?.stringValue, files: try strings("files"), tools: try strings("tools"))
    }
}
