package import MemoryCore
import MemoryStore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A session's health now (API-more.md "Lifecycle": state).
package struct SessionHealth: Sendable {
    package var session: Session
    /// ((ended_at or now) − started_at) in minutes.
    package var durationMinutes: Double
    /// The newest memory's creation, else the session's start.
    package var lastActivity: Timestamp
    /// Each warning makes the status `warning`.
    package var warnings: [String]
    package var healthStatus: String { warnings.isEmpty ? "healthy" : "warning" }
}

/// A session's insights computed now from its memories (API-more.md "Lifecycle": insights).
package struct SessionInsights: Sendable {
    package var session: Session
    package var durationMinutes: Double
    package var memoryCount: Int
    /// Memories with importance ≥ 0.7.
    package var importantMemories: Int
    /// The five most frequent entities.
    package var topics: [String]
    package var keyDecisions: [String]
    package var errorsEncountered: [String]
    package var learningPoints: [String]
    package var actionItems: [String]
    /// Distinct entities by frequency.
    package var entities: [String]
    /// The stored summary once ended, else one generated now.
    package var summary: String
}

/// What a lifecycle transition did.
package struct SessionTransition: Sendable {
    package var session: Session
    package var previousState: SessionState
    package var transitionedAt: Timestamp
}

extension SessionManager {
    /// Thresholds of the state warnings.
    static let longActiveMinutes = 240.0
    static let manyMemories = 500
    static let idleMinutes = 60.0

    /// The session's state with warnings: active over 4 hours, over 500 memories, active and
    /// idle over an hour.
    package func health(id: UUID, actingUser: String?, now: Timestamp = .now()) async throws -> SessionHealth {
        let session = try await session(id: id, actingUser: actingUser)
        // The count is the session's own (kept with every insert and delete); only the newest memory is read.
        let newest = try await store.firstMemories(matching: MemoryFilter(userID: session.userID, sessionID: id), limit: 1)
        let lastActivity = newest.first?.createdAt ?? session.startedAt
        let duration = session.startedAt.seconds(until: session.endedAt ?? now) / 60
        var warnings: [String] = []
        if session.isActive && duration > Self.longActiveMinutes { warnings.append("Session has been active for over 4 hours") }
        if session.memoryCount > Self.manyMemories { warnings.append("High memory count: \(session.memoryCount)") }
        let idle = lastActivity.seconds(until: now) / 60
        if session.isActive && idle > Self.idleMinutes { warnings.append("No activity for \(Int(idle)) minutes") }
        return SessionHealth(session: session, durationMinutes: max(0, duration), lastActivity: lastActivity, warnings: warnings)
    }

    /// DESIGN's end-of-session rules applied now to the session's current memories, newest first.
    package func insights(id: UUID, actingUser: String?, now: Timestamp = .now()) async throws -> SessionInsights {
        let session = try await session(id: id, actingUser: actingUser)
        let memories = try await store.memories(
            matching: MemoryFilter(userID: session.userID, sessionID: id), limit: 10_000, offset: 0
        ).items
        func gist(_ memory: Memory) -> String { memory.summary ?? String(memory.content.prefix(100)) }
        let entities = SessionReport.topEntities(of: memories, limit: .max)
        let summary = session.state == .ended || session.state == .archived
            ? session.summary ?? SessionReport.summary(of: memories) : SessionReport.summary(of: memories)
        return SessionInsights(
            session: session, durationMinutes: max(0, session.startedAt.seconds(until: session.endedAt ?? now) / 60),
            memoryCount: memories.count,
            importantMemories: memories.filter { $0.importance >= SessionReport.importantThreshold }.count,
            topics: Array(entities.prefix(5)),
            keyDecisions: memories.filter { $0.memoryType == .decision }.map(gist),
            errorsEncountered: memories.filter { $0.memoryType == .error }.map(gist),
            learningPoints: memories.filter { ($0.memoryType == .fact || $0.memoryType == .pattern) && $0.importance >= SessionReport.learningThreshold }
                .map(gist),
            actionItems: memories.filter { $0.memoryType == .decision && $0.content.lowercased().contains("todo") }.map(gist),
            entities: entities, summary: summary)
    }

    /// KnowledgeHub's lifecycle transition: the rules of `transition`, with the time of the move
    /// in metadata (`<state>_at`; pausing adds `paused_reason`, resuming `resumed_at`, archiving
    /// the tag `archived`), in one versioned update. Ending is a full end (reason
    /// `user_requested`); ending an ended session changes nothing.
    package func lifecycleTransition(id: UUID, actingUser: String?, to target: SessionState) async throws -> SessionTransition {
        let current = try await session(id: id, actingUser: actingUser)
        let now = Timestamp.now()
        if target == .ended {
            let ended = try await end(id: id, actingUser: current.userID, reason: .userRequested)
            return SessionTransition(session: ended, previousState: current.state, transitionedAt: ended.endedAt ?? now)
        }
        var metadata: JSONObject = ["\(target.rawValue)_at": .string(now.iso8601)]
        if target == .paused { metadata["paused_reason"] = "user_requested" }
        if target == .active && current.state == .paused { metadata["resumed_at"] = .string(now.iso8601) }
        let change = SessionChange(
            metadataPatch: metadata, addTags: target == .archived ? ["archived"] : [], state: target,
            requiredStates: SessionState.sources(of: target))
        let moved = try await apply(change, to: id, actingUser: current.userID, target: target)
        return SessionTransition(session: moved, previousState: current.state, transitionedAt: moved.updatedAt)
    }
}

extension MemoryManager {
    /// Context feedback: each of the user's memories among `memoryIDs` counts one access, as a
    /// read does; the event is stored. Returns how many memories were counted.
    package func recordFeedback(userID: String, memoryIDs: [UUID], effectivenessScore: Double, text: String?) async throws -> Int {
        _ = try Validation.identifier(userID, field: "user_id")
        guard (1...200).contains(memoryIDs.count) else {
            throw MemoryHubError.invalidField("memory_ids", "memory_ids must hold 1 to 200 ids.")
        }
        _ = try Validation.unitInterval(effectivenessScore, field: "effectiveness_score")
        if let text { _ = try Validation.content(text, maxBytes: configuration.maxContentBytes, field: "feedback") }
        return try await store.recordContextFeedback(ContextFeedback(
            userID: userID, memoryIDs: memoryIDs, effectivenessScore: effectivenessScore, text: text.map(redaction.text),
            createdAt: .now()))
    }
}
