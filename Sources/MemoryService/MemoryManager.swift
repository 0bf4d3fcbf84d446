package import MemoryCore
package import MemoryStore
import MemoryCache
package import Logging
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A memory to store, as a caller describes it.
package struct NewMemory: Sendable {
    package var sessionID: UUID
    package var content: String
    package var memoryType: MemoryType
    package var summary: String?
    package var importance: Double?
    package var confidence: Double?
    package var entities: [String]
    package var tags: [String]
    package var metadata: JSONObject
    package var relatedMemories: [UUID]

    package init(
        sessionID: UUID, content: String, memoryType: MemoryType, summary: String? = nil, importance: Double? = nil,
        confidence: Double? = nil, entities: [String] = [], tags: [String] = [], metadata: JSONObject = [:],
        relatedMemories: [UUID] = []
    ) {
        self.sessionID = sessionID
        self.content = content
        self.memoryType = memoryType
        self.summary = summary
        self.importance = importance
        self.confidence = confidence
        self.entities = entities
        self.tags = tags
        self.metadata = metadata
        self.relatedMemories = relatedMemories
    }
}

/// The outcome of a batch: the stored memories and, per failed item, its index and why.
package struct BatchResult: Sendable {
    package var memories: [Memory]
    package var errors: [(index: Int, error: MemoryHubError)]
    /// Per item of `memories`, whether it already existed (an earlier identical write, in this
    /// batch or before it): the first of two identical items is new, the second not.
    package var deduplicated: [Bool] = []

    /// A batch's outcome.
    package init(memories: [Memory], errors: [(index: Int, error: MemoryHubError)]) {
        self.memories = memories
        self.errors = errors
    }
}

/// The outcome of one write: the memory, and whether it was already there.
package struct StoredMemory: Sendable {
    /// The new memory, or the existing identical one.
    package var memory: Memory
    /// True when an identical memory (same user and project, same content after folding case and
    /// whitespace) existed: nothing new was stored and its access was counted.
    package var deduplicated: Bool
    /// The older memory this one superseded (``Supersession``), and why.
    package var supersedes: Supersession.Verdict?

    package init(memory: Memory, deduplicated: Bool, supersedes: Supersession.Verdict? = nil) {
        self.memory = memory
        self.deduplicated = deduplicated
        self.supersedes = supersedes
    }
}

