package import Logging
import MemoryAPI
import MemoryCore
package import MemoryService
import Foundation

/// What MemoryHub does at Claude Code's lifecycle events (DESIGN.md "Claude Code hooks").
///
/// - session-start: starts the MemoryHub session for Claude's `session_id` (its
///   `client_session_id`, so a resume or a compaction finds the same one; a new conversation
///   links to the project's recent session) and returns the context block to print.
/// - user-prompt-submit: returns the memories relevant to the prompt (read-only).
/// - pre-compact, stop: store what the capture pipeline keeps of the transcript's new turns.
/// - session-end: stores the last turns' memories, then ends the session.
/// - post-tool-use: records what the assistant did that is worth remembering (`postToolUse`):
///   the files it changed (session metadata), a command that failed (an error memory) and, when
///   the same command later succeeds, the fix (a memory related to the error).
///
/// Everything printed is wrapped in `<memoryhub-context>` markers, which the transcript reader
/// skips. The caller (the `hook` command) turns every failure into a quiet exit 0.
package struct ClaudeCodeHooks: Sendable {
    package struct Configuration: Sendable {
        package var userID: String
        /// Overrides the project read from the hook's `cwd`.
        package var projectID: String?
        /// Where the per-conversation locks live.
        package var lockFolder: String
        /// Token budget of the session-start context block.
        /// Tokens the session-start block may hold at most, everything included.
        package var contextTokens: Int = 1500
        /// Tokens a prompt's block may hold at most: users of memory tools complain most about
        /// context floods.
        package var promptTokens: Int = 600
        /// False: session-start and user-prompt-submit print nothing (sessions and capture go on).
        package var injectContext = true
        package var contextMemories: Int = 15
        /// Memories printed for a prompt at most, and the least score they need.
        package var promptResults: Int = 5
        package var minimumPromptScore: Double = 0.05
        /// The best lexical and semantic matches a prompt's search ranks at most: the assistant
        /// waits for this hook, and ranking every match of a common word in 100k memories takes
        /// hundreds of milliseconds for the same first five.
        package var promptCandidates: Int = 200
        /// Claude Code caps what a hook adds to the context; stay well below it.
        package var maximumOutputCharacters: Int = 9000
        /// Longest memory content stored from one turn, in UTF-8 bytes.
        package var maximumTurnBytes: Int = 8 * 1024
        /// How long ingestion waits for another hook of the same conversation.
        package var lockTimeout: Duration = .seconds(8)
        /// The user's home folder, for transcript paths that start with `~/`.
        package var homeDirectory: String
        /// False: the capture events read only the turns handed to `handle` and never open the
        /// input's `transcript_path` (a server, which must not read paths a remote client names).
        package var readsTranscriptFiles = true

        package init(userID: String, projectID: String? = nil, lockFolder: String, homeDirectory: String) {
            self.userID = userID
            self.projectID = projectID
            self.lockFolder = lockFolder
            self.homeDirectory = homeDirectory
        }
    }

    let services: MemoryHubServices
    let configuration: Configuration
    let logger: Logger
    let reader = TranscriptReader()
    let pipeline: CapturePipeline

    package init(services: MemoryHubServices, configuration: Configuration, logger: Logger) {
        self.services = services
        self.configuration = configuration
        self.logger = logger
        pipeline = CapturePipeline(redactor: services.memories.redaction.redactor)
    }

    /// Handles one event; returns what to print on stdout (possibly nothing). The capture events
    /// (pre-compact, stop, session-end) read `transcriptTurns` when given, else the input's
    /// `transcript_path` (unless `readsTranscriptFiles` is off).
    package func handle(_ event: HookEvent, input: HookInput, transcriptTurns: [TranscriptTurn]? = nil) async throws -> String {
        switch event {
        case .sessionStart: return try await sessionStart(input)
        case .userPromptSubmit: return try await userPromptSubmit(input)
        case .preCompact, .stop:
            _ = try await ingest(input, event: event, turns: transcriptTurns)
            return ""
        case .sessionEnd:
            return try await sessionEnd(input, turns: transcriptTurns)
        case .postToolUse:
            try await postToolUse(input)
            return ""
        }
    }

    func project(of input: HookInput) -> String? {
        configuration.projectID ?? input.cwd.flatMap(ProjectName.of(folder:))
    }

    /// The MemoryHub session of Claude's conversation, started on first use.
    func session(for input: HookInput) async throws -> Session {
        guard let claudeSession = input.sessionID else {
            throw MemoryHubError.invalidField("session_id", "The hook input has no session_id.")
        }
        var metadata: JSONObject = ["source": "claude-code", "claude_session_id": .string(claudeSession)]
        if let cwd = input.cwd { metadata["cwd"] = .string(cwd) }
        if let path = input.transcriptPath { metadata["transcript_path"] = .string(path) }
        if let source = input.source { metadata["start_source"] = .string(source) }
        let request = SessionStartRequest(
            userID: configuration.userID, projectID: project(of: input), metadata: metadata, tags: ["claude-code"],
            clientSessionID: String(claudeSession.prefix(255)))
        return try await services.sessions.start(request).session
    }

    // MARK: Context

    private func sessionStart(_ input: HookInput) async throws -> String {
        let session = try await session(for: input)
        guard configuration.injectContext else { return "" }
        var lines = ["MemoryHub memory for user \(session.userID)" + (session.projectID.map { ", project \($0)" } ?? "")
            + " (session \(session.id.lowercased)). The memoryhub MCP tools can search and store more."]
        if let parentContext = session.metadata["parent_context"]?.objectValue {
            let rendered = TextRendering.parentContext(parentContext)
            if !rendered.isEmpty { lines.append(rendered) }
        }
        var request = ContextRequest(userID: session.userID)
        request.projectID = session.projectID
        request.contextTypes = [.recent, .decisions, .errors, .preferences, .patterns]
        // The whole block stays within the budget: the header and the inherited summary count too.
        let used = TokenEstimate.tokens(lines.joined(separator: "\n\n")) + 16
        request.maxTokens = max(0, configuration.contextTokens - used)
        request.maxMemories = configuration.contextMemories
        do {
            guard request.maxTokens > 0 else { return fitted(lines, tokens: configuration.contextTokens) }
            let context = try await services.context.retrieve(request)
            if !context.formattedContext.isEmpty { lines.append(context.formattedContext) }
        } catch {
            // The header and the inherited summary still help; say why the rest is missing in the log.
            logger.warning("session-start context unavailable", metadata: ["memoryhub.error": "\(error)"])
            throw PartialOutput(output: fitted(lines, tokens: configuration.contextTokens), error: error)
        }
        return fitted(lines, tokens: configuration.contextTokens)
    }

    /// The wrapped block of `blocks`, its last lines dropped until it fits `tokens` (estimates of
    /// parts and of the whole differ by a few tokens; the budget holds for the whole).
    func fitted(_ blocks: [String], tokens: Int) -> String {
        var lines = blocks.joined(separator: "\n\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var output = wrap(lines.joined(separator: "\n"))
        while TokenEstimate.tokens(output) > tokens, lines.count > 1 {
            lines.removeLast()
            output = wrap(lines.joined(separator: "\n"))
        }
        return output
    }

    private func userPromptSubmit(_ input: HookInput) async throws -> String {
        guard configuration.injectContext, let prompt = input.prompt?.trimmingCharacters(in: .whitespacesAndNewlines), !prompt.isEmpty
        else { return "" }
        let projectID = project(of: input)
        var current: Session?
        if let claudeSession = input.sessionID {
            current = try await services.sessions.session(clientSessionID: String(claudeSession.prefix(255)), userID: configuration.userID)
        }
        var request = SearchRequest(userID: configuration.userID, query: String(prompt.prefix(2000)))
        request.projectID = projectID
        request.limit = configuration.promptResults + 10
        request.candidateLimit = max(request.limit, configuration.promptCandidates)
        let response = try await services.search.search(request)
        let relevant = response.results.filter { result in
            guard result.score >= configuration.minimumPromptScore else { return false }
            // Turns of this very conversation are already in the model's context.
            let fromThisTranscript = result.memory.sessionID == current?.id && result.memory.metadata["source"] == "claude-code"
            return !fromThisTranscript
        }.prefix(configuration.promptResults)
        guard !relevant.isEmpty else { return "" }
        var lines = ["Memories that may be relevant to this prompt (from MemoryHub):"]
        var tokens = TokenEstimate.lineTokens(lines[0]) + 16
        for result in relevant {
            let memory = result.memory
            let day = String(memory.createdAt.iso8601.prefix(10))
            let line = "- [\(memory.memoryType.rawValue), \(day)] \(TextRendering.oneLine(memory.content, limit: 500)) (memory \(memory.id.lowercased))"
            // Whole memories only, best first, while they fit the prompt's budget.
            guard tokens + TokenEstimate.lineTokens(line) <= configuration.promptTokens else { break }
            tokens += TokenEstimate.lineTokens(line)
            lines.append(line)
        }
        guard lines.count > 1 else { return "" }
        return wrap(lines.joined(separator: "\n"))
    }

    // MARK: Capture

    private func sessionEnd(_ input: HookInput, turns: [TranscriptTurn]?) async throws -> String {
        // The session ends even when the transcript cannot be read.
        var failure: (any Error)?
        do {
            try await ingest(input, event: .sessionEnd, turns: turns)
        } catch {
            failure = error
        }
        let session = try await session(for: input)
        if let reason = input.reason {
            _ = try await services.sessions.update(id: session.id, actingUser: session.userID, metadata: ["claude_end_reason": .string(reason)])
        }
        _ = try await services.sessions.end(id: session.id, actingUser: session.userID, reason: .normal)
        if let failure { throw PartialOutput(output: "", error: failure) }
        return ""
    }

    /// Reads the transcript's turns that this session has not captured yet and stores what the
    /// capture pipeline keeps of them (``CapturePipeline``: typed, scored, de-duplicated memories
    /// with the transcript entry and span they came from; chit-chat and narration are not
    /// stored); returns how many memories were new. A cursor in the session's metadata
    /// (`capture_cursor`: how many turns were read, and the last one's entry) says where to go on,
    /// so a turn that yields nothing is not read again; without a cursor that matches the
    /// transcript, turns whose entry already has a memory are skipped. `turns`, when given, are
    /// the transcript's (as ``TranscriptReader`` read it elsewhere); else the input's
    /// `transcript_path` is read, if `readsTranscriptFiles`.
    @discardableResult
    package func ingest(_ input: HookInput, event: HookEvent, turns supplied: [TranscriptTurn]? = nil) async throws -> Int {
        let path = input.transcriptPath.map { Self.expandingTilde($0, home: configuration.homeDirectory) }
        guard supplied != nil || (configuration.readsTranscriptFiles && path != nil) else { return 0 }
        let (session, lock) = try await lockedSession(for: input)
        defer { lock.release() }
        let turns = try supplied ?? reader.turns(atPath: path ?? "")
        let fresh: ArraySlice<TranscriptTurn>
        if let cursor = session.metadata["capture_cursor"]?.objectValue, let read = cursor["turns"]?.numberValue.flatMap({ Int(exactly: $0) }),
            read > 0, read <= turns.count, turns[read - 1].id == cursor["entry"]?.stringValue
        {
            fresh = turns[read...]
        } else {
            let stored = try await storedEntries(of: session)
            fresh = turns.filter { !stored.contains($0.id) }[...]
        }
        var created = 0
        for turn in fresh {
            // The pipeline reads the turn redacted, so a memory is never cut from text that
            // redaction would empty or shorten.
            for memory in pipeline.capture(CaptureTurn(id: turn.id, role: turn.role == .user ? .user : .assistant, text: turn.text)) {
                do {
                    let stored = try await services.memories.store(
                        draft(memory, turn: turn, session: session, input: input, event: event), actingUser: session.userID)
                    if !stored.deduplicated { created += 1 }
                } catch let error as MemoryHubError where error.kind == .invalidField {
                    // One memory the write path refuses must not stop the capture of every later turn.
                    logger.notice("a captured memory was refused", metadata: ["memoryhub.error": "\(error)"])
                }
            }
        }
        if let last = turns.last, !fresh.isEmpty {
            _ = try await services.sessions.update(
                id: session.id, actingUser: session.userID,
                metadata: ["capture_cursor": ["turns": .int(Int64(turns.count)), "entry": .string(last.id)]])
        }
        if created > 0 {
            logger.debug("stored transcript memories", metadata: ["memoryhub.session.id": "\(session.id.lowercased)", "memoryhub.count": "\(created)"])
        }
        return created
    }

    /// The conversation's session as it is once this hook holds the conversation's lock (another
    /// hook may have changed its metadata meanwhile), and the lock, to release when done.
    func lockedSession(for input: HookInput) async throws -> (Session, HookLock) {
        let session = try await session(for: input)
        let lock = try await HookLock.acquire(
            folder: configuration.lockFolder, name: configuration.userID + "\u{0}" + (input.sessionID ?? ""),
            timeout: configuration.lockTimeout)
        do {
            return (try await services.sessions.session(id: session.id, actingUser: session.userID), lock)
        } catch {
            lock.release()
            throw error
        }
    }

    /// The transcript entries already stored in the session.
    private func storedEntries(of session: Session) async throws -> Set<String> {
        try await services.memories.metadataStrings(forKey: "transcript_entry", inSession: session.id, actingUser: session.userID)
    }

    /// A captured memory as the write path takes it: provenance (transcript entry, span, the rule
    /// that kept it) in metadata, the files the turn touched among its entities.
    func draft(_ memory: CapturedMemory, turn: TranscriptTurn, session: Session, input: HookInput, event: HookEvent) -> NewMemory {
        var metadata: JSONObject = [
            "source": "claude-code",
            "transcript_entry": .string(turn.id),
            "span": [.int(Int64(memory.span.lowerBound)), .int(Int64(memory.span.upperBound))],
            "capture_rule": .string(memory.rule),
            "role": .string(turn.role.rawValue),
            "captured_by": .string(event.rawValue),
        ]
        if let claudeSession = input.sessionID { metadata["claude_session_id"] = .string(claudeSession) }
        if let path = input.transcriptPath { metadata["transcript_path"] = .string(path) }
        if let timestamp = turn.timestamp { metadata["turn_timestamp"] = .string(timestamp) }
        if !turn.tools.isEmpty { metadata["tools"] = .array(turn.tools.map(JSONValue.string)) }
        let files = turn.files.prefix(20).map { Self.relative($0, to: input.cwd) }.filter { !$0.isEmpty && $0.count <= 255 }
        return NewMemory(
            sessionID: session.id, content: Self.truncated(memory.content, maxBytes: configuration.maximumTurnBytes),
            memoryType: memory.memoryType, summary: TextRendering.oneLine(memory.content, limit: 160), importance: memory.importance,
            entities: [String]().addingUnique(memory.entities + files), tags: ["claude-code", turn.role.rawValue], metadata: metadata)
    }

    // MARK: Helpers

    func wrap(_ text: String) -> String {
        var body = text
        let budget = configuration.maximumOutputCharacters - TranscriptReader.openMarker.count - TranscriptReader.closeMarker.count - 4
        if body.count > budget { body = String(body.prefix(max(0, budget - 1))) + "…" }
        return TranscriptReader.openMarker + "\n" + body + "\n" + TranscriptReader.closeMarker + "\n"
    }

    /// `path` with a leading `~/` replaced by `home`.
    package static func expandingTilde(_ path: String, home: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return home + path.dropFirst(1)
    }

    static func relative(_ path: String, to cwd: String?) -> String {
        guard let cwd, !cwd.isEmpty else { return path }
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Cuts `text` to at most `maxBytes` of UTF-8 on a character boundary, marking the cut.
    static func truncated(_ text: String, maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var result = ""
        var bytes = 0
        let marker = " …[truncated]"
        for character in text {
            let size = character.utf8.count
            if bytes + size + marker.utf8.count > maxBytes { break }
            result.append(character)
            bytes += size
        }
        return result + marker
    }
}

/// A hook that could do part of its job: print `output`, and log `error`.
package struct PartialOutput: Error, Sendable {
    package let output: String
    package let error: any Error
}
