package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The persistence contract. Every operation that reads or changes a session or a memory by id
/// takes the user it acts for and never touches another user's rows; `userID: nil` is used only by
/// trusted internal callers (cleanup, the cache's owner lookup) and means "whoever owns it".
///
/// Implementations: `SQLiteMemoryStore` (embedded, this module) and `PostgresMemoryStore`
/// (MemoryStorePostgres). Both run the same contract suites (`Tests/MemoryStoreTests/StoreContractTests.swift`
/// and `SearchIndexContractTests.swift`).
package protocol MemoryStore: Sendable {
    /// Creates or upgrades the schema. Safe to call on every start and from two processes at once.
    func migrate() async throws
    /// Succeeds when the store can answer queries.
    func ping() async throws

    // MARK: Sessions

    /// Inserts a new session. Throws `conflict` (code `duplicate_client_session_id`) when the user
    /// already has a session with the same client session id.
    func insertSession(_ session: Session) async throws
    func session(id: UUID, userID: String?) async throws -> Session?
    func session(clientSessionID: String, userID: String) async throws -> Session?
    /// The current version of a session, or nil if it is gone: a cheap check for caches.
    func sessionVersion(id: UUID) async throws -> Int64?
    /// The user's most recently updated active session of the project (nil matches sessions
    /// without a project) updated at or after `updatedSince`.
    func latestActiveSession(userID: String, projectID: String?, updatedSince: Timestamp) async throws -> Session?
    /// Applies `change` atomically in the database and bumps the version.
    func updateSession(id: UUID, userID: String?, change: SessionChange, at now: Timestamp) async throws -> SessionUpdateResult
    /// Deletes a session and its memories. Children that named it as parent are unlinked and
    /// returned (their versions bumped) so caches can be refreshed. Nil when there was no such session.
    func deleteSession(id: UUID, userID: String?, at now: Timestamp) async throws -> [Session]?
    /// Sessions of a user, newest start first, with the total count of matches.
    func sessions(matching filter: SessionFilter, limit: Int, offset: Int) async throws -> Page<Session>
    /// Sessions naming `parentID` as their parent, by start.
    func childSessions(of parentID: UUID, userID: String) async throws -> [Session]
    /// The user's session `id` with all its ancestors and all its descendants, in no particular
    /// order, from one recursive query that stops at a session already seen (a parent cycle
    /// cannot make it loop). Empty when the user has no such session.
    func chainSessions(of id: UUID, userID: String) async throws -> [Session]
    /// Across all users: active sessions whose last update is before `before` (state `.active`),
    /// or ended sessions whose end is before `before` (state `.ended`), oldest first.
    func cleanupCandidates(state: SessionState, before: Timestamp, limit: Int) async throws -> [Session]

    // MARK: Memories

    /// Inserts a memory and, in the same transaction, counts it in its session (whose version and
    /// `updated_at` move). With a `contentHash`, write-time de-duplication: when the user already
    /// has a memory with that hash in the same project (no project matches no project), nothing is
    /// inserted; that memory's access is counted instead and it is returned, also when an identical
    /// write commits concurrently (a unique index decides). Throws `sessionNotFound` when the
    /// session is gone.
    func insertMemory(_ memory: Memory, contentHash: String?, at now: Timestamp) async throws -> MemoryInsertion
    /// How ``insertMemory(_:contentHash:at:)`` calls were grouped into transactions so far, in
    /// this process (``GroupCommit``).
    var insertBatching: GroupCommitStatistics { get }
    func memory(id: UUID, userID: String?) async throws -> Memory?
    /// Counts one access (access_count + 1, last_accessed = now) and returns the memory.
    func recordAccess(memoryID: UUID, userID: String?, at now: Timestamp) async throws -> Memory?
    func updateMemory(id: UUID, userID: String?, change: MemoryChange, at now: Timestamp) async throws -> Memory?
    /// Deletes a memory and uncounts it; returns the session as it now is, or nil if there was no
    /// such memory.
    func deleteMemory(id: UUID, userID: String?, at now: Timestamp) async throws -> Session?
    /// A session's memories, newest first, with the total count of matches.
    func memories(matching filter: MemoryFilter, limit: Int, offset: Int) async throws -> Page<Memory>
    /// The id of the user's memory with this content hash in exactly this project, if any.
    func memoryID(contentHash: String, userID: String, projectID: String?) async throws -> UUID?
    /// The user's `limit` newest memories of exactly this project (nil: those without a project),
    /// without counting all matches: what each write compares itself with (de-duplication,
    /// supersession), at a cost that does not grow with the store.
    func newestMemories(userID: String, projectID: String?, limit: Int) async throws -> [MemorySketch]
    /// The subset of `ids` that exist and belong to `userID`.
    func existingMemoryIDs(_ ids: [UUID], userID: String) async throws -> Set<UUID>
    /// The user's memories with these ids, in no particular order; unknown ids are skipped.
    func memories(ids: [UUID], userID: String) async throws -> [Memory]

    /// Context feedback: counts one access of each of the user's memories among `memoryIDs`
    /// (as a read does) and stores the event, in one transaction; returns how many memories were
    /// counted (unknown and other users' ids are skipped).
    func recordContextFeedback(_ feedback: ContextFeedback) async throws -> Int

    // MARK: Search index

    /// The user's memories whose indexed text (content, summary, entities, tags) matches any of
    /// `terms` and that pass `filter`, best first, at most `limit`. Terms are plain words
    /// (letters and digits); the store stems them as it stems the text.
    func lexicalMatches(terms: [String], filter: SearchFilter, limit: Int) async throws -> [LexicalMatch]
    /// The user's change sequence: it moves on every memory insert, change, embedding and delete
    /// of that user, in commit order. Query caches key on it; indexes follow it.
    func changeSequence(userID: String) async throws -> Int64
    /// Every change of the user's memories after `sequence`, in sequence order (one delete of a
    /// session shares one sequence number among its memories, so the feed is not paged).
    func indexChanges(userID: String, after sequence: Int64) async throws -> [IndexChange]
    /// Across all users (trusted background work): memories without an embedding, oldest first.
    func embeddingJobs(limit: Int) async throws -> [EmbeddingJob]
    /// Across all users: how many memories wait for an embedding.
    func embeddingBacklog() async throws -> Int
    /// Stores each vector if its memory still has that version; returns how many were stored.
    func storeEmbeddings(_ embeddings: [ComputedEmbedding]) async throws -> Int
    /// Clears the embeddings of the user's memories in a session so they are embedded again;
    /// returns how many were queued. Throws `sessionNotFound` for another user's session.
    func clearEmbeddings(sessionID: UUID, userID: String) async throws -> Int
    /// The user's memory's vector, for "similar to this memory"; nil when it has none yet.
    func embedding(memoryID: UUID, userID: String) async throws -> [Float]?
    /// Counts for statistics; `since` bounds the "recent" counts.
    func memoryCounts(userID: String, projectID: String?, since: Timestamp, mostAccessed: Int) async throws -> StoredMemoryCounts

    // MARK: Embedding model

    /// The embedding model the stored vectors come from (`name/dimension`), as recorded by
    /// `setEmbeddingModel`; nil before the first record.
    func embeddingModel() async throws -> String?
    /// Records the model vectors now come from. With `clearingVectors`, every stored vector is
    /// dropped in the same transaction (each user's change sequence moves, so every index follows)
    /// and the memories queue to be embedded again; returns how many were queued.
    func setEmbeddingModel(_ identity: String, clearingVectors: Bool) async throws -> Int
    /// The length of some stored vector; nil when none is stored.
    func storedVectorDimension() async throws -> Int?

    // MARK: Persistent context

    /// Inserts a new context item, queued for the embedding service (its `embedding` is ignored).
    func insertContextItem(_ item: ContextItem) async throws
    /// One item with its vector; nil when unknown or (with a `userID`) another user's.
    func contextItem(id: UUID, userID: String?) async throws -> ContextItem?
    /// The items the filter selects (a nil user: every user's), most recently created first, at
    /// most `limit`; with vectors when the filter asks for them.
    func contextItems(matching filter: ContextItemFilter, limit: Int) async throws -> [ContextItem]
    /// What ranking needs of the items the filter selects (with vectors), most recently created
    /// first, at most `limit`.
    func contextItemSketches(matching filter: ContextItemFilter, limit: Int) async throws -> [ContextItemSketch]
    /// As `contextItemSketches`, only items whose content or related entities contain any of
    /// `terms` (the lexical index, stemmed as memories are), best first.
    func contextItemMatches(terms: [String], filter: ContextItemFilter, limit: Int) async throws -> [ContextItemSketch]
    /// The user's items with these ids, in no particular order; unknown and other users' ids are skipped.
    func contextItems(ids: [UUID], userID: String) async throws -> [ContextItem]
    /// Counts one access of each of the user's items among `ids` (access_count + 1,
    /// last_accessed = `now`) in one statement; other users' ids are skipped.
    func recordContextItemAccess(ids: [UUID], userID: String, at now: Timestamp) async throws
    /// Deletes the user's item; false when there was none.
    func deleteContextItem(id: UUID, userID: String) async throws -> Bool
    /// Applies `PersistentContextMath.decayedImportance` at `now` to the user's items (nil: every
    /// user's) and sets `decayed_at` on those it lowered; returns how many.
    func decayContextItems(userID: String?, at now: Timestamp) async throws -> Int
    /// Deletes the user's (nil: every user's) items last accessed before `unaccessedSince` with
    /// importance < 0.2 and fewer than 3 accesses; returns how many.
    func removeStaleContextItems(userID: String?, unaccessedSince: Timestamp) async throws -> Int
    /// Across all users: items without a vector yet, oldest first.
    func contextEmbeddingJobs(limit: Int) async throws -> [EmbeddingJob]
    /// Stores each vector if its item still has that version; returns how many were stored. An
    /// empty vector marks the item done without one (a text the embedder refused).
    func storeContextEmbeddings(_ embeddings: [ComputedEmbedding]) async throws -> Int

    // MARK: Transfer (export and import)

    /// Sessions the filter selects whose id sorts after `after` (nil: from the first), by id, at
    /// most `limit`: an export's keyset pages.
    func exportSessions(_ filter: TransferFilter, after: UUID?, limit: Int) async throws -> [Session]
    /// Memories the filter selects whose id sorts after `after`, by id, at most `limit`; with
    /// their vectors when `embeddings` is true.
    func exportMemories(_ filter: TransferFilter, after: UUID?, limit: Int, embeddings: Bool) async throws -> [ExportedMemory]
    /// Who owns the sessions and memories with these ids, and which sessions hold these
    /// (user, client session id) pairs, across all users (the importer checks its scope itself).
    func transferOwnership(sessionIDs: [UUID], memoryIDs: [UUID], clientSessions: [(userID: String, clientSessionID: String)]) async throws
        -> TransferOwnership
    /// Writes sessions as they are, in one transaction, resolving an existing id by `policy`; one
    /// outcome per session, in order. A new session keeps its memory count until
    /// `reconcileMemoryCounts` settles it; a replaced one keeps the stored count.
    func importSessions(_ sessions: [Session], policy: ConflictPolicy) async throws -> [ImportOutcome]
    /// Writes memories as they are, in one transaction: indexed, counted in the user's change
    /// sequence, queued for embedding unless a vector is given; session counts are not touched
    /// (see `reconcileMemoryCounts`). A memory whose session is missing or another user's, or
    /// whose id is another user's or in another session, is refused.
    func importMemories(_ memories: [ImportedMemory], policy: ConflictPolicy) async throws -> [ImportOutcome]
    /// Sets each session's memory count to the number of its memories; the sessions whose count
    /// was wrong move to a new version and are returned (for the caches).
    func reconcileMemoryCounts(sessionIDs: [UUID]) async throws -> [Session]

    // MARK: Background jobs

    /// Takes the job's lease for `holder` until `expires` when nobody holds it or the holder's
    /// lease has run out (at `now`): true when taken. Replicas and CLIs sharing the store never
    /// run the job at once.
    func acquireJobLease(job: String, holder: String, expires: Timestamp, now: Timestamp) async throws -> Bool
    /// Gives the lease back if `holder` still has it.
    func releaseJobLease(job: String, holder: String) async throws
    /// Records a finished run (completed or failed).
    func recordJobRun(_ run: JobRun) async throws
    /// The job's last run, last successful run and how many runs succeeded.
    func jobHistory(job: String) async throws -> JobHistory

    // MARK: API keys

    /// Stores a new key record (its digest, never the key).
    func insertAPIKey(_ key: APIKey) async throws
    /// One key record by id, revoked or not.
    func apiKey(id: UUID) async throws -> APIKey?
    /// The keys of one user (nil: of every user), newest first.
    func apiKeys(userID: String?) async throws -> [APIKey]
    /// Marks a key revoked (the first revocation's time is kept) and returns it; nil when unknown.
    func revokeAPIKey(id: UUID, at now: Timestamp) async throws -> APIKey?
    /// Records that the key authenticated a request at `now`.
    func recordAPIKeyUse(id: UUID, at now: Timestamp) async throws
}

