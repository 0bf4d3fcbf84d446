#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compresses a session's memories into `targetTokens` with one of the seven strategies of
/// API-more.md "Compression", at one of its four levels. Pure: the same memories, clock and
/// settings give the same result.
///
/// A memory costs ``tokens(of:)``: its content's and its summary's ``TokenEstimate``, the
/// estimator the context builder packs with, so budgets agree with `/context/retrieve`. Each
/// memory is kept at most once. After the strategy, the budget is enforced: trailing facts go
/// first, then trailing decisions, then trailing key entities, then the summary is cut, then the
/// least important kept memories go, until ``CompressedContext/tokenEstimate`` ≤ `targetTokens`.
package struct ContextCompressor: Sendable {
    /// The budget of the output, in tokens (the API allows 500-16000; any value ≥ 0 works here).
    package var targetTokens: Int
    package var strategy: CompressionStrategy
    package var level: CompressionLevel

    package init(targetTokens: Int, strategy: CompressionStrategy = .hybrid, level: CompressionLevel = .moderate) {
        self.targetTokens = max(0, targetTokens)
        self.strategy = strategy
        self.level = level
    }

    /// What a memory costs: the tokens of its content plus those of its summary.
    package static func tokens(of memory: Memory) -> Int {
        TokenEstimate.tokens(memory.content) + TokenEstimate.tokens(memory.summary ?? "")
    }

    /// Compresses `memories` (a session's, newest first); `now` ages them for `recency_weighted`.
    package func compress(_ memories: [Memory], now: Timestamp) -> CompressedContext {
        var result = CompressedContext.empty(strategy: strategy)
        guard !memories.isEmpty else { return result }
        var draft: Draft
        switch strategy {
        case .importanceBased: draft = importanceBased(memories)
        case .recencyWeighted: draft = recencyWeighted(memories, budget: targetTokens, now: now)
        case .summarization: draft = summarization(memories)
        case .entityConsolidation: draft = entityConsolidation(memories)
        case .semanticClustering: draft = semanticClustering(memories)
        case .hierarchical: draft = hierarchical(memories)
        case .hybrid: draft = hybrid(memories, now: now)
        }
        draft.enforce(targetTokens)
        let inputCharacters = memories.reduce(0) { $0 + Self.characters(of: $1) }
        result.memories = draft.kept
        result.summary = draft.summary
        result.keyEntities = draft.keyEntities
        result.importantFacts = draft.facts
        result.recentDecisions = draft.decisions
        result.originalMemoryCount = memories.count
        result.originalTokens = memories.reduce(0) { $0 + Self.tokens(of: $1) }
        result.tokenEstimate = draft.tokens
        result.compressionRatio = inputCharacters == 0 ? 0 : 1 - Double(draft.characters) / Double(inputCharacters)
        return result
    }

    // MARK: Strategies

    /// By (importance, created_at) descending, those at or above the level's threshold that fit;
    /// a gist of each ≥ 0.9 that did not; an overview of the rest.
    func importanceBased(_ memories: [Memory]) -> Draft {
        var draft = Draft()
        let ranked = memories.enumerated().sorted { a, b in
            if a.element.importance != b.element.importance { return a.element.importance > b.element.importance }
            if a.element.createdAt != b.element.createdAt { return a.element.createdAt > b.element.createdAt }
            return a.offset < b.offset
        }.map(\.element)
        for memory in ranked where memory.importance >= level.importanceThreshold {
            if !draft.keep(memory, within: Double(targetTokens)), memory.importance >= 0.9 {
                draft.facts.append(Self.gist(memory, length: 100))
            }
        }
        draft.summary = Self.overview(draft.notKept(memories))
        return draft
    }

    /// Scored importance × 0.95^(hours since created); of the best ⌊n × share⌋ (at least one),
    /// in order until one does not fit within `budget`. Key entities and the summary describe the
    /// memories not kept.
    func recencyWeighted(_ memories: [Memory], budget: Int, now: Timestamp) -> Draft {
        var draft = Draft()
        let decay = log(0.95)
        let ranked = memories.enumerated().map { index, memory in
            let hours = max(0, memory.createdAt.seconds(until: now) / 3600)
            return (index: index, memory: memory, score: memory.importance * exp(decay * hours))
        }.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            return a.index < b.index
        }
        let count = max(1, Int((Double(memories.count) * level.recencyShare).rounded(.down)))
        for candidate in ranked.prefix(count) where !draft.keep(candidate.memory, within: Double(budget)) {
            break
        }
        let rest = draft.notKept(memories)
        draft.keyEntities = Array(Self.distinctEntities(rest).prefix(20))
        draft.summary = Self.overview(rest)
        return draft
    }

    /// Decisions and errors of importance ≥ 0.8 within 60 % of the budget; a line of three gists
    /// per decision, fact and error group of two or more; type counts as the summary.
    func summarization(_ memories: [Memory]) -> Draft {
        var draft = Draft()
        let groups = Self.groupedByType(memories)
        for (type, members) in groups {
            if type == .decision || type == .error {
                for memory in members where memory.importance >= 0.8 {
                    draft.keep(memory, within: 0.6 * Double(targetTokens))
                }
            }
            guard members.count >= 2 else { continue }
            let gists = members.prefix(3).map { Self.gist($0, length: 50) }.joined(separator: "; ")
            switch type {
            case .decision: draft.decisions.append("Decisions made: " + gists)
            case .fact: draft.facts.append("Key facts: " + gists)
            case .error: draft.facts.append("Errors encountered: " + gists)
            default: break
            }
        }
        draft.summary = groups.map { "\($0.members.count) \($0.type.rawValue) memories" }.joined(separator: ", ")
        return draft
    }

    /// Per entity (first-seen), its most important memory if it fits, unless a kept memory
    /// already mentions the entity; each entity left uncovered becomes a key entity and a fact.
    func entityConsolidation(_ memories: [Memory]) -> Draft {
        var draft = Draft()
        var covered: Set<String> = []
        for (entity, members) in Self.groupedByEntity(memories) where !covered.contains(entity) {
            var best = members[0]
            for member in members.dropFirst() where member.importance > best.importance { best = member }
            if draft.keep(best, within: Double(targetTokens)) {
                covered.formUnion(best.entities)
                continue
            }
            draft.keyEntities.append(entity)
            let points = members.filter { $0.importance >= 0.8 }.prefix(2).map { Self.gist($0, length: 50) }
            draft.facts.append(entity + ": " + (points.isEmpty ? "Mentioned in \(members.count) memories" : points.joined(separator: "; ")))
        }
        return draft
    }

    /// Each unclustered memory, newest first, seeds a cluster of the unclustered memories sharing
    /// at least two entities with it; the cluster's most important member is kept if it fits,
    /// else the cluster becomes a fact.
    func semanticClustering(_ memories: [Memory]) -> Draft {
        var draft = Draft()
        for cluster in Self.clusters(memories) {
            var representative = cluster[0]
            for member in cluster.dropFirst() where member.importance > representative.importance { representative = member }
            if !draft.keep(representative, within: Double(targetTokens)) {
                draft.facts.append(Self.clusterLine(cluster))
            }
        }
        return draft
    }

    /// Critical memories (≥ 0.9) while the total stays within half the budget; then important
    /// ones (0.7 up to 0.9), each if it costs at most 70 % of the budget left; the rest as the
    /// summary; the 20 most frequent entities of all.
    func hierarchical(_ memories: [Memory]) -> Draft {
        var draft = Draft()
        for memory in memories where memory.importance >= 0.9 {
            draft.keep(memory, within: 0.5 * Double(targetTokens))
        }
        for memory in memories where memory.importance >= 0.7 && memory.importance < 0.9 {
            let left = targetTokens - draft.memoryTokens
            if Double(Self.tokens(of: memory)) <= 0.7 * Double(left) {
                draft.keep(memory, within: Double(targetTokens))
            }
        }
        draft.summary = Self.overview(draft.notKept(memories))
        draft.keyEntities = Self.frequentEntities(memories, limit: 20)
        return draft
    }

    /// `importance_based`; when it kept fewer than one memory per 100 tokens of the target,
    /// `recency_weighted` adds memories within target − 100 × kept (and never beyond the room
    /// left); key entities and facts from `entity_consolidation`; an overview of the rest.
    func hybrid(_ memories: [Memory], now: Timestamp) -> Draft {
        var draft = importanceBased(memories)
        if draft.kept.count * 100 < targetTokens {
            let budget = min(targetTokens - 100 * draft.kept.count, targetTokens - draft.memoryTokens)
            for memory in recencyWeighted(memories, budget: budget, now: now).kept {
                draft.keep(memory, within: Double(targetTokens))
            }
        }
        let entities = entityConsolidation(memories)
        draft.keyEntities = entities.keyEntities
        draft.facts += entities.facts
        draft.summary = Self.overview(draft.notKept(memories))
        return draft
    }

    // MARK: Text

    /// The memory's summary, else the first `length` characters of its content (with "..." when
    /// cut).
    static func gist(_ memory: Memory, length: Int) -> String {
        if let summary = memory.summary, !summary.trimmedWhitespace.isEmpty { return summary }
        let scalars = memory.content.unicodeScalars
        guard scalars.count > length else { return memory.content }
        return String(Substring(scalars.prefix(length))) + "..."
    }

    /// "Contains 3 fact, 2 decision memories. Key topics: " and the five most frequent entities;
    /// empty for no memories.
    static func overview(_ memories: [Memory]) -> String {
        guard !memories.isEmpty else { return "" }
        let counts = groupedByType(memories).map { "\($0.members.count) \($0.type.rawValue)" }.joined(separator: ", ")
        var text = "Contains \(counts) memories"
        let topics = frequentEntities(memories, limit: 5)
        if !topics.isEmpty { text += ". Key topics: " + topics.joined(separator: ", ") }
        return text
    }

    /// "Discussion about a, b, c (N related memories)" with the entities of at least half the
    /// members (else "various topics"); a lone member's gist.
    static func clusterLine(_ cluster: [Memory]) -> String {
        guard cluster.count > 1 else { return gist(cluster[0], length: 100) }
        var counts: [String: Int] = [:]
        let order = distinctEntities(cluster)
        for memory in cluster {
            for entity in Set(memory.entities) { counts[entity, default: 0] += 1 }
        }
        let common = order.filter { 2 * counts[$0, default: 0] >= cluster.count }.prefix(3)
        let topic = common.isEmpty ? "various topics" : common.joined(separator: ", ")
        return "Discussion about \(topic) (\(cluster.count) related memories)"
    }

    // MARK: Grouping

    static func characters(of memory: Memory) -> Int {
        memory.content.unicodeScalars.count + (memory.summary?.unicodeScalars.count ?? 0)
    }

    /// Memories by type, types in first-seen order.
    static func groupedByType(_ memories: [Memory]) -> [(type: MemoryType, members: [Memory])] {
        var groups: [(type: MemoryType, members: [Memory])] = []
        var position: [MemoryType: Int] = [:]
        for memory in memories {
            if let index = position[memory.memoryType] {
                groups[index].members.append(memory)
            } else {
                position[memory.memoryType] = groups.count
                groups.append((memory.memoryType, [memory]))
            }
        }
        return groups
    }

    /// Memories by entity, entities in first-seen order, each memory once per entity.
    static func groupedByEntity(_ memories: [Memory]) -> [(entity: String, members: [Memory])] {
        var groups: [(entity: String, members: [Memory])] = []
        var position: [String: Int] = [:]
        for memory in memories {
            var seen: Set<String> = []
            for entity in memory.entities where seen.insert(entity).inserted {
                if let index = position[entity] {
                    groups[index].members.append(memory)
                } else {
                    position[entity] = groups.count
                    groups.append((entity, [memory]))
                }
            }
        }
        return groups
    }

    /// Every entity once, in first-seen order.
    static func distinctEntities(_ memories: [Memory]) -> [String] {
        var seen: Set<String> = []
        var order: [String] = []
        for memory in memories {
            for entity in memory.entities where seen.insert(entity).inserted { order.append(entity) }
        }
        return order
    }

    /// The `limit` entities mentioned by the most memories, ties by name.
    static func frequentEntities(_ memories: [Memory], limit: Int) -> [String] {
        var counts: [String: Int] = [:]
        for memory in memories {
            for entity in Set(memory.entities) { counts[entity, default: 0] += 1 }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map(\.key)
    }

    /// Clusters of memories sharing at least two entities with their seed (the newest
    /// unclustered memory), through an entity index rather than comparing every pair.
    static func clusters(_ memories: [Memory]) -> [[Memory]] {
        let entitySets = memories.map { Set($0.entities) }
        var holders: [String: [Int]] = [:]
        for (index, entities) in entitySets.enumerated() {
            for entity in entities { holders[entity, default: []].append(index) }
        }
        var clustered = [Bool](repeating: false, count: memories.count)
        var clusters: [[Memory]] = []
        for seed in memories.indices where !clustered[seed] {
            clustered[seed] = true
            var members = [seed]
            if entitySets[seed].count >= 2 {
                var shared: [Int: Int] = [:]
                for entity in entitySets[seed] {
                    for other in holders[entity, default: []] where !clustered[other] { shared[other, default: 0] += 1 }
                }
                let absorbed = shared.filter { $0.value >= 2 }.keys.sorted()
                for other in absorbed { clustered[other] = true }
                members += absorbed
            }
            clusters.append(members.map { memories[$0] })
        }
        return clusters
    }
}

