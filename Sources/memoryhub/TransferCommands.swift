import ArgumentParser
import Logging
import MemoryAPI
import MemoryCore
import MemoryHooks
import MemoryService
import Foundation

/// `memoryhub export`: the configured database's memory as NDJSON (README "Export and import").
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write sessions and memories as NDJSON (a versioned header, sessions, memories, an end line) to stdout or a file.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Only this user's data (default: every user's).") var user: String?
    @Option(help: "Only this project's sessions and memories.") var project: String?
    @Option(help: "Only what changed at or after this RFC 3339 time (e.g. 2026-11-01T00:00:00Z).") var since: String?
    @Flag(help: "Include each memory's vector (base64 float32), so an import needs no re-embedding.") var embeddings = false
    @Option(name: [.short, .long], help: "Write here instead of stdout.") var output: String?

    func run() async throws {
        var sinceTime: Timestamp?
        if let since {
            guard let parsed = Timestamp(iso8601: since) else { throw ValidationError("--since must be an RFC 3339 time, not '\(since)'.") }
            sinceTime = parsed
        }
        let filter = TransferFilter(
            userID: try Validation.optionalIdentifier(user, field: "user"), projectID: try Validation.optionalIdentifier(project, field: "project"),
            since: sinceTime)
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let opened = FileHandle(forWritingAtPath: output) else {
                throw ValidationError("Cannot write \(output).")
            }
            handle = opened
        } else {
            handle = FileHandle.standardOutput
        }
        let summary = try await options.withServices(embeddings: false) { services in
            try await services.transfer.export(filter, embeddings: embeddings) { chunk in try handle.write(contentsOf: chunk) }
        }
        if output != nil { try handle.close() }
        FileHandle.standardError.write(Data(
            "Exported \(summary.sessions) sessions and \(summary.memories) memories\(embeddings ? " (\(summary.embeddings) with vectors)" : "").\n".utf8))
    }
}

/// `memoryhub import FILE`: an export file into the configured database.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an export file (or - for stdin). Idempotent: the same file twice changes nothing.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The NDJSON file from `memoryhub export` or GET /api/memory/admin/export; - reads stdin. With --claude-code: the transcripts folder (default ~/.claude/projects).")
    var file: String?
    @Flag(help: "Import Claude Code transcripts: one ended session per conversation, what the capture pipeline keeps of its turns.")
    var claudeCode = false
    @Option(help: "With --claude-code: the user the history belongs to (env MEMORYHUB_USER; default: the OS user name).") var user: String?
    @Option(help: "With --claude-code: the project for every conversation (default: from each conversation's folder).") var project: String?
    @Option(help: "When an id exists: skip (keep ours), newer (take the file's if its version is higher), replace.")
    var onConflict: ConflictPolicy = .skip
    @Option(help: "When a line is bad: abort (write nothing) or skip (write the good lines).")
    var onError: TransferManager.ErrorPolicy = .abort
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if file == nil && !claudeCode { throw ValidationError("Name the file to import (or - for stdin), or pass --claude-code.") }
        if !claudeCode && (user != nil || project != nil) { throw ValidationError("--user and --project go with --claude-code.") }
    }

    func run() async throws {
        if claudeCode { return try await importClaudeCode() }
        guard let file else { return }
        var path = file
        var spooled: String?
        if file == "-" {
            // The import reads its file twice: stdin is kept in a temporary file first.
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-import-\(UUID().uuidString).jsonl").path
            FileManager.default.createFile(atPath: temporary, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: temporary) else { throw ValidationError("Cannot create a temporary file.") }
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty { try handle.write(contentsOf: chunk) }
            try handle.close()
            path = temporary
            spooled = temporary
        }
        defer { if let spooled { try? FileManager.default.removeItem(atPath: spooled) } }
        var importOptions = TransferManager.ImportOptions(onConflict: onConflict, onError: onError)
        importOptions.maximumListedErrors = 1000
        let report = try await options.withServices(embeddings: false) { services in
            try await services.transfer.importFile(atPath: path, options: importOptions)
        }
        if json {
            CLIOutput.json(APIRepresentation.importReport(report))
        } else {
            Self.describe(report)
        }
        if report.aborted || report.errorCount > 0 { throw ExitCode(report.aborted ? 2 : 1) }
    }

    private func importClaudeCode() async throws {
        let environment = GlobalOptions.environment
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let folder = file ?? home + "/.claude/projects"
        let userID = try Validation.identifier(user ?? environment["MEMORYHUB_USER"] ?? CLIOutput.osUser, field: "user")
        let projectID = try Validation.optionalIdentifier(project, field: "project")
        let result = try await options.withServices(embeddings: false) { services in
            try await ClaudeCodeImport(services: services, userID: userID, projectID: projectID, logger: Logger(label: "memoryhub"))
                .importTranscripts(in: folder)
        }
        if json {
            CLIOutput.json(APIRepresentation.importReport(result.report))
        } else {
            print("Read \(result.transcripts) Claude Code conversations from \(folder) for user \(userID).")
            Self.describe(result.report)
        }
        if result.report.errorCount > 0 { throw ExitCode(1) }
    }

    static func describe(_ report: TransferManager.ImportReport) {
        func line(_ name: String, _ tally: TransferManager.Tally) -> String {
            "\(name): \(tally.inserted) new, \(tally.updated) updated, \(tally.unchanged) unchanged, \(tally.refused) refused"
        }
        for error in report.errors {
            FileHandle.standardError.write(Data("line \(error.line): \(error.error.detail) [\(error.error.code)]\n".utf8))
        }
        if report.errorCount > report.errors.count {
            FileHandle.standardError.write(Data("… and \(report.errorCount - report.errors.count) more bad lines\n".utf8))
        }
        if report.aborted {
            print("Nothing imported: \(report.errorCount) bad line(s). Fix them, or pass --on-error skip to import the good lines.")
            return
        }
        print(line("sessions", report.sessions))
        print(line("memories", report.memories))
        print("vectors imported: \(report.vectorsImported); queued for embedding: \(report.queuedForEmbedding) (embedded by memoryhub serve)")
        if !report.complete { print("warning: the file has no matching end line; it may have been cut short.") }
    }
}

extension ConflictPolicy: ExpressibleByArgument {}
extension TransferManager.ErrorPolicy: ExpressibleByArgument {}