/// What `updateSession` did.
package enum SessionUpdateResult: Sendable {
    case updated(Session)
    case notFound
    /// The session's state was not one of `requiredStates`; carries the session unchanged.
    case stateMismatch(Session)
}

/// One ``MemoryStore/insertMemory(_:contentHash:at:)`` call, as the stores' ``GroupCommit``
/// queues it.
package struct MemoryInsert: Sendable {
    package var memory: Memory
    package var contentHash: String?
    package var now: Timestamp

    package init(memory: Memory, contentHash: String?, now: Timestamp) {
        self.memory = memory
        self.contentHash = contentHash
        self.now = now
    }
}

/// What ``MemoryStore/insertMemory(_:contentHash:at:)`` did.
package enum MemoryInsertion: Sendable {
    /// The memory was stored; its session as it now is.
    case inserted(Session)
    /// An identical memory already existed: it, with its access counted.
    case duplicate(of: Memory)
}

extension MemoryStore {
    /// Inserts a memory without de-duplication; returns its session as it now is.
    package func insertMemory(_ memory: Memory, at now: Timestamp) async throws -> Session {
        switch try await insertMemory(memory, contentHash: nil, at: now) {
        case .inserted(let session): return session
        case .duplicate: throw MemoryHubError.internal("a memory without a content hash was de-duplicated")
        }
    }
}
