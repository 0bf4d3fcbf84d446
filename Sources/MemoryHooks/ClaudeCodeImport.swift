package import Logging
import MemoryAPI
import MemoryCore
package import MemoryService
import Foundation

/// `memoryhub import --claude-code [FOLDER]`: existing Claude Code transcripts
/// (`~/.claude/projects/<project folder>/<conversation>.jsonl`) as MemoryHub history.
///
/// Each conversation becomes one ended session (client session id = Claude's session id, so the
/// hooks find it again when the conversation is resumed; the project from its working folder, as
/// the hooks name it), holding what the capture pipeline keeps of its turns, each memory dated
/// at its turn. Ids are derived from the user, the conversation and the transcript entry
/// (``UUID/named(_:)``), and the records go through the NDJSON importer (``TransferManager``,
/// with `dropDuplicates`), so:
/// - importing the same folder twice changes nothing;
/// - a resumed conversation (Claude Code copies the earlier turns into a new transcript) stores
///   only its new turns;
/// - turns the hooks already captured live (same content, other ids) are not stored twice, and a
///   session the hooks started is reused, not duplicated;
/// - the summary Claude Code writes when it compacts is not a memory (the reader skips it).
package struct ClaudeCodeImport: Sendable {
    let services: MemoryHubServices
    let userID: String
    /// Overrides the project read from each conversation's working folder.
    let projectID: String?
    let logger: Logger
    let pipeline: CapturePipeline
    let reader = TranscriptReader()
    /// Longest memory content stored from one turn, in UTF-8 bytes (as the hooks).
    var maximumTurnBytes = 8 * 1024

    package init(services: MemoryHubServices, userID: String, projectID: String? = nil, logger: Logger) {
        self.services = services
        self.userID = userID
        self.projectID = projectID
        self.logger = logger
        pipeline = CapturePipeline(redactor: services.memories.redaction.redactor)
    }

    /// What an import of transcripts did: the transcripts read, and the importer's report.
    package struct Result: Sendable {
        package var transcripts = 0
        package var report: TransferManager.ImportReport
    }

    /// Imports every `*.jsonl` transcript under `folder` (in it, and one level down), oldest
    /// first. Throws `invalidField("folder", …)` when the folder cannot be read.
    package func importTranscripts(in folder: String) async throws -> Result {
        let transcripts = try Self.transcripts(in: folder)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-claude-import-\(UUID().uuidString).jsonl").path
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw MemoryHubError.internal("cannot create a temporary file for the import")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        var sessions: [Session] = []
        var counts = (sessions: 0, memories: 0)
        // Sessions first (the format wants them before their memories): the memories of each
        // conversation go to a second file, appended after.
        let memoryPath = path + ".memories"
        FileManager.default.createFile(atPath: memoryPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: memoryPath) }
        guard let memoryHandle = FileHandle(forWritingAtPath: memoryPath) else {
            throw MemoryHubError.internal("cannot create a temporary file for the import")
        }
        do {
            try handle.write(contentsOf: TransferRecord.header(TransferHeader(exportedAt: .now(), embeddingModel: nil, filter: .init(userID: userID))).line)
            for transcript in transcripts {
                guard let (session, memories) = try await records(of: transcript) else { continue }
                sessions.append(session)
                try handle.write(contentsOf: TransferRecord.session(session).line)
                for memory in memories { try memoryHandle.write(contentsOf: TransferRecord.memory(memory, embedding: nil).line) }
                counts.sessions += 1
                counts.memories += memories.count
            }
            try memoryHandle.close()
            if let reading = FileHandle(forReadingAtPath: memoryPath) {
                while let chunk = try reading.read(upToCount: 1 << 20), !chunk.isEmpty { try handle.write(contentsOf: chunk) }
                try reading.close()
            }
            try handle.write(contentsOf: TransferRecord.end(sessions: counts.sessions, memories: counts.memories).line)
            try handle.close()
        } catch {
            try? handle.close()
            try? memoryHandle.close()
            throw error
        }
        var options = TransferManager.ImportOptions(onConflict: .skip, onError: .skip)
        options.dropDuplicates = true
        let report = try await services.transfer.importFile(atPath: path, options: options)
        return Result(transcripts: counts.sessions, report: report)
    }

    /// The transcripts under `folder`, oldest modification first.
    static func transcripts(in folder: String) throws -> [String] {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: folder) else {
            throw MemoryHubError.invalidField("folder", "Cannot read the folder \(folder).")
        }
        var files: [(path: String, modified: Date)] = []
        func add(_ path: String) {
            let modified = (try? manager.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date.distantPast
            files.append((path, modified ?? Date.distantPast))
        }
        for entry in entries.sorted() {
            let path = folder + "/" + entry
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                for inner in ((try? manager.contentsOfDirectory(atPath: path)) ?? []).sorted() where inner.hasSuffix(".jsonl") {
                    add(path + "/" + inner)
                }
            } else if entry.hasSuffix(".jsonl") {
                add(path)
            }
        }
        return files.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }.map(\.path)
    }

    /// One conversation's session and memories; nil when it has no turns.
    func records(of path: String) async throws -> (Session, [Memory])? {
        guard let data = FileManager.default.contents(atPath: path) else {
            logger.warning("skipping an unreadable transcript", metadata: ["memoryhub.path": "\(path)"])
            return nil
        }
        let turns = reader.turns(in: [UInt8](data))
        guard !turns.isEmpty else { return nil }
        let facts = Self.conversationFacts(in: data)
        let claudeSession = facts.sessionID ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let cwd = facts.cwd
        let project = projectID ?? cwd.flatMap(ProjectName.of(folder:))
        let times = turns.compactMap { $0.timestamp.flatMap(Timestamp.init(iso8601:)) }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date).flatMap { $0 }
        let fallback = modified.map(Timestamp.init) ?? .now()
        let started = times.min() ?? fallback
        let ended = max(times.max() ?? fallback, started)
        let clientID = String(claudeSession.prefix(255))
        // A conversation the hooks captured live already has its session: reuse it.
        let existing = try await services.sessions.session(clientSessionID: clientID, userID: userID)
        var metadata: JSONObject = [
            "source": "claude-code", "claude_session_id": .string(claudeSession), "transcript_path": .string(path),
            "imported_from": "claude-code",
        ]
        if let cwd { metadata["cwd"] = .string(cwd) }
        let sessionID = existing?.id ?? UUID.named("claude-code-session\u{0}\(userID)\u{0}\(claudeSession)")
        var memories: [Memory] = []
        for turn in turns {
            let at = turn.timestamp.flatMap(Timestamp.init(iso8601:)) ?? started
            for captured in pipeline.capture(CaptureTurn(id: turn.id, role: turn.role == .user ? .user : .assistant, text: turn.text)) {
                var memoryMetadata: JSONObject = [
                    "source": "claude-code",
                    "transcript_entry": .string(turn.id),
                    "span": [.int(Int64(captured.span.lowerBound)), .int(Int64(captured.span.upperBound))],
                    "capture_rule": .string(captured.rule),
                    "role": .string(turn.role.rawValue),
                    "captured_by": "import",
                    "claude_session_id": .string(claudeSession),
                    "transcript_path": .string(path),
                ]
                if let timestamp = turn.timestamp { memoryMetadata["turn_timestamp"] = .string(timestamp) }
                if !turn.tools.isEmpty { memoryMetadata["tools"] = .array(turn.tools.map(JSONValue.string)) }
                let files = turn.files.prefix(20).map { ClaudeCodeHooks.relative($0, to: cwd) }.filter { !$0.isEmpty && $0.count <= 255 }
                let content = ClaudeCodeHooks.truncated(captured.content, maxBytes: maximumTurnBytes)
                memories.append(Memory(
                    // Not the conversation: a resumed one repeats these entries, which must stay one memory.
                    id: UUID.named("claude-code-memory\u{0}\(userID)\u{0}\(turn.id)\u{0}\(captured.span.lowerBound)\u{0}\(captured.span.upperBound)"),
                    sessionID: sessionID, userID: userID, projectID: existing?.projectID ?? project, content: content,
                    summary: TextRendering.oneLine(captured.content, limit: 160), memoryType: captured.memoryType,
                    importance: captured.importance, entities: [String]().addingUnique(Array(captured.entities.prefix(50)) + files).filter { $0.count <= 255 }.prefix(100).map { $0 },
                    tags: ["claude-code", turn.role.rawValue], metadata: memoryMetadata, createdAt: at))
            }
        }
        let session = existing ?? Session(
            id: sessionID, userID: userID, projectID: project, clientSessionID: clientID, state: .ended, startedAt: started,
            endedAt: ended, endReason: EndReason.normal.rawValue, metadata: metadata, tags: ["claude-code"],
            memoryCount: memories.count, createdAt: started, updatedAt: ended)
        return (session, memories)
    }

    /// The conversation's session id and working folder, from the first entries that name them.
    static func conversationFacts(in data: Data) -> (sessionID: String?, cwd: String?) {
        var sessionID: String?
        var cwd: String?
        for line in data.split(separator: 0x0A) {
            guard let value = try? JSONParser.parse(line), case .object(let entry) = value else { continue }
            if sessionID == nil { sessionID = entry["sessionId"]?.stringValue }
            if cwd == nil { cwd = entry["cwd"]?.stringValue }
            if sessionID != nil && cwd != nil { break }
        }
        return (sessionID, cwd)
    }
}
