package import MemoryCore
package import MemoryStore
package import MemoryCache
package import Logging
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// What a caller asks for when a conversation begins.
package struct SessionStartRequest: Sendable {
    package var userID: String
    package var projectID: String?
    package var metadata: JSONObject
    package var tags: [String]
    package var parentSessionID: UUID?
    package var clientSessionID: String?
    package var autoLink: Bool

    package init(
        userID: String, projectID: String? = nil, metadata: JSONObject = [:], tags: [String] = [],
        parentSessionID: UUID? = nil, clientSessionID: String? = nil, autoLink: Bool = true
    ) {
        self.userID = userID
        self.projectID = projectID
        self.metadata = metadata
        self.tags = tags
        self.parentSessionID = parentSessionID
        self.clientSessionID = clientSessionID
        self.autoLink = autoLink
    }
}

/// The summary `GET /session/{id}/context` returns.
package struct SessionContextSummary: Sendable {
    package var session: Session
    package var importantMemories: [Memory]

    /// A session with its most important memories.
    package init(session: Session, importantMemories: [Memory]) {
        self.session = session
        self.importantMemories = importantMemories
    }
}

/// What a cleanup run did.
package struct CleanupResult: Sendable, Equatable {
    package var closed: Int
    package var archived: Int
}

/// The session lifecycle of DESIGN.md, reading sessions through the cache and writing the store
/// first, then the cache.
///
/// `actingUser` on each call is the user the caller acts for: objects of any other user are
/// reported as not found. Nil is for callers that named no user (the REST API before API keys):
/// the call then acts for the owner of the id it names.
package struct SessionManager: Sendable {
    let store: any MemoryStore
    let cache: any SessionCache
    let configuration: ServiceConfiguration
    let redaction: SecretRedaction
    let logger: Logger

    package init(
        store: any MemoryStore, cache: any SessionCache,
        configuration: ServiceConfiguration, logger: Logger
    ) {
        self.store = store
        self.cache = cache
        self.configuration = configuration
        self.redaction = SecretRedaction(configuration: configuration.redaction)
        self.logger = logger
    }

    /// Starts a session, or returns the user's existing one for a known `clientSessionID`
    /// (`created` is then false).
    package func start(_ request: SessionStartRequest) async throws -> (session: Session, created: Bool) {
        let userID = try Validation.identifier(request.userID, field: "user_id")
        let projectID = try Validation.optionalIdentifier(request.projectID, field: "project_id")
        let clientSessionID = try Validation.optionalIdentifier(request.clientSessionID, field: "client_session_id")
        // Secrets never reach the store, in a session's metadata and tags either.
        let tags = try Validation.strings(request.tags.map(redaction.text), field: "tags")
        if let clientSessionID, let existing = try await store.session(clientSessionID: clientSessionID, userID: userID) {
            return (existing, false)
        }
        let now = Timestamp.now()
        var parent: Session?
        if let parentID = request.parentSessionID {
            guard let found = try await load(id: parentID, actingUser: userID) else {
                throw MemoryHubError.notFound("Parent session \(parentID.lowercased) was not found.")
            }
            parent = found
        } else if request.autoLink {
            parent = try await store.latestActiveSession(
                userID: userID, projectID: projectID, updatedSince: now.adding(seconds: -configuration.linkWindow.seconds))
        }
        var metadata = redaction.metadata(request.metadata)
        var allTags = tags
        if projectID != nil { allTags = allTags.addingUnique(["project"]) }
        if let parent {
            if request.parentSessionID == nil { allTags = allTags.addingUnique(["continued"]) }
            let memories = try await store.memories(
                matching: MemoryFilter(userID: userID, sessionID: parent.id), limit: 200, offset: 0)
            metadata["parent_context"] = .object(SessionReport.parentContext(of: parent, memories: memories.items))
        }
        let session = Session(
            id: .v7(at: now), userID: userID, projectID: projectID, clientSessionID: clientSessionID,
            parentSessionID: parent?.id, startedAt: now, metadata: metadata, tags: allTags)
        do {
            try await store.insertSession(session)
        } catch let error as MemoryHubError where error.code == .duplicateClientSessionID {
            // Another request with the same client session id won the race: return its session.
            if let clientSessionID, let existing = try await store.session(clientSessionID: clientSessionID, userID: userID) {
                return (existing, false)
            }
            throw error
        }
        await cache.store(session)
        logger.debug("session started", metadata: ["memoryhub.session.id": "\(session.id.lowercased)"])
        return (session, true)
    }

    /// One session; throws `sessionNotFound` for unknown ids and other users' sessions.
    package func session(id: UUID, actingUser: String?) async throws -> Session {
        guard let session = try await load(id: id, actingUser: actingUser) else {
            throw MemoryHubError.sessionNotFound(id.lowercased)
        }
        return session
    }

    /// The user's session with this client session id (for example Claude Code's session id), or nil.
    package func session(clientSessionID: String, userID: String) async throws -> Session? {
        let userID = try Validation.identifier(userID, field: "user_id")
        let clientSessionID = try Validation.identifier(clientSessionID, field: "client_session_id")
        return try await store.session(clientSessionID: clientSessionID, userID: userID)
    }

    /// Merges metadata (null removes a key), adds tags, and optionally sets `ended_at`.
    package func update(
        id: UUID, actingUser: String?, metadata: JSONObject = [:], tags: [String] = [], endedAt: Timestamp? = nil
    ) async throws -> Session {
        _ = try Validation.strings(tags, field: "tags")
        if let endedAt {
            let current = try await session(id: id, actingUser: actingUser)
            guard endedAt >= current.startedAt else {
                throw MemoryHubError.invalidField("ended_at", "ended_at must not be before started_at.")
            }
        }
        return try await apply(
            SessionChange(metadataPatch: redaction.metadata(metadata), addTags: tags.map(redaction.text), endedAt: endedAt),
            to: id, actingUser: actingUser)
    }

    /// Ends a session, recording the reason and computing final_stats, insights and a summary
    /// from its memories. Ending an ended (or archived) session returns it unchanged.
    package func end(id: UUID, actingUser: String?, reason: EndReason = .normal, finalSummary: String? = nil, addTags: [String] = []) async throws -> Session {
        let current = try await session(id: id, actingUser: actingUser)
        if current.state == .ended || current.state == .archived { return current }
        let memories = try await store.memories(
            matching: MemoryFilter(userID: current.userID, sessionID: id), limit: 10_000, offset: 0
        ).items
        let now = Timestamp.now()
        let change = SessionChange(
            metadataPatch: [
                "final_stats": .object(SessionReport.finalStats(of: memories)),
                "insights": .object(SessionReport.insights(of: memories)),
            ],
            addTags: addTags.map(redaction.text), state: .ended, requiredStates: [.active, .paused], endedAt: now,
            endReason: reason.rawValue, summary: finalSummary.map(redaction.text) ?? SessionReport.summary(of: memories))
        switch try await store.updateSession(id: id, userID: actingUser, change: change, at: now) {
        case .updated(let session):
            await cache.store(session)
            return session
        case .stateMismatch(let session):
            await cache.store(session)
            if session.state == .ended || session.state == .archived { return session }
            throw MemoryHubError.invalidTransition(from: session.state, to: .ended)
        case .notFound:
            throw MemoryHubError.sessionNotFound(id.lowercased)
        }
    }

    /// Moves a session along active → paused | ended, paused → active | ended, ended → archived.
    package func transition(id: UUID, actingUser: String?, to target: SessionState) async throws -> Session {
        if target == .ended { return try await end(id: id, actingUser: actingUser) }
        let change = SessionChange(state: target, requiredStates: SessionState.sources(of: target))
        return try await apply(change, to: id, actingUser: actingUser, target: target)
    }

    /// Deletes a session with its memories.
    package func delete(id: UUID, actingUser: String?) async throws {
        let owner = try await session(id: id, actingUser: actingUser).userID
        guard let unlinked = try await store.deleteSession(id: id, userID: owner, at: .now()) else {
            throw MemoryHubError.sessionNotFound(id.lowercased)
        }
        await cache.remove(id: id)
        for child in unlinked { await cache.store(child) }
    }

    /// The user's sessions, newest first.
    package func list(userID: String, projectID: String?, activeOnly: Bool, limit: Int, offset: Int) async throws -> Page<Session> {
        _ = try Validation.identifier(userID, field: "user_id")
        _ = try Validation.optionalIdentifier(projectID, field: "project_id")
        try Validation.paging(limit: limit, offset: offset, maxLimit: 200)
        let filter = SessionFilter(userID: userID, projectID: projectID, states: activeOnly ? [.active] : nil)
        return try await store.sessions(matching: filter, limit: limit, offset: offset)
    }

    /// The user's active sessions, newest first.
    package func active(userID: String, projectID: String?) async throws -> [Session] {
        _ = try Validation.identifier(userID, field: "user_id")
        _ = try Validation.optionalIdentifier(projectID, field: "project_id")
        return try await store.sessions(
            matching: SessionFilter(userID: userID, projectID: projectID, states: [.active]), limit: 1000, offset: 0
        ).items
    }

    /// Ancestors from the root, the session, then its descendants ordered by start: one
    /// recursive query (``MemoryStore/chainSessions(of:userID:)``), safe against parent cycles.
    package func chain(id: UUID, actingUser: String?) async throws -> [Session] {
        let session = try await session(id: id, actingUser: actingUser)
        let members = try await store.chainSessions(of: id, userID: session.userID)
        return Self.ordered(members, around: members.first { $0.id == id } ?? session)
    }

    /// `members` (a session, its ancestors and descendants, any order) as a chain: ancestors from
    /// the root, `session`, then descendants by start. A parent cycle ends the ancestor walk.
    static func ordered(_ members: [Session], around session: Session) -> [Session] {
        let byID = Dictionary(members.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var ancestors: [Session] = []
        var seen: Set<UUID> = [session.id]
        var next = session.parentSessionID
        while let parentID = next, seen.insert(parentID).inserted, let parent = byID[parentID] {
            ancestors.append(parent)
            next = parent.parentSessionID
        }
        let descendants = members.filter { !seen.contains($0.id) }
            .sorted { ($0.startedAt, $0.id.lowercased) < ($1.startedAt, $1.id.lowercased) }
        return ancestors.reversed() + [session] + descendants
    }

    /// The session with its most important memories.
    package func context(id: UUID, actingUser: String?, limit: Int = 10) async throws -> SessionContextSummary {
        let session = try await session(id: id, actingUser: actingUser)
        let important = try await store.memories(
            matching: MemoryFilter(userID: session.userID, sessionID: id, minImportance: SessionReport.importantThreshold),
            limit: 1000, offset: 0
        ).items
        let ranked = important.sorted { ($0.importance, $0.createdAt) > ($1.importance, $1.createdAt) }
        return SessionContextSummary(session: session, importantMemories: Array(ranked.prefix(limit)))
    }

    /// Ends active sessions idle longer than `staleAfter` (reason `timeout`, tag `auto-closed`) and
    /// archives sessions ended longer ago than `archiveAfter`. Deletes nothing.
    package func cleanup(staleAfter: Duration? = nil, now: Timestamp = .now()) async throws -> CleanupResult {
        let staleBefore = now.adding(seconds: -(staleAfter ?? configuration.staleAfter).seconds)
        let archiveBefore = now.adding(seconds: -configuration.archiveAfter.seconds)
        var result = CleanupResult(closed: 0, archived: 0)
        var failed: Set<UUID> = []
        while true {
            let batch = try await store.cleanupCandidates(state: .active, before: staleBefore, limit: 100)
                .filter { !failed.contains($0.id) }
            if batch.isEmpty { break }
            for session in batch {
                do {
                    let ended = try await end(id: session.id, actingUser: session.userID, reason: .timeout, addTags: ["auto-closed"])
                    if ended.endReason == EndReason.timeout.rawValue { result.closed += 1 }
                } catch {
                    failed.insert(session.id)
                    logger.warning("cleanup could not end a session", metadata: [
                        "memoryhub.session.id": "\(session.id.lowercased)", "memoryhub.error": "\(error)",
                    ])
                }
            }
        }
        while true {
            let batch = try await store.cleanupCandidates(state: .ended, before: archiveBefore, limit: 100)
                .filter { !failed.contains($0.id) }
            if batch.isEmpty { break }
            for session in batch {
                do {
                    _ = try await lifecycleTransition(id: session.id, actingUser: session.userID, to: .archived)
                    result.archived += 1
                } catch {
                    failed.insert(session.id)
                }
            }
        }
        return result
    }

    /// Reads through the cache; a miss reads the store and fills the cache.
    func load(id: UUID, actingUser: String?) async throws -> Session? {
        if let cached = await cache.session(id: id) {
            return actingUser == nil || cached.userID == actingUser ? cached : nil
        }
        guard let session = try await store.session(id: id, userID: actingUser) else { return nil }
        await cache.store(session)
        return session
    }

    func apply(_ change: SessionChange, to id: UUID, actingUser: String?, target: SessionState? = nil) async throws -> Session {
        switch try await store.updateSession(id: id, userID: actingUser, change: change, at: .now()) {
        case .updated(let session):
            await cache.store(session)
            return session
        case .stateMismatch(let session):
            await cache.store(session)
            throw MemoryHubError.invalidTransition(from: session.state, to: target ?? session.state)
        case .notFound:
            throw MemoryHubError.sessionNotFound(id.lowercased)
        }
    }
}