extension ContextCompressor {
    /// A compression in progress: what is kept and what stands in for the rest.
    struct Draft {
        var kept: [Memory] = []
        var keptIDs: Set<UUID> = []
        /// Tokens of the kept memories.
        var memoryTokens = 0
        var summary = ""
        var keyEntities: [String] = []
        var facts: [String] = []
        var decisions: [String] = []

        /// Keeps `memory` if the kept memories' tokens stay within `limit`; true when it is kept
        /// (now or before).
        @discardableResult
        mutating func keep(_ memory: Memory, within limit: Double) -> Bool {
            if keptIDs.contains(memory.id) { return true }
            let cost = ContextCompressor.tokens(of: memory)
            guard Double(memoryTokens + cost) <= limit else { return false }
            kept.append(memory)
            keptIDs.insert(memory.id)
            memoryTokens += cost
            return true
        }

        /// `memories` without the kept ones, in their order.
        func notKept(_ memories: [Memory]) -> [Memory] {
            memories.filter { !keptIDs.contains($0.id) }
        }

        var tokens: Int {
            memoryTokens + TokenEstimate.tokens(summary) + Self.tokens(keyEntities) + Self.tokens(facts) + Self.tokens(decisions)
        }

        var characters: Int {
            kept.reduce(0) { $0 + ContextCompressor.characters(of: $1) } + summary.unicodeScalars.count
                + (keyEntities + facts + decisions).reduce(0) { $0 + $1.unicodeScalars.count }
        }

