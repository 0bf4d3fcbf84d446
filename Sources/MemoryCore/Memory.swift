#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// What kind of thing a memory records.
package enum MemoryType: String, Sendable, Hashable, CaseIterable {
    case fact, preference, code, decision, error, pattern, entity
}

/// One thing an assistant remembered, within a session.
package struct Memory: Sendable, Hashable {
    package var id: UUID
    package var sessionID: UUID
    /// Copied from the session so that every query is scoped without a join.
    package var userID: String
    package var projectID: String?
    package var content: String
    package var summary: String?
    package var memoryType: MemoryType
    package var importance: Double
    package var confidence: Double
    package var entities: [String]
    package var tags: [String]
    package var relatedMemories: [UUID]
    package var metadata: JSONObject
    package var hasEmbedding: Bool
    package var accessCount: Int64
    package var lastAccessed: Timestamp?
    package var createdAt: Timestamp
    package var updatedAt: Timestamp
    package var version: Int64
    /// The newer memory that replaces this one (supersession): kept, labelled, ranked below it.
    package var supersededBy: UUID?

    package static let defaultImportance = 0.5
    package static let defaultConfidence = 0.8

    package init(
        id: UUID = .v7(),
        sessionID: UUID,
        userID: String,
        projectID: String? = nil,
        content: String,
        summary: String? = nil,
        memoryType: MemoryType,
        importance: Double = Memory.defaultImportance,
        confidence: Double = Memory.defaultConfidence,
        entities: [String] = [],
        tags: [String] = [],
        relatedMemories: [UUID] = [],
        metadata: JSONObject = [:],
        hasEmbedding: Bool = false,
        accessCount: Int64 = 0,
        lastAccessed: Timestamp? = nil,
        createdAt: Timestamp,
        updatedAt: Timestamp? = nil,
        version: Int64 = 1,
        supersededBy: UUID? = nil
    ) {
        self.id = id
        self.sessionID = sessionID
        self.userID = userID
        self.projectID = projectID
        self.content = content
        self.summary = summary
        self.memoryType = memoryType
        self.importance = importance
        self.confidence = confidence
        self.entities = entities
        self.tags = tags
        self.relatedMemories = relatedMemories
        self.metadata = metadata
        self.hasEmbedding = hasEmbedding
        self.accessCount = accessCount
        self.lastAccessed = lastAccessed
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.version = version
        self.supersededBy = supersededBy
    }

    /// Days since creation, as a fraction, never negative.
    package func ageDays(at now: Timestamp) -> Double {
        max(0, createdAt.seconds(until: now) / 86_400)
    }

    /// importance × 1/(1 + age_days/30) × (0.7 + 0.3 × min(1, access_count/10)).
    package func relevanceScore(at now: Timestamp) -> Double {
        let decay = 1 / (1 + ageDays(at: now) / 30)
        let usage = 0.7 + 0.3 * min(1, Double(accessCount) / 10)
        return importance * decay * usage
    }

    /// Younger than seven days.
    package func isRecent(at now: Timestamp) -> Bool { ageDays(at: now) < 7 }

    package var isHighImportance: Bool { importance >= 0.7 }
}
