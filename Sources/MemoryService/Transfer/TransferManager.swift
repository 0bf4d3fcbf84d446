package import Logging
package import MemoryCore
package import MemoryStore
import MemoryCache
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Export and import (DESIGN.md "Pages, export, plugin"): a user's memory as versioned NDJSON
/// (``TransferRecord``), lossless and streaming both ways.
///
/// - Export reads sessions, then memories, in keyset pages by id: its memory holds one page and
///   the ids of the sessions written (16 bytes each), never the memories.
/// - Import reads its file twice. The first pass checks every line (shape, sizes, the caller's
///   scope, ids another user owns, memories whose session is in neither the file nor the store)
///   and writes nothing; with `onError: .abort` any bad line stops the import there, so nothing
///   is half-written. The second pass writes the good lines in batches (one transaction each),
///   with secrets redacted, content hashes derived, vectors kept when they come from the store's
///   model and queued for embedding otherwise; then each touched session's memory count is
///   settled and its cache entry dropped. The same file imported twice changes nothing.
package struct TransferManager: Sendable {
    let store: any MemoryStore
    let sessions: SessionManager
    let redaction: SecretRedaction
    let embeddingSignal: EmbeddingSignal
    let configuration: ServiceConfiguration
    let logger: Logger

    init(
        store: any MemoryStore, sessions: SessionManager, redaction: SecretRedaction, embeddingSignal: EmbeddingSignal,
        configuration: ServiceConfiguration, logger: Logger
    ) {
        self.store = store
        self.sessions = sessions
        self.redaction = redaction
        self.embeddingSignal = embeddingSignal
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Export

    /// What an export wrote.
    package struct ExportSummary: Sendable, Equatable {
        package var sessions = 0
        package var memories = 0
        /// Memories written with their vector.
        package var embeddings = 0
    }

    /// Writes the export of `filter` to `write` as NDJSON chunks of about `chunkBytes` (each ends
    /// at a line's end). With `embeddings`, memories carry their vectors. A memory whose session
    /// was created after the session pass (a write racing the export) is left for the next export.
    @discardableResult
    package func export(
        _ filter: TransferFilter, embeddings: Bool, pageSize: Int = 500, chunkBytes: Int = 256 << 10,
        write: ([UInt8]) async throws -> Void
    ) async throws -> ExportSummary {
        var summary = ExportSummary()
        var chunk: [UInt8] = []
        chunk.reserveCapacity(chunkBytes + 64 << 10)
        func emit(_ record: TransferRecord) async throws {
            chunk += record.line
            if chunk.count >= chunkBytes {
                try await write(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        let model = try await store.embeddingModel()
        try await emit(.header(TransferHeader(exportedAt: .now(), embeddingModel: model, filter: filter)))
        var written = Set<UUID>()
        var after: UUID?
        while true {
            let page = try await store.exportSessions(filter, after: after, limit: pageSize)
            for session in page {
                try await emit(.session(session))
                written.insert(session.id)
            }
            summary.sessions += page.count
            guard page.count == pageSize, let last = page.last else { break }
            after = last.id
        }
        after = nil
        while true {
            let page = try await store.exportMemories(filter, after: after, limit: pageSize, embeddings: embeddings)
            for item in page where written.contains(item.memory.sessionID) {
                try await emit(.memory(item.memory, embedding: item.embedding))
                summary.memories += 1
                if item.embedding != nil { summary.embeddings += 1 }
            }
            guard page.count == pageSize, let last = page.last else { break }
            after = last.memory.id
        }
        try await emit(.end(sessions: summary.sessions, memories: summary.memories))
        if !chunk.isEmpty { try await write(chunk) }
        return summary
    }

    // MARK: Import

    /// What to do with a bad line.
    package enum ErrorPolicy: String, Sendable, CaseIterable {
        /// Write nothing when any line is bad (the default).
        case abort
        /// Write the good lines; report the bad ones.
        case skip
    }

    /// How to import.
    package struct ImportOptions: Sendable {
        package var onConflict: ConflictPolicy = .skip
        package var onError: ErrorPolicy = .abort
        /// The only user the records may belong to (a user API key's); nil for any.
        package var scopeUser: String?
        /// Records per transaction.
        package var batchSize = 500
        /// Errors listed in the report at most (all are counted).
        package var maximumListedErrors = 100
        /// For captured history (`import --claude-code`): a memory whose id the store already
        /// has in another session (a resumed conversation repeats its turns), or whose content
        /// the user already has in the project (captured live by the hooks), is skipped as
        /// unchanged instead of refused or stored twice.
        package var dropDuplicates = false

        package init(onConflict: ConflictPolicy = .skip, onError: ErrorPolicy = .abort, scopeUser: String? = nil) {
            self.onConflict = onConflict
            self.onError = onError
            self.scopeUser = scopeUser
        }
    }

    /// A bad line: its number and why.
    package struct LineError: Sendable {
        package var line: Int
        package var error: MemoryHubError
    }

    /// Records by what happened to them.
    package struct Tally: Sendable, Equatable {
        package var inserted = 0
        package var updated = 0
        package var unchanged = 0
        package var refused = 0
    }

    /// What an import did.
    package struct ImportReport: Sendable {
        /// Lines read (the header and end included).
        package var lines = 0
        package var sessions = Tally()
        package var memories = Tally()
        /// Memories stored with the file's vector.
        package var vectorsImported = 0
        /// Memories written without a vector, queued for the background embedder.
        package var queuedForEmbedding = 0
        /// Sessions whose memory count the import settled.
        package var countsReconciled = 0
        /// The first bad lines (`ImportOptions.maximumListedErrors`).
        package var errors: [LineError] = []
        /// Every bad line, counted.
        package var errorCount = 0
        /// True when bad lines stopped the import before anything was written.
        package var aborted = false
        /// True when the file ended with its end line and the counts it gives.
        package var complete = false
    }

    /// Imports the export file at `path`. Throws `forbidden` when a record belongs to a user
    /// other than `options.scopeUser` (nothing written), `invalidField("file", …)` when the file
    /// is not a MemoryHub export; bad lines are reported in the result.
    package func importFile(atPath path: String, options: ImportOptions) async throws -> ImportReport {
        var report = ImportReport()
        let (header, bad) = try await check(path: path, options: options, report: &report)
        if report.errorCount > 0 && options.onError == .abort {
            report.aborted = true
            logger.notice("import aborted: bad lines", metadata: ["memoryhub.errors": "\(report.errorCount)"])
            return report
        }
        try await write(path: path, header: header, skipping: bad, options: options, report: &report)
        logger.info(
            "imported",
            metadata: [
                "memoryhub.sessions": "\(report.sessions.inserted + report.sessions.updated)",
                "memoryhub.memories": "\(report.memories.inserted + report.memories.updated)",
                "memoryhub.errors": "\(report.errorCount)",
            ])
        return report
    }

    private func note(_ error: MemoryHubError, line: Int, into report: inout ImportReport, options: ImportOptions) {
        report.errorCount += 1
        if report.errors.count < options.maximumListedErrors { report.errors.append(LineError(line: line, error: error)) }
    }

    /// The first pass: every line checked, nothing written. Returns the header and the numbers
    /// of the bad lines.
    private func check(path: String, options: ImportOptions, report: inout ImportReport) async throws -> (TransferHeader, Set<Int>) {
        var reader = try NDJSONReader(path: path)
        defer { reader.close() }
        var header: TransferHeader?
        var bad = Set<Int>()
        /// Valid sessions of the file: their user.
        var fileSessions: [UUID: String] = [:]
        var pending: [(line: Int, record: TransferRecord)] = []
        var counts = (sessions: 0, memories: 0)
        var end: (line: Int, sessions: Int, memories: Int)?
        func flush(_ report: inout ImportReport) async throws {
            guard !pending.isEmpty else { return }
            for (line, error) in try await ownershipErrors(pending, dropDuplicates: options.dropDuplicates, fileSessions: &fileSessions) {
                bad.insert(line)
                note(error, line: line, into: &report, options: options)
            }
            pending.removeAll(keepingCapacity: true)
        }
        while let line = try reader.next() {
            report.lines += 1
            switch line {
            case .tooLong(let number):
                bad.insert(number)
                note(.invalidField("line", "The line is longer than 16 MiB."), line: number, into: &report, options: options)
            case .text(let number, let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                let record: TransferRecord
                do {
                    record = try TransferRecord.parse(bytes)
                    if header == nil {
                        guard case .header(let first) = record else {
                            throw MemoryHubError.invalidField("file", "Line \(number) is not an export header: this is not a MemoryHub export file.")
                        }
                        header = first
                        continue
                    }
                    if end != nil { throw MemoryHubError.invalidField("line", "The line follows the file's end line.") }
                    try validate(record, scope: options.scopeUser)
                } catch let error as MemoryHubError where error.kind == .forbidden {
                    throw error
                } catch let error as MemoryHubError where header == nil {
                    throw MemoryHubError.invalidField("file", "Line \(number) is not an export header: this is not a MemoryHub export file (\(error.detail)).")
                } catch let error as MemoryHubError {
                    bad.insert(number)
                    note(error, line: number, into: &report, options: options)
                    continue
                }
                switch record {
                case .header:
                    bad.insert(number)
                    note(.invalidField("type", "A second header line."), line: number, into: &report, options: options)
                case .session:
                    counts.sessions += 1
                    pending.append((number, record))
                case .memory:
                    if counts.memories == 0 { try await flush(&report) }  // every session known before the first memory
                    counts.memories += 1
                    pending.append((number, record))
                case .end(let sessions, let memories):
                    end = (number, sessions, memories)
                }
                if pending.count >= options.batchSize { try await flush(&report) }
            }
        }
        try await flush(&report)
        guard let header else { throw MemoryHubError.invalidField("file", "The file is empty: it has no export header.") }
        if let end {
            if end.sessions == counts.sessions && end.memories == counts.memories {
                report.complete = true
            } else {
                note(
                    .invalidField(
                        "end",
                        "The end line counts \(end.sessions) sessions and \(end.memories) memories; the file holds \(counts.sessions) and \(counts.memories)."),
                    line: end.line, into: &report, options: options)
            }
        } else {
            note(
                .invalidField("end", "The file has no end line: it may have been cut short."), line: report.lines + 1, into: &report,
                options: options)
        }
        return (header, bad)
    }

    /// The checks a record passes before any store is asked: sizes, identifiers, scope.
    private func validate(_ record: TransferRecord, scope: String?) throws {
        switch record {
        case .session(let session):
            try checkScope(session.userID, scope: scope)
            _ = try Validation.identifier(session.userID, field: "user_id")
            _ = try Validation.optionalIdentifier(session.projectID, field: "project_id")
            _ = try Validation.optionalIdentifier(session.clientSessionID, field: "client_session_id")
            _ = try Validation.strings(session.tags, field: "tags")
            if let summary = session.summary { _ = try Validation.content(summary, maxBytes: configuration.maxContentBytes, field: "summary") }
            if session.parentSessionID == session.id {
                throw MemoryHubError.invalidField("parent_session_id", "A session cannot be its own parent.")
            }
            try StoredTextCheck.check(session)
        case .memory(let memory, _):
            try checkScope(memory.userID, scope: scope)
            _ = try Validation.identifier(memory.userID, field: "user_id")
            _ = try Validation.optionalIdentifier(memory.projectID, field: "project_id")
            _ = try Validation.content(memory.content, maxBytes: configuration.maxContentBytes)
            if let summary = memory.summary { _ = try Validation.content(summary, maxBytes: configuration.maxContentBytes, field: "summary") }
            _ = try Validation.unitInterval(memory.importance, field: "importance")
            _ = try Validation.unitInterval(memory.confidence, field: "confidence")
            _ = try Validation.strings(memory.entities, field: "entities")
            _ = try Validation.strings(memory.tags, field: "tags")
            try StoredTextCheck.check(memory)
        case .header, .end:
            break
        }
    }

    private func checkScope(_ userID: String, scope: String?) throws {
        if let scope, userID != scope {
            throw MemoryHubError.forbidden("This API key imports only its own user's data; the file holds records of another user.")
        }
    }

    /// The records the store would refuse: ids another user owns, a memory in another session
    /// than the store's, a memory whose session is in neither the file nor the store, a client
    /// session id another session of the user holds. Records valid so far add their sessions to
    /// `fileSessions`.
    private func ownershipErrors(
        _ records: [(line: Int, record: TransferRecord)], dropDuplicates: Bool, fileSessions: inout [UUID: String]
    ) async throws -> [(Int, MemoryHubError)] {
        var sessionIDs: [UUID] = []
        var memoryIDs: [UUID] = []
        var clients: [(userID: String, clientSessionID: String)] = []
        for (_, record) in records {
            switch record {
            case .session(let session):
                sessionIDs.append(session.id)
                if let client = session.clientSessionID { clients.append((session.userID, client)) }
            case .memory(let memory, _):
                memoryIDs.append(memory.id)
                if fileSessions[memory.sessionID] == nil { sessionIDs.append(memory.sessionID) }
            default:
                break
            }
        }
        let ownership = try await store.transferOwnership(sessionIDs: sessionIDs, memoryIDs: memoryIDs, clientSessions: clients)
        var errors: [(Int, MemoryHubError)] = []
        for (line, record) in records {
            switch record {
            case .session(let session):
                if let owner = ownership.sessionUsers[session.id], owner != session.userID {
                    errors.append((line, TransferRefusal.otherUsersSession(session.id)))
                } else if let client = session.clientSessionID,
                    let other = ownership.clientSessions[TransferOwnership.clientKey(userID: session.userID, clientSessionID: client)],
                    other != session.id
                {
                    errors.append((line, TransferRefusal.duplicateClientSession(other.lowercased)))
                } else {
                    fileSessions[session.id] = session.userID
                }
            case .memory(let memory, _):
                if let owner = ownership.memoryOwners[memory.id], owner.userID != memory.userID {
                    errors.append((line, TransferRefusal.otherUsersMemory(memory.id)))
                } else if let owner = ownership.memoryOwners[memory.id], owner.sessionID != memory.sessionID {
                    if !dropDuplicates { errors.append((line, TransferRefusal.memoryInOtherSession(memory.id, owner.sessionID))) }
                } else if (fileSessions[memory.sessionID] ?? ownership.sessionUsers[memory.sessionID]) != memory.userID {
                    errors.append((
                        line,
                        MemoryHubError(
                            kind: .notFound, code: .sessionNotFound,
                            detail: "Session \(memory.sessionID.lowercased) of this memory is neither in the file (before it) nor in the store as this user's.")
                    ))
                }
            default:
                break
            }
        }
        return errors
    }

    /// The second pass: the good lines written in batches.
    private func write(path: String, header: TransferHeader, skipping bad: Set<Int>, options: ImportOptions, report: inout ImportReport)
        async throws
    {
        var reader = try NDJSONReader(path: path)
        defer { reader.close() }
        let vectorsUsable = try await acceptsVectors(of: header)
        var touched = Set<UUID>()
        /// Content hashes this import wrote (with `dropDuplicates`).
        var written = Set<String>()
        var sessionBatch: [(line: Int, session: Session)] = []
        var memoryBatch: [(line: Int, memory: ImportedMemory)] = []
        func flushSessions(_ report: inout ImportReport) async throws {
            guard !sessionBatch.isEmpty else { return }
            let outcomes = try await store.importSessions(sessionBatch.map(\.session), policy: options.onConflict)
            for (item, outcome) in zip(sessionBatch, outcomes) {
                tally(outcome, line: item.line, into: \.sessions, report: &report, options: options)
                if case .inserted = outcome { touched.insert(item.session.id) }
                if case .updated = outcome { touched.insert(item.session.id) }
            }
            sessionBatch.removeAll(keepingCapacity: true)
        }
        func flushMemories(_ report: inout ImportReport) async throws {
            guard !memoryBatch.isEmpty else { return }
            let outcomes = try await store.importMemories(memoryBatch.map(\.memory), policy: options.onConflict)
            for (item, outcome) in zip(memoryBatch, outcomes) {
                tally(outcome, line: item.line, into: \.memories, report: &report, options: options)
                switch outcome {
                case .inserted, .updated:
                    touched.insert(item.memory.memory.sessionID)
                    if item.memory.embedding != nil { report.vectorsImported += 1 } else { report.queuedForEmbedding += 1 }
                case .unchanged, .refused:
                    break
                }
            }
            memoryBatch.removeAll(keepingCapacity: true)
        }
        while let line = try reader.next() {
            guard case .text(let number, let bytes) = line, !bad.contains(number) else { continue }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            switch try TransferRecord.parse(bytes) {
            case .session(let session):
                sessionBatch.append((number, redacted(session)))
                if sessionBatch.count >= options.batchSize { try await flushSessions(&report) }
            case .memory(let memory, let embedding):
                try await flushSessions(&report)
                let clean = redacted(memory)
                let vector = vectorsUsable.flatMap { dimension in embedding?.count == dimension && clean.indexedText == memory.indexedText ? embedding : nil }
                let fingerprint = ContentFingerprint.hash(clean.content)
                let hash = configuration.deduplicateWrites ? fingerprint : nil
                if options.dropDuplicates, try await isDuplicate(clean, hash: fingerprint, written: &written) {
                    report.memories.unchanged += 1
                    continue
                }
                memoryBatch.append((number, ImportedMemory(memory: clean, contentHash: hash, embedding: vector)))
                if memoryBatch.count >= options.batchSize { try await flushMemories(&report) }
            case .header, .end:
                break
            }
        }
        try await flushSessions(&report)
        try await flushMemories(&report)
        let ids = Array(touched)
        for start in stride(from: 0, to: ids.count, by: 1000) {
            let repaired = try await store.reconcileMemoryCounts(sessionIDs: Array(ids[start..<min(start + 1000, ids.count)]))
            report.countsReconciled += repaired.count
        }
        for id in ids { await sessions.cache.remove(id: id) }
        if report.queuedForEmbedding > 0 { embeddingSignal.raise() }
    }

    /// With `dropDuplicates`: whether the memory's id is the user's already in another session,
    /// or its content is already the user's in the project (stored before, or earlier in this import).
    private func isDuplicate(_ memory: Memory, hash: String, written: inout Set<String>) async throws -> Bool {
        if let stored = try await store.memory(id: memory.id, userID: memory.userID), stored.sessionID != memory.sessionID { return true }
        let key = memory.userID + "\u{0}" + (memory.projectID ?? "") + "\u{0}" + hash
        if written.contains(key) { return true }
        if let other = try await store.memoryID(contentHash: hash, userID: memory.userID, projectID: memory.projectID), other != memory.id {
            return true
        }
        written.insert(key)
        return false
    }

    private func tally(
        _ outcome: ImportOutcome, line: Int, into tally: WritableKeyPath<ImportReport, Tally>, report: inout ImportReport, options: ImportOptions
    ) {
        switch outcome {
        case .inserted: report[keyPath: tally].inserted += 1
        case .updated: report[keyPath: tally].updated += 1
        case .unchanged: report[keyPath: tally].unchanged += 1
        case .refused(let error):
            report[keyPath: tally].refused += 1
            note(error, line: line, into: &report, options: options)
        }
    }

    /// The vector length the file's vectors must have to be stored, or nil when they come from
    /// another model than the store's (the memories are then embedded again). A store that has
    /// recorded no model and holds no vector takes the file's model.
    private func acceptsVectors(of header: TransferHeader) async throws -> Int? {
        guard let fileModel = header.embeddingModel, let dimension = fileModel.split(separator: "/").last.flatMap({ Int($0) }) else {
            return nil
        }
        if let storeModel = try await store.embeddingModel() { return storeModel == fileModel ? dimension : nil }
        guard try await store.storedVectorDimension() == nil else { return nil }
        _ = try await store.setEmbeddingModel(fileModel, clearingVectors: false)
        return dimension
    }

    private func redacted(_ session: Session) -> Session {
        var result = session
        result.summary = session.summary.map(redaction.text)
        result.tags = session.tags.map(redaction.text)
        result.metadata = redaction.metadata(session.metadata)
        return result
    }

    private func redacted(_ memory: Memory) -> Memory {
        var result = memory
        result.content = redaction.text(memory.content)
        result.summary = memory.summary.map(redaction.text)
        result.entities = memory.entities.map(redaction.text)
        result.tags = memory.tags.map(redaction.text)
        result.metadata = redaction.metadata(memory.metadata)
        return result
    }
}