/// Creating, reading, changing and listing memories. Every memory belongs to a session of the
/// same user; writes keep the session's cached entry current (its memory count and version move).
package struct MemoryManager: Sendable {
    let store: any MemoryStore
    let sessions: SessionManager
    let embeddingSignal: EmbeddingSignal
    let configuration: ServiceConfiguration
    /// How writes are redacted (its scanner carries the operator's allow-list).
    package let redaction: SecretRedaction
    /// The capture passes' reading of recent memories, kept between writes.
    let analyses = CandidateAnalyses()
    let logger: Logger

    package init(
        store: any MemoryStore, sessions: SessionManager, embeddingSignal: EmbeddingSignal = .init(),
        configuration: ServiceConfiguration, logger: Logger
    ) {
        self.store = store
        self.sessions = sessions
        self.embeddingSignal = embeddingSignal
        self.configuration = configuration
        self.redaction = SecretRedaction(configuration: configuration.redaction)
        self.logger = logger
    }

    /// Stores one memory in its session, secrets redacted first; returns the memory stored, or the
    /// user's identical one (same project) when there is one.
    package func create(_ request: NewMemory, actingUser: String?) async throws -> Memory {
        try await store(request, actingUser: actingUser).memory
    }

    /// Stores one memory in its session: secrets redacted, then validated, then de-duplicated
    /// against the user's memories of the same project (``ContentFingerprint`` for the same text,
    /// ``NearDuplicate`` for a restatement; a similar memory that adds something is linked).
    package func store(_ request: NewMemory, actingUser: String?) async throws -> StoredMemory {
        let session = try await sessions.session(id: request.sessionID, actingUser: actingUser)
        // Sizes are checked before redaction reads the text, and everything again after it.
        _ = try Validation.content(request.content, maxBytes: configuration.maxContentBytes)
        if let summary = request.summary { _ = try Validation.content(summary, maxBytes: configuration.maxContentBytes, field: "summary") }
        var memory = try await validated(redaction.redacting(request), in: session)
        let hash = configuration.deduplicateWrites ? ContentFingerprint.hash(memory.content) : nil
        // Both capture passes look at the same candidates: read them once, before the insert
        // (so they are all older than this memory).
        let words = NearDuplicate.Text(memory.content)
        let statement = Supersession.Candidate(id: memory.id, content: memory.content, memoryType: memory.memoryType, sessionID: memory.sessionID)
        let nearText = configuration.nearDuplicates != nil && words.words.count >= 3 ? words : nil
        let maySupersede = configuration.supersession && Supersession.types.contains(memory.memoryType) && statement.mayUpdate
        let candidates = nearText != nil || maySupersede ? try await recentAnalysed(for: memory) : []
        if let thresholds = configuration.nearDuplicates, let nearText {
            switch nearDuplicates(of: memory, text: nearText, among: candidates, thresholds: thresholds) {
            case .same(let existing):
                // The same text again is the identical memory, never a near one: only when there
                // is none (one indexed read, paid by restatements alone) is the near one returned.
                var identical: UUID?
                if let hash { identical = try await store.memoryID(contentHash: hash, userID: memory.userID, projectID: memory.projectID) }
                if identical == nil, let counted = try await store.recordAccess(memoryID: existing.id, userID: memory.userID, at: .now()) {
                    let (current, verdict) = try await restated(counted)
                    return StoredMemory(memory: current, deduplicated: true, supersedes: verdict)
                }
            case .related(let ids):
                memory.relatedMemories = memory.relatedMemories.addingUniqueIDs(ids)
            case .none:
                break
            }
        }
        switch try await store.insertMemory(memory, contentHash: hash, at: memory.createdAt) {
        case .inserted(let updatedSession):
            await sessions.cache.store(updatedSession)
            analyses.remember(memory.id, content: memory.content, nearText: words, supersession: statement)
            let supersedes = maySupersede ? await supersedeLogged(for: memory, among: candidates, statement: statement) : nil
            embeddingSignal.raise()
            return StoredMemory(memory: memory, deduplicated: false, supersedes: supersedes)
        case .duplicate(let existing):
            let (current, verdict) = try await restated(existing)
            return StoredMemory(memory: current, deduplicated: true, supersedes: verdict)
        }
    }

    /// A superseded memory stated again is current again: its `superseded_by` is cleared, and
    /// the memory that replaced it is superseded in turn when the rules say so ("port is 8443",
    /// "port is 9443", "port is 8443" again leaves 8443 current).
    private func restated(_ memory: Memory) async throws -> (Memory, Supersession.Verdict?) {
        guard memory.supersededBy != nil else { return (memory, nil) }
        var change = MemoryChange(metadataPatch: ["superseded_reason": .null])
        change.supersededBy = .some(nil)
        guard let current = try await store.updateMemory(id: memory.id, userID: memory.userID, change: change, at: .now()) else {
            return (memory, nil)
        }
        return (current, await supersedeLogged(for: current, includingNewer: true))
    }

    /// ``supersede(for:includingNewer:among:)``, whose failure must not fail a write that already
    /// committed: logged.
    private func supersedeLogged(
        for memory: Memory, includingNewer: Bool = false, among candidates: [AnalysedCandidate]? = nil,
        statement: Supersession.Candidate? = nil
    ) async -> Supersession.Verdict? {
        do {
            return try await supersede(for: memory, includingNewer: includingNewer, among: candidates, statement: statement)
        } catch {
            logger.warning("supersession failed", metadata: ["memoryhub.memory.id": "\(memory.id.lowercased)", "memoryhub.error": "\(error)"])
            return nil
        }
    }

    /// Stores each valid memory; invalid ones are reported by index and do not stop the others.
    package func createBatch(items: [Result<NewMemory, MemoryHubError>], actingUser: String?) async throws -> BatchResult {
        guard items.count <= configuration.maxBatchSize else {
            throw MemoryHubError.invalidField("memories", "memories may hold at most \(configuration.maxBatchSize) items.")
        }
        var result = BatchResult(memories: [], errors: [])
        for (index, item) in items.enumerated() {
            do {
                let stored = try await store(try item.get(), actingUser: actingUser)
                result.memories.append(stored.memory)
                result.deduplicated.append(stored.deduplicated)
            } catch let error as MemoryHubError where error.kind != .unavailable && error.kind != .internal {
                result.errors.append((index, error))
            }
        }
        return result
    }

    /// One memory, without counting an access (a person looking at it, not the assistant
    /// recalling it). Throws `memoryNotFound` for an unknown or another user's id.
    package func read(id: UUID, actingUser: String?) async throws -> Memory {
        guard let memory = try await store.memory(id: id, userID: actingUser) else {
            throw MemoryHubError.memoryNotFound(id.lowercased)
        }
        return memory
    }

    /// One memory, counting the access.
    package func get(id: UUID, actingUser: String?) async throws -> Memory {
        guard let memory = try await store.recordAccess(memoryID: id, userID: actingUser, at: .now()) else {
            throw MemoryHubError.memoryNotFound(id.lowercased)
        }
        return memory
    }

    /// Changes a memory: entities and tags are replaced, metadata merged; secrets redacted first.
    package func update(id: UUID, actingUser: String?, change: MemoryChange) async throws -> Memory {
        if let content = change.content { _ = try Validation.content(content, maxBytes: configuration.maxContentBytes) }
        if let summary = change.summary ?? nil { _ = try Validation.content(summary, maxBytes: configuration.maxContentBytes, field: "summary") }
        var change = redaction.redacting(change)
        // Reversing a supersession drops its reason too.
        if case .some(.none) = change.supersededBy { change.metadataPatch["superseded_reason"] = .null }
        if configuration.deduplicateWrites, let content = change.content { change.contentHash = ContentFingerprint.hash(content) }
        if let content = change.content { _ = try Validation.content(content, maxBytes: configuration.maxContentBytes) }
        if let summary = change.summary ?? nil { _ = try Validation.content(summary, maxBytes: configuration.maxContentBytes, field: "summary") }
        _ = try Validation.unitInterval(change.importance, field: "importance")
        _ = try Validation.unitInterval(change.confidence, field: "confidence")
        if let entities = change.entities { _ = try Validation.strings(entities, field: "entities") }
        if let tags = change.tags { _ = try Validation.strings(tags, field: "tags") }
        if case .some(.some(let newer)) = change.supersededBy {
            guard newer != id else { throw MemoryHubError.invalidField("superseded_by", "A memory cannot supersede itself.") }
            // An unknown memory is the update's 404, below.
            if let owner = try await store.memory(id: id, userID: actingUser)?.userID {
                guard let replacement = try await store.memories(ids: [newer], userID: owner).first else {
                    throw MemoryHubError.invalidField("superseded_by", "superseded_by names \(newer.lowercased), which is not a memory of this user.")
                }
                guard replacement.supersededBy != id else {
                    throw MemoryHubError.invalidField(
                        "superseded_by", "\(newer.lowercased) is itself superseded by this memory; reverse that first (a memory cannot be both older and newer).")
                }
            }
        }
        guard let memory = try await store.updateMemory(id: id, userID: actingUser, change: change, at: .now()) else {
            throw MemoryHubError.memoryNotFound(id.lowercased)
        }
        if !memory.hasEmbedding { embeddingSignal.raise() }
        return memory
    }

    package func delete(id: UUID, actingUser: String?) async throws {
        guard let session = try await store.deleteMemory(id: id, userID: actingUser, at: .now()) else {
            throw MemoryHubError.memoryNotFound(id.lowercased)
        }
        await sessions.cache.store(session)
    }

    /// A session's memories, newest first.
    package func list(
        sessionID: UUID, actingUser: String?, memoryType: MemoryType?, minImportance: Double?, limit: Int, offset: Int
    ) async throws -> Page<Memory> {
        try Validation.paging(limit: limit, offset: offset, maxLimit: 200)
        _ = try Validation.unitInterval(minImportance, field: "min_importance")
        let session = try await sessions.session(id: sessionID, actingUser: actingUser)
        return try await store.memories(
            matching: MemoryFilter(userID: session.userID, sessionID: sessionID, memoryType: memoryType, minImportance: minImportance),
            limit: limit, offset: offset)
    }

    /// The string values of metadata key `key` across all of a session's memories (the Claude
    /// Code hooks read `transcript_entry` to store each turn once).
    package func metadataStrings(forKey key: String, inSession sessionID: UUID, actingUser: String?) async throws -> Set<String> {
        let session = try await sessions.session(id: sessionID, actingUser: actingUser)
        var values: Set<String> = []
        var offset = 0
        while true {
            let page = try await store.memories(
                matching: MemoryFilter(userID: session.userID, sessionID: session.id), limit: 500, offset: offset)
            for memory in page.items {
                if let value = memory.metadata[key]?.stringValue { values.insert(value) }
            }
            offset += page.items.count
            if page.items.isEmpty || offset >= page.total { return values }
        }
    }

    /// Clears the embeddings of a session's memories so the background service embeds them again;
    /// returns how many were queued.
    package func reindex(sessionID: UUID, actingUser: String?) async throws -> Int {
        let session = try await sessions.session(id: sessionID, actingUser: actingUser)
        let queued = try await store.clearEmbeddings(sessionID: sessionID, userID: session.userID)
        embeddingSignal.raise()
        return queued
    }

    /// The user's newest memories, across sessions.
    package func recent(userID: String, projectID: String?, limit: Int) async throws -> [Memory] {
        _ = try Validation.identifier(userID, field: "user_id")
        _ = try Validation.optionalIdentifier(projectID, field: "project_id")
        try Validation.paging(limit: limit, offset: 0, maxLimit: 200)
        return try await store.memories(matching: MemoryFilter(userID: userID, projectID: projectID), limit: limit, offset: 0).items
    }

    enum NearDuplicates {
        case same(MemorySketch)
        case related([UUID])
        case none
    }

    /// The user's memories of the same project that `memory` restates or resembles: among its 20
    /// newest memories there (``recentAnalysed(for:)``), compared by ``NearDuplicate``. (A lexical
    /// search for candidates reads posting lists that grow with the store: measured at 3.5 ms a
    /// write on a few thousand memories; the newest 20 cost the same at any size.)
    private func nearDuplicates(
        of memory: Memory, text: NearDuplicate.Text, among candidates: [AnalysedCandidate], thresholds: NearDuplicate.Thresholds
    ) -> NearDuplicates {
        var related: [UUID] = []
        // Similarity ≥ 0.5 needs word counts within a factor of two; lengths within three times
        // are a cheap, safe bound that spares comparing the rest.
        let length = memory.content.utf8.count
        for candidate in candidates where candidate.sketch.content.utf8.count * 3 >= length && candidate.sketch.content.utf8.count <= length * 3 {
            switch NearDuplicate.compare(new: text, existing: candidate.nearText, thresholds: thresholds) {
            case .same: return .same(candidate.sketch)
            case .related: related.append(candidate.sketch.id)
            case .unrelated: break
            }
        }
        return related.isEmpty ? .none : .related(related)
    }

    /// The user's 20 newest memories of `memory`'s project, newest first, each read by the
    /// capture rules once per process (``CandidateAnalyses``).
    private func recentAnalysed(for memory: Memory) async throws -> [AnalysedCandidate] {
        let recent = try await store.newestMemories(userID: memory.userID, projectID: memory.projectID, limit: 20)
        return analyses.analysed(recent)
    }

    /// Marks the older memory that `memory` updates as superseded by it (``Supersession``): the
    /// user's 20 newest memories of the same project (those of a compatible type) are the
    /// candidates, `candidates` when the caller read them before the insert. The reason is kept
    /// in the old memory's `metadata.superseded_reason`. Only older memories count, so two racing
    /// writes never supersede each other, unless `includingNewer` (a restated memory replaces
    /// what replaced it).
    private func supersede(
        for memory: Memory, includingNewer: Bool = false, among candidates: [AnalysedCandidate]? = nil,
        statement: Supersession.Candidate? = nil
    ) async throws -> Supersession.Verdict? {
        let new = statement ?? Supersession.Candidate(id: memory.id, content: memory.content, memoryType: memory.memoryType, sessionID: memory.sessionID)
        guard configuration.supersession, Supersession.types.contains(memory.memoryType), new.mayUpdate else { return nil }
        let recent: [AnalysedCandidate]
        if let candidates { recent = candidates } else { recent = try await recentAnalysed(for: memory) }
        let eligible = recent.filter {
            $0.sketch.id != memory.id && $0.sketch.supersededBy == nil && (includingNewer || $0.sketch.createdAt < memory.createdAt)
        }
            .map(\.supersession)
        guard let verdict = Supersession.find(new: new, candidates: eligible) else { return nil }
        var change = MemoryChange(metadataPatch: ["superseded_reason": .string(verdict.reason)])
        change.supersededBy = .some(memory.id)
        _ = try await store.updateMemory(id: verdict.supersededID, userID: memory.userID, change: change, at: .now())
        return verdict
    }

    private func validated(_ request: NewMemory, in session: Session) async throws -> Memory {
        let content = try Validation.content(request.content, maxBytes: configuration.maxContentBytes)
        if let summary = request.summary { _ = try Validation.content(summary, maxBytes: configuration.maxContentBytes, field: "summary") }
        let importance = try Validation.unitInterval(request.importance, field: "importance") ?? Memory.defaultImportance
        let confidence = try Validation.unitInterval(request.confidence, field: "confidence") ?? Memory.defaultConfidence
        let entities = try Validation.strings(request.entities, field: "entities")
        let tags = try Validation.strings(request.tags, field: "tags")
        let related = [UUID]().addingUniqueIDs(request.relatedMemories)
        if !related.isEmpty {
            let known = try await store.existingMemoryIDs(related, userID: session.userID)
            if let missing = related.first(where: { !known.contains($0) }) {
                throw MemoryHubError.invalidField("related_memories", "related_memories names \(missing.lowercased), which is not a memory of this user.")
            }
        }
        let now = Timestamp.now()
        return Memory(
            id: .v7(at: now), sessionID: session.id, userID: session.userID, projectID: session.projectID,
            content: content, summary: request.summary, memoryType: request.memoryType, importance: importance,
            confidence: confidence, entities: entities, tags: tags, relatedMemories: related, metadata: request.metadata,
            createdAt: now)
    }
}

extension Array where Element == UUID {
    func addingUniqueIDs(_ others: [UUID]) -> [UUID] {
        var seen = Set(self)
        return self + others.filter { seen.insert($0).inserted }
    }
}
