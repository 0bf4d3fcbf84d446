import MemoryAPI
import MemoryCore
package import MemoryService
import Foundation

/// What a PostToolUse event says the assistant did, reduced to what is worth remembering:
///
/// - `Edit`, `MultiEdit`, `Write`, `NotebookEdit`: the file joins the session's
///   `metadata.files_changed` (at most 200, newest last); no memory.
/// - `Bash` that failed (an error flag, a non-zero exit code, or an error line in its output): an
///   error memory "Command `…` failed: <the error line>", remembered in the session's
///   `metadata.failed_commands` under the command.
/// - `Bash` that succeeds where the same command failed before: a fact "`…` works again after
///   changing …" (the files changed since), related to the error memory; the failure is cleared.
/// - anything else: nothing.
///
/// The hook holds the conversation's lock for its read-modify-write of the session's metadata.
extension ClaudeCodeHooks {
    static let editingTools: Set<String> = ["Edit", "MultiEdit", "Write", "NotebookEdit"]

    func postToolUse(_ input: HookInput) async throws {
        guard let tool = input.toolName else { return }
        let isEdit = Self.editingTools.contains(tool)
        guard isEdit || tool == "Bash" else { return }
        let (session, lock) = try await lockedSession(for: input)
        defer { lock.release() }
        if isEdit {
            guard let path = (input.toolInput["file_path"] ?? input.toolInput["notebook_path"] ?? input.toolInput["path"])?.stringValue else { return }
            let file = Self.relative(path, to: input.cwd)
            var files = session.metadata["files_changed"]?.arrayValue?.compactMap(\.stringValue) ?? []
            files.removeAll { $0 == file }
            files.append(file)
            _ = try await services.sessions.update(
                id: session.id, actingUser: session.userID, metadata: ["files_changed": .array(files.suffix(200).map(JSONValue.string))])
            return
        }
        guard let command = input.toolInput["command"]?.stringValue?.trimmedWhitespace, !command.isEmpty else { return }
        // Keyed by a hash: the command itself may hold a secret, and metadata keys are not redacted.
        let key = ContentFingerprint.hash(command)
        var failures = session.metadata["failed_commands"]?.objectValue ?? [:]
        let filesChanged = session.metadata["files_changed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        // Redacted before it is shortened, so a cut can never leave part of a secret behind.
        let shown = TextRendering.oneLine(pipeline.redactor.redact(command).text, limit: 200)
        if let errorLine = Self.failure(of: input.toolResponse) {
            let memory = try await services.memories.store(
                NewMemory(
                    sessionID: session.id, content: "Command `\(shown)` failed: \(errorLine)", memoryType: .error, importance: 0.7,
                    tags: ["claude-code", "tool"],
                    metadata: ["source": "claude-code", "captured_by": "post-tool-use", "tool": "Bash", "command": .string(shown)]),
                actingUser: session.userID)
            failures[key] = ["memory_id": .string(memory.memory.id.lowercased), "files_changed": .int(Int64(filesChanged.count))]
            // The 50 most recent failures are enough to pair a fix with its error.
            if failures.count > 50, let oldest = failures.min(by: { ($0.value.objectValue?["memory_id"]?.stringValue ?? "") < ($1.value.objectValue?["memory_id"]?.stringValue ?? "") })?.key {
                failures.removeValue(forKey: oldest)
            }
            _ = try await services.sessions.update(id: session.id, actingUser: session.userID, metadata: ["failed_commands": .object(failures)])
        } else if let failure = failures[key]?.objectValue {
            let before = max(0, failure["files_changed"]?.numberValue.flatMap { Int(exactly: $0) } ?? 0)
            let changed = Array(filesChanged.dropFirst(min(before, filesChanged.count)))
            let related = failure["memory_id"]?.stringValue.flatMap { UUID(uuidString: $0) }.map { [$0] } ?? []
            let how = changed.isEmpty ? "" : " after changing " + changed.prefix(5).joined(separator: ", ")
            _ = try await services.memories.store(
                NewMemory(
                    sessionID: session.id, content: "Command `\(shown)` works again\(how).", memoryType: .fact, importance: 0.65,
                    entities: Array(changed.prefix(20)), tags: ["claude-code", "tool", "fix"],
                    metadata: ["source": "claude-code", "captured_by": "post-tool-use", "tool": "Bash", "command": .string(shown)],
                    relatedMemories: related),
                actingUser: session.userID)
            failures.removeValue(forKey: key)
            _ = try await services.sessions.update(id: session.id, actingUser: session.userID, metadata: ["failed_commands": .object(failures)])
        }
    }

    /// The error line of a failed command's response, or nil when it succeeded. Failure: an
    /// error flag (`is_error`), a non-zero `exit_code`/`exitCode`/`returnCode`, "Exit code N" or
    /// "Error" leading a plain-text response, an error line on stderr, or a stdout line that opens
    /// like a failure report (`error:`, `fatal:`, `FAILED`, `panic:`, `Traceback`). Counts such as
    /// "0 errors" in ordinary output are not failures.
    static func failure(of response: JSONValue) -> String? {
        var failed = false
        var candidates: [String] = []
        switch response {
        case .string(let text):
            failed = text.hasPrefix("Error") || text.hasPrefix("Exit code") || text.contains("\nExit code ")
            candidates = lines(text).filter(opensLikeAFailure) + lines(text).filter(CapturePipeline.isErrorLine)
        case .object(let object):
            if object["is_error"] == true || object["isError"] == true { failed = true }
            for key in ["exit_code", "exitCode", "returnCode", "return_code"] {
                if let code = object[key]?.numberValue, code != 0 { failed = true }
            }
            let stderr = lines(object["stderr"]?.stringValue ?? "").filter(CapturePipeline.isErrorLine)
            let stdout = lines(object["stdout"]?.stringValue ?? object["output"]?.stringValue ?? "").filter(opensLikeAFailure)
            if !stderr.isEmpty || !stdout.isEmpty { failed = true }
            candidates = stderr + stdout + lines(object["stderr"]?.stringValue ?? "") + lines(object["stdout"]?.stringValue ?? "")
        default:
            return nil
        }
        guard failed else { return nil }
        return TextRendering.oneLine(candidates.first ?? "no output", limit: 300)
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map { String($0).trimmedWhitespace }.filter { !$0.isEmpty }
    }

    static func opensLikeAFailure(_ line: String) -> Bool {
        let lower = line.lowercased()
        return ["error:", "error[", "fatal:", "failed", "panic:", "traceback", "exception", "e   ", "npm err!", "make: ***"]
            .contains { lower.hasPrefix($0) } || line.hasPrefix("FAIL")
    }
}
