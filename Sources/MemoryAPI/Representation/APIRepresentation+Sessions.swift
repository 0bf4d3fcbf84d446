package import MemoryCore
package import MemoryService
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// API-more.md "Linking" and "Lifecycle" shapes.
extension APIRepresentation {
    static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    static func minutes(_ value: Double) -> JSONValue { .double((value * 100).rounded() / 100) }

    /// `GET /lifecycle/{id}/state`.
    package static func sessionHealth(_ health: SessionHealth) -> JSONValue {
        .object([
            "session_id": .string(health.session.id.lowercased),
            "state": .string(health.session.state.rawValue),
            "is_active": .bool(health.session.isActive),
            "health_status": .string(health.healthStatus),
            "memory_count": .int(Int64(health.session.memoryCount)),
            "duration_minutes": minutes(health.durationMinutes),
            "last_activity": .string(health.lastActivity.iso8601),
            "warnings": strings(health.warnings),
        ])
    }

    /// `GET /lifecycle/{id}/insights`.
    package static func sessionInsights(_ insights: SessionInsights) -> JSONValue {
        .object([
            "session_id": .string(insights.session.id.lowercased),
            "duration_minutes": minutes(insights.durationMinutes),
            "memory_count": .int(Int64(insights.memoryCount)),
            "important_memories": .int(Int64(insights.importantMemories)),
            "topics": strings(insights.topics),
            "key_decisions": strings(insights.keyDecisions),
            "errors_encountered": strings(insights.errorsEncountered),
            "learning_points": strings(insights.learningPoints),
            "action_items": strings(insights.actionItems),
            "entities": strings(insights.entities),
            "summary": .string(insights.summary),
        ])
    }

    /// `POST /lifecycle/{id}/transition`.
    package static func sessionTransition(_ transition: SessionTransition) -> JSONValue {
        .object([
            "session_id": .string(transition.session.id.lowercased),
            "previous_state": .string(transition.previousState.rawValue),
            "new_state": .string(transition.session.state.rawValue),
            "transitioned_at": .string(transition.transitionedAt.iso8601),
        ])
    }

    /// One suggestion of `/linking/suggestions`.
    package static func linkSuggestion(_ suggestion: LinkSuggestion) -> JSONValue {
        let session = suggestion.session
        return .object([
            "session_id": .string(session.id.lowercased),
            "link_type": .string(suggestion.linkType.rawValue),
            "priority": .double(suggestion.linkType.priority),
            "confidence": .double((suggestion.confidence * 100).rounded() / 100),
            "reason": .string(suggestion.reason),
            "session_details": .object([
                "user_id": .string(session.userID),
                "project_id": session.projectID.map(JSONValue.string) ?? .null,
                "started_at": .string(session.startedAt.iso8601),
                "ended_at": session.endedAt.map { .string($0.iso8601) } ?? .null,
                "tags": strings(session.tags),
                "memory_count": .int(Int64(session.memoryCount)),
                "is_active": .bool(session.isActive),
            ]),
        ])
    }

    /// `GET /linking/chain/{id}/analysis`.
    package static func chainAnalysis(_ report: ChainReport) -> JSONValue {
        let summary: [JSONValue] = report.sessions.enumerated().map { index, session in
            .object([
                "session_id": .string(session.id.lowercased),
                "position": .int(Int64(index + 1)),
                "started_at": .string(session.startedAt.iso8601),
                "ended_at": session.endedAt.map { .string($0.iso8601) } ?? .null,
                "duration_minutes": session.duration.map { minutes($0 / 60) } ?? .null,
                "memory_count": .int(Int64(session.memoryCount)),
                "tags": strings(session.tags),
                "is_root": .bool(session.parentSessionID == nil),
                "has_children": .bool(report.hasChildren(session)),
            ])
        }
        return .object([
            "chain_length": .int(Int64(report.sessions.count)),
            "total_duration": .double(report.totalDurationSeconds),
            "total_memories": .int(Int64(report.totalMemories)),
            "unique_topics": strings(report.uniqueTopics),
            "session_summary": .array(summary),
            "continuation_patterns": .object(report.continuationPatterns),
        ])
    }

