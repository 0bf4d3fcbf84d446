#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a persistent context item is about (API-more.md "Persistent context").
package enum ContextItemType: String, Sendable, CaseIterable, Hashable {
    case conversationFlow = "conversation_flow"
    case technicalKnowledge = "technical_knowledge"
    case preferences
    case decisions
    case patterns
    case relationships
    case workflows
    case learnings

    /// "Technical Knowledge": the words of the raw value, capitalised.
    package var title: String {
        rawValue.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}

/// How far a persistent context item reaches. Items are private to their user whatever the
/// scope; `global` and `domain` are labels until shared items exist.
package enum ContextItemScope: String, Sendable, CaseIterable, Hashable {
    case session, project, user, global, domain
}

/// One persistent context item: a piece of knowledge a user's assistant keeps across sessions.
/// `importance` is 0...1 and decays with time unused; `embedding` is nil until the background
/// embedding service has computed it (and for reads that do not ask for it).
package struct ContextItem: Sendable, Equatable {
    package var id: UUID
    package var userID: String
    package var scope: ContextItemScope
    package var projectID: String?
    package var sessionID: UUID?
    package var contextType: ContextItemType
    package var content: String
    package var importance: Double
    /// Starts at 1 (the write counts as an access, as KnowledgeHub does).
    package var accessCount: Int64
    package var lastAccessed: Timestamp
    package var relatedEntities: [String]
    package var metadata: JSONObject
    package var createdAt: Timestamp
    package var updatedAt: Timestamp
    /// When decay last lowered the importance; nil before the first decay.
    package var decayedAt: Timestamp?
    package var version: Int64
    package var embedding: [Float]?

    package init(
        id: UUID, userID: String, scope: ContextItemScope, projectID: String? = nil, sessionID: UUID? = nil,
        contextType: ContextItemType, content: String, importance: Double = 0.5, accessCount: Int64 = 1,
        lastAccessed: Timestamp, relatedEntities: [String] = [], metadata: JSONObject = [:], createdAt: Timestamp,
        updatedAt: Timestamp, decayedAt: Timestamp? = nil, version: Int64 = 1, embedding: [Float]? = nil
    ) {
        self.id = id
        self.userID = userID
        self.scope = scope
        self.projectID = projectID
        self.sessionID = sessionID
        self.contextType = contextType
        self.content = content
        self.importance = importance
        self.accessCount = accessCount
        self.lastAccessed = lastAccessed
        self.relatedEntities = relatedEntities
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.decayedAt = decayedAt
        self.version = version
        self.embedding = embedding
    }
}

/// What ranking needs of an item, read without its metadata and entities (a query scores every
/// candidate and then reads only the best in full).
package struct ContextItemSketch: Sendable, Equatable {
    package var id: UUID
    package var content: String
    package var importance: Double
    package var accessCount: Int64
    /// Nil until the item is embedded.
    package var embedding: [Float]?

    package init(id: UUID, content: String, importance: Double, accessCount: Int64, embedding: [Float]?) {
        self.id = id
        self.content = content
        self.importance = importance
        self.accessCount = accessCount
        self.embedding = embedding
    }
}

/// Which persistent context items a read selects. `userID` nil means every user's (admin reads
/// and the background services only).
package struct ContextItemFilter: Sendable, Equatable {
    package var userID: String?
    package var contextType: ContextItemType?
    package var scope: ContextItemScope?
    package var projectID: String?
    package var sessionID: UUID?
    /// Load each item's vector too (similarity, clusters, connections).
    package var includeEmbeddings = false

    package init(
        userID: String?, contextType: ContextItemType? = nil, scope: ContextItemScope? = nil, projectID: String? = nil,
        sessionID: UUID? = nil, includeEmbeddings: Bool = false
    ) {
        self.userID = userID
        self.contextType = contextType
        self.scope = scope
        self.projectID = projectID
        self.sessionID = sessionID
        self.includeEmbeddings = includeEmbeddings
    }
}

/// The arithmetic of persistent context: similarity, ranking, decay, clusters. Pure functions.
package enum PersistentContextMath {
    /// Access counts above this add nothing to a score: popularity must not feed on itself.
    package static let accessCountCap: Int64 = 10
    /// Decay never lowers importance below this.
    package static let importanceFloor = 0.1
    /// Importance kept per week unused.
    package static let weeklyRetention = 0.95
    /// Seconds in a week.
    package static let week = 604_800.0
    /// A decay smaller than this is not written (and does not move `decayed_at`, so the time
    /// keeps counting): a repeat moments later changes nothing.
    package static let smallestDecay = 1e-6

    /// The lower-cased words of `text` without common function words: what Jaccard compares.
    package static func wordSet(_ text: String) -> Set<String> {
        Set(SearchText.words(text).filter { !SearchText.stopWords.contains($0) })
    }

    /// |a ∩ b| / |a ∪ b|; 0 when both are empty.
    package static func jaccard(_ a: Set<String>, _ b: Set<String>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 0 : Double(a.intersection(b).count) / Double(union)
    }

    /// The cosine of two vectors of equal length (0 for a zero vector or unequal lengths).
    package static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot: Float = 0
        var normA: Float = 0
        var normB: Float = 0
        for index in a.indices {
            dot += a[index] * b[index]
            normA += a[index] * a[index]
            normB += b[index] * b[index]
        }
        let norms = (normA * normB).squareRoot()
        return norms > 0 ? Double(dot / norms) : 0
    }

    /// Cosine of the embeddings when both sides have one, else Jaccard of the word sets.
    package static func similarity(queryVector: [Float]?, queryWords: Set<String>, item: ContextItemSketch) -> Double {
        if let queryVector, let vector = item.embedding { return cosine(queryVector, vector) }
        return jaccard(queryWords, wordSet(item.content))
    }

    /// similarity × (1 + importance) × (1 + 0.1 × min(access_count, 10)).
    package static func score(similarity: Double, importance: Double, accessCount: Int64) -> Double {
        similarity * (1 + importance) * (1 + 0.1 * Double(min(max(accessCount, 0), accessCountCap)))
    }

    /// Importance after decay at `now`: `max(0.1, importance × 0.95^w)` with `w` the weeks
    /// (fractional) since the later of the last access and the last decay. Never raises an
    /// importance already below the floor. Nil when the change is below `smallestDecay` (the
    /// item is left as it is).
    package static func decayedImportance(_ importance: Double, lastAccessed: Timestamp, decayedAt: Timestamp?, now: Timestamp) -> Double? {
        let since = max(lastAccessed, decayedAt ?? lastAccessed)
        let weeks = max(0, since.seconds(until: now) / week)
        let decayed = min(importance, max(importanceFloor, importance * pow(weeklyRetention, weeks)))
        return importance - decayed >= smallestDecay ? decayed : nil
    }

    /// `content` cut to `limit` characters followed by "...", or as it is when not longer.
    package static func preview(_ content: String, limit: Int) -> String {
        content.count > limit ? String(content.prefix(limit)) + "..." : content
    }

    /// Mean pairwise cosine of the embedded items among the first 100; 1.0 with fewer than two.
    package static func coherence(_ items: [ContextItem]) -> Double {
        let vectors = items.compactMap(\.embedding).prefix(100)
        guard vectors.count >= 2 else { return 1.0 }
        var total = 0.0
        var pairs = 0
        for i in vectors.indices {
            for j in vectors.indices where j > i {
                total += cosine(vectors[i], vectors[j])
                pairs += 1
            }
        }
        return total / Double(pairs)
    }
}