        /// Drops trailing facts, decisions and key entities, cuts the summary, then drops the
        /// least important kept memories (the oldest of equals) until the output fits `target`.
        mutating func enforce(_ target: Int) {
            var total = tokens
            while total > target, let fact = facts.popLast() { total -= TokenEstimate.tokens(fact) }
            while total > target, let decision = decisions.popLast() { total -= TokenEstimate.tokens(decision) }
            while total > target, let entity = keyEntities.popLast() { total -= TokenEstimate.tokens(entity) }
            if total > target {
                let room = target - (total - TokenEstimate.tokens(summary))
                summary = Self.cut(summary, toTokens: room)
                total = tokens
            }
            while total > target, !kept.isEmpty {
                var weakest = 0
                for index in kept.indices.dropFirst() {
                    let candidate = kept[index]
                    let current = kept[weakest]
                    if candidate.importance < current.importance
                        || (candidate.importance == current.importance && candidate.createdAt < current.createdAt)
                    {
                        weakest = index
                    }
                }
                let dropped = kept.remove(at: weakest)
                keptIDs.remove(dropped.id)
                memoryTokens -= ContextCompressor.tokens(of: dropped)
                total -= ContextCompressor.tokens(of: dropped)
            }
        }

        static func tokens(_ lines: [String]) -> Int {
            lines.reduce(0) { $0 + TokenEstimate.tokens($1) }
        }

        /// `text` within `tokens` tokens, ending in "..." when cut; empty when no room is left.
        static func cut(_ text: String, toTokens tokens: Int) -> String {
            guard tokens > 0 else { return "" }
            let scalars = text.unicodeScalars
            guard scalars.count > tokens * 4 else { return text }
            return String(Substring(scalars.prefix(tokens * 4 - 3))) + "..."
        }
    }
}