    /// `GET /linking/chain/{id}/full`.
    package static func fullChain(_ report: ChainReport) -> JSONValue {
        let sessions: [JSONValue] = report.sessions.enumerated().map { index, session in
            .object([
                "session_id": .string(session.id.lowercased),
                "position": .int(Int64(index + 1)),
                "user_id": .string(session.userID),
                "project_id": session.projectID.map(JSONValue.string) ?? .null,
                "parent_session_id": session.parentSessionID.map { .string($0.lowercased) } ?? .null,
                "started_at": .string(session.startedAt.iso8601),
                "ended_at": session.endedAt.map { .string($0.iso8601) } ?? .null,
                "duration": session.duration.map(JSONValue.double) ?? .null,
                "memory_count": .int(Int64(session.memoryCount)),
                "tags": strings(session.tags),
                "is_active": .bool(session.isActive),
                "is_root": .bool(session.parentSessionID == nil),
                "is_current": .bool(session.id == report.sessionID),
            ])
        }
        return .object([
            "session_id": .string(report.sessionID.lowercased),
            "chain_length": .int(Int64(report.sessions.count)),
            "sessions": .array(sessions),
            "root_session_id": report.root.map { .string($0.id.lowercased) } ?? .null,
            "total_memories": .int(Int64(report.totalMemories)),
            "total_duration_seconds": .double(report.totalDurationSeconds),
        ])
    }

    /// `POST /linking/chain/merge`.
    package static func chainMerge(_ merge: ChainMerge) -> JSONValue {
        .object([
            "message": "Chains merged",
            "result": .object([
                "success": true,
                "merged_chain_root": .string(merge.mergedChainRoot.lowercased),
                "total_sessions": .int(Int64(merge.totalSessions)),
                "merge_point": .string(merge.mergePoint.lowercased),
            ]),
        ])
    }
}

/// API-more.md "Administration" shapes.
extension APIRepresentation {
    /// A cleanup run: `success, started_at, completed_at, stats: {stale_sessions_cleaned,
    /// sessions_archived, cache_entries_cleaned}`.
    package static func cleanupRun(_ report: CleanupRunReport) -> JSONValue {
        .object([
            "success": true,
            "started_at": .string(report.startedAt.iso8601),
            "completed_at": .string(report.completedAt.iso8601),
            "stats": .object([
                "stale_sessions_cleaned": .int(Int64(report.staleSessionsCleaned)),
                "sessions_archived": .int(Int64(report.sessionsArchived)),
                "cache_entries_cleaned": .int(Int64(report.cacheEntriesCleaned)),
            ]),
        ])
    }

    /// `GET /admin/cleanup/stats`: the last completed run's counts, how many runs completed, and
    /// this process's Service.
    package static func cleanupStats(_ status: CleanupStatus) -> JSONValue {
        let last = status.history.lastSuccess
        func count(_ name: String) -> JSONValue { .int(Int64(last?.counts[name] ?? 0)) }
        let lastError: JSONValue = status.history.lastRun.flatMap { $0.error }.map(JSONValue.string) ?? .null
        return .object([
            "cleanup_stats": .object([
                "last_cleanup": last?.completedAt.map { .string($0.iso8601) } ?? .null,
                "stale_sessions_cleaned": count("stale_sessions_cleaned"),
                "sessions_archived": count("sessions_archived"),
                "cache_entries_cleaned": count("cache_entries_cleaned"),
                "total_cleanups": .int(Int64(status.history.successfulRuns)),
            ]),
            "service_status": .object([
                "running": .bool(status.running),
                "cleanup_interval_hours": .double(status.interval.hours),
                "stale_session_hours": .double(status.staleAfter.hours),
                "old_session_days": .double(status.archiveAfter.hours / 24),
                "next_run_at": status.nextRunAt.map { .string($0.iso8601) } ?? .null,
                "last_error": lastError,
            ]),
        ])
    }

    /// `GET /admin/cleanup/health`.
    package static func cleanupHealth(_ status: CleanupStatus, now: Timestamp) -> JSONValue {
        .object([
            "status": .string(status.health(at: now)),
            "service_running": .bool(status.running),
            "last_cleanup": status.history.lastSuccess?.completedAt.map { .string($0.iso8601) } ?? .null,
            "total_cleanups": .int(Int64(status.history.successfulRuns)),
        ])
    }
}

extension Duration {
    var hours: Double { seconds / 3600 }
}
