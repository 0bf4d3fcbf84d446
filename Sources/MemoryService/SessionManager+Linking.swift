package import MemoryCore
import MemoryCache
import MemoryStore
package import Foundation

/// A chain as the linking routes show it (API-more.md "Linking"): its sessions in chain order with
/// each one's memories' tags and entities.
package struct ChainReport: Sendable {
    /// The requested session.
    package var sessionID: UUID
    /// Ancestors from the root, the session, then descendants by start.
    package var sessions: [Session]
    /// Tags and memory entities of the chain, by frequency (ties by first appearance).
    package var uniqueTopics: [String]

    package var root: Session? { sessions.first }
    package var totalMemories: Int { sessions.reduce(0) { $0 + $1.memoryCount } }
    /// Summed seconds of the ended sessions.
    package var totalDurationSeconds: Double { sessions.compactMap(\.duration).reduce(0, +) }

    /// Whether `session` has a child in the chain.
    package func hasChildren(_ session: Session) -> Bool {
        sessions.contains { $0.parentSessionID == session.id }
    }

    /// Gaps between a parent's end and its child's start, and ended sessions' lengths, in minutes;
    /// empty for a chain of one.
    package var continuationPatterns: JSONObject {
        guard sessions.count > 1 else { return [:] }
        let byID = Dictionary(sessions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var gaps: [Double] = []
        for child in sessions {
            guard let parentID = child.parentSessionID, let parent = byID[parentID], let ended = parent.endedAt else { continue }
            gaps.append(ended.seconds(until: child.startedAt) / 60)
        }
        let durations = sessions.compactMap(\.duration).map { $0 / 60 }
        var patterns: JSONObject = [:]
        if !gaps.isEmpty {
            patterns["average_gap_minutes"] = .double(Self.rounded(gaps.reduce(0, +) / Double(gaps.count)))
            patterns["max_gap_minutes"] = .double(Self.rounded(gaps.max() ?? 0))
            patterns["min_gap_minutes"] = .double(Self.rounded(gaps.min() ?? 0))
        }
        if !durations.isEmpty {
            patterns["average_session_duration_minutes"] = .double(Self.rounded(durations.reduce(0, +) / Double(durations.count)))
            patterns["total_active_time_minutes"] = .double(Self.rounded(durations.reduce(0, +)))
        }
        return patterns
    }

    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

/// What `mergeChains` did.
package struct ChainMerge: Sendable {
    /// The primary chain's root.
    package var mergedChainRoot: UUID
    /// Sessions in both chains.
    package var totalSessions: Int
    /// The primary chain's latest-started session, now the secondary root's parent.
    package var mergePoint: UUID
    /// The secondary chain's root as it now is.
    package var linkedRoot: Session
}

/// One way to continue: a session a new conversation could link to (API-more.md "Suggestions").
package struct LinkSuggestion: Sendable {
    package enum LinkType: String, Sendable {
        case recentActive = "recent_active"
        case contextualSimilarity = "contextual_similarity"
        case projectRelated = "project_related"
        case topicRelated = "topic_related"

        /// KnowledgeHub's priority of the source.
        package var priority: Double {
            switch self {
            case .recentActive: 1.0
            case .contextualSimilarity: 0.8
            case .projectRelated: 0.6
            case .topicRelated: 0.4
            }
        }
    }

    package var session: Session
    package var linkType: LinkType
    /// 0...1.
    package var confidence: Double
    package var reason: String
}

extension SessionManager {
    /// The chain of `id` with its topics: for the analysis and full-chain routes.
    package func chainReport(id: UUID, actingUser: String?) async throws -> ChainReport {
        let sessions = try await chain(id: id, actingUser: actingUser)
        var counts: [String: Int] = [:]
        var order: [String] = []
        func count(_ value: String) {
            if counts[value] == nil { order.append(value) }
            counts[value, default: 0] += 1
        }
        for session in sessions {
            session.tags.forEach(count)
            let memories = try await store.memories(
                matching: MemoryFilter(userID: session.userID, sessionID: session.id), limit: 10_000, offset: 0
            ).items
            memories.flatMap(\.entities).forEach(count)
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let topics = order.sorted { (counts[$0]!, position[$1]!) > (counts[$1]!, position[$0]!) }
        return ChainReport(sessionID: id, sessions: sessions, uniqueTopics: topics)
    }

    /// Links the secondary session's chain under the primary chain's latest-started session: the
    /// secondary root gets that parent, the tag `merged-chain` and `merged_from`, `merge_reason`,
    /// `merged_at` in its metadata, in one versioned update (written through the cache).
    /// Throws `sessionNotFound` unless both are the caller's (one owner), `conflict`
    /// (`same_chain`) when they are already one chain.
    package func mergeChains(primary: UUID, secondary: UUID, reason: String, actingUser: String?) async throws -> ChainMerge {
        let first = try await session(id: primary, actingUser: actingUser)
        let second = try await session(id: secondary, actingUser: first.userID)
        let primaryChain = try await chain(id: first.id, actingUser: first.userID)
        let secondaryChain = try await chain(id: second.id, actingUser: second.userID)
        guard let primaryRoot = primaryChain.first, let secondaryRoot = secondaryChain.first,
            primaryRoot.id != secondaryRoot.id, !Set(primaryChain.map(\.id)).contains(second.id),
            secondaryRoot.parentSessionID == nil
        else {
            throw MemoryHubError(kind: .conflict, code: .sameChain, detail: "The two sessions are already in one chain.")
        }
        let mergePoint = primaryChain.max { ($0.startedAt, $0.id.lowercased) < ($1.startedAt, $1.id.lowercased) } ?? first
        var change = SessionChange(
            metadataPatch: [
                "merged_from": .string(secondary.lowercased), "merge_reason": .string(redaction.text(reason)),
                "merged_at": .string(Timestamp.now().iso8601),
            ],
            addTags: ["merged-chain"])
        change.parentSessionID = mergePoint.id
        change.requireRoot = true
        let linked: Session
        do {
            linked = try await apply(change, to: secondaryRoot.id, actingUser: first.userID)
        } catch let error as MemoryHubError where error.code == .invalidTransition {
            // Another merge linked that root first.
            throw MemoryHubError(kind: .conflict, code: .sameChain, detail: "The secondary chain was merged meanwhile; read the chains again.")
        }
        return ChainMerge(
            mergedChainRoot: primaryRoot.id, totalSessions: primaryChain.count + secondaryChain.count, mergePoint: mergePoint.id,
            linkedRoot: linked)
    }

    /// Sessions a new conversation of `userID` could continue, best first, at most `limit`
    /// (API-more.md "Suggestions": four sources by priority, each session once).
    package func linkSuggestions(userID: String, projectID: String?, hint: String?, limit: Int = 5, now: Timestamp = .now()) async throws
        -> [LinkSuggestion]
    {
        _ = try Validation.identifier(userID, field: "user_id")
        _ = try Validation.optionalIdentifier(projectID, field: "project_id")
        let recent = try await store.sessions(matching: SessionFilter(userID: userID), limit: 500, offset: 0).items
        let dayAgo = now.adding(seconds: -86_400)
        let halfHourAgo = now.adding(seconds: -1_800)
        let inProject = { (session: Session) in projectID == nil || session.projectID == projectID }
        let lastDay = recent.filter { $0.startedAt >= dayAgo }
        var found: [LinkSuggestion] = []
        // Recently active: not ended, updated in the last 30 minutes (the auto-link's rule).
        for session in recent.filter({ inProject($0) && ($0.state == .active || $0.state == .paused) && $0.updatedAt >= halfHourAgo })
            .sorted(by: { $0.updatedAt > $1.updatedAt }).prefix(3)
        {
            let time = String(session.updatedAt.iso8601.dropFirst(11).prefix(5))
            found.append(LinkSuggestion(session: session, linkType: .recentActive, confidence: 0.9, reason: "Active session from \(time)"))
        }
        let keywords = Self.keywords(in: hint)
        var memoriesBySession: [UUID: [Memory]] = [:]
        func memories(of session: Session) async throws -> [Memory] {
            if let known = memoriesBySession[session.id] { return known }
            let loaded = try await store.memories(
                matching: MemoryFilter(userID: userID, sessionID: session.id), limit: 1000, offset: 0
            ).items
            memoriesBySession[session.id] = loaded
            return loaded
        }
        if !keywords.isEmpty {
            var scored: [(Session, Double)] = []
            for session in lastDay where inProject(session) {
                let text = try await memories(of: session).map { $0.content.lowercased() }
                let matched = keywords.filter { keyword in text.contains { $0.contains(keyword) } }.count
                let score = Double(matched) / Double(keywords.count)
                if score >= 0.7 { scored.append((session, score)) }
            }
            for (session, score) in scored.sorted(by: { $0.1 > $1.1 }).prefix(3) {
                found.append(LinkSuggestion(
                    session: session, linkType: .contextualSimilarity, confidence: score,
                    reason: "Similar context (score: \(String(format: "%.2f", score)))"))
            }
        }
        if projectID != nil {
            for session in lastDay.filter(inProject).prefix(3) {
                found.append(LinkSuggestion(session: session, linkType: .projectRelated, confidence: 0.7, reason: "Same project context"))
            }
        }
        let hintWords = Set((hint ?? "").lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count > 3 })
        if !hintWords.isEmpty {
            var shared: [(Session, [String])] = []
            for session in lastDay {
                let topics = try await session.tags + memories(of: session).flatMap(\.entities)
                var seen = Set<String>()
                let common = topics.filter { hintWords.contains($0.lowercased()) && seen.insert($0.lowercased()).inserted }
                if !common.isEmpty { shared.append((session, common)) }
            }
            for (session, common) in shared.sorted(by: { $0.1.count > $1.1.count }).prefix(3) {
                found.append(LinkSuggestion(
                    session: session, linkType: .topicRelated, confidence: min(0.8, Double(common.count) / 5),
                    reason: "Shared topics: " + common.prefix(3).joined(separator: ", ")))
            }
        }
        var seen = Set<UUID>()
        return found.sorted { ($0.linkType.priority, $0.confidence) > ($1.linkType.priority, $1.confidence) }
            .filter { seen.insert($0.session.id).inserted }
            .prefix(limit).map { $0 }
    }

    /// The first suggestion whose chain has fewer than `maximumChain` sessions.
    package func bestLinkSuggestion(userID: String, projectID: String?, hint: String?, maximumChain: Int = 10) async throws -> LinkSuggestion? {
        for suggestion in try await linkSuggestions(userID: userID, projectID: projectID, hint: hint) {
            if try await store.chainSessions(of: suggestion.session.id, userID: userID).count < maximumChain { return suggestion }
        }
        return nil
    }

    /// A hint's first five words longer than three characters, lowercased, outer punctuation stripped.
    static func keywords(in hint: String?) -> [String] {
        guard let hint else { return [] }
        return hint.split(whereSeparator: \.isWhitespace)
            .map { $0.trimmingCharacters(in: .punctuationCharacters).lowercased() }
            .filter { $0.count > 3 }
            .prefix(5).map { $0 }
    }
}
