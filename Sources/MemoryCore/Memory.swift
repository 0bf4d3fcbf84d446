#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What kind of thing a memory records.
public enum MemoryType: String, Sendable, Hashable, CaseIterable, Codable {
    case fact, preference, code, decision, error, pattern, entity
}

/// One thing an assistant remembered, within a session.
public struct Memory: Sendable, Hashable {
    public var id: UUID
    public var sessionID: UUID
    /// Copied from the session so that every query is scoped without a join.
    public var userID: String
    public var projectID: String?
    public var content: String
    public var summary: String?
    public var memoryType: MemoryType
    public var importance: Double
    public var confidence: Double
    public var entities: [String]
    public var tags: [String]
    public var relatedMemories: [UUID]
    public var metadata: JSONObject
    public var hasEmbedding: Bool
    public var accessCount: Int64
    public var lastAccessed: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var version: Int64

    public static let defaultImportance = 0.5
    public static let defaultConfidence = 0.8

    public init(
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
        version: Int64 = 1
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
    }

    /// Days since creation, as a fraction, never negative.
    public func ageDays(at now: Timestamp) -> Double {
        max(0, createdAt.seconds(until: now) / 86_400)
    }

    /// importance × 1/(1 + age_days/30) × (0.7 + 0.3 × min(1, access_count/10)).
    public func relevanceScore(at now: Timestamp) -> Double {
        let decay = 1 / (1 + ageDays(at: now) / 30)
        let usage = 0.7 + 0.3 * min(1, Double(accessCount) / 10)
        return importance * decay * usage
    }

    /// Younger than seven days.
    public func isRecent(at now: Timestamp) -> Bool { ageDays(at: now) < 7 }

    public var isHighImportance: Bool { importance >= 0.7 }
}
