package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A memory that the lexical index matched, with its score (higher is better) and the fields
/// ranking adjustments read.
package struct LexicalMatch: Sendable, Hashable {
    package var id: UUID
    package var score: Double
    package var importance: Double
    package var createdAt: Timestamp
    /// Whether a newer memory supersedes this one (ranking puts it below its replacement).
    package var isSuperseded: Bool

    package init(id: UUID, score: Double, importance: Double, createdAt: Timestamp, isSuperseded: Bool = false) {
        self.id = id
        self.score = score
        self.importance = importance
        self.createdAt = createdAt
        self.isSuperseded = isSuperseded
    }
}

extension SearchFilter {
    /// Whether an indexed memory passes the filter (the reference semantics of `matches(_:)`).
    package func matches(_ entry: IndexedMemory) -> Bool {
        matches(
            userID: userID, projectID: entry.projectID, sessionID: entry.sessionID, memoryType: entry.memoryType,
            importance: entry.importance, tags: entry.tags, createdAt: entry.createdAt)
    }
}

/// What the in-process vector index keeps of a memory: its vector and the fields filters read.
package struct IndexedMemory: Sendable {
    package var id: UUID
    package var sessionID: UUID
    package var projectID: String?
    package var memoryType: MemoryType
    package var importance: Double
    package var tags: [String]
    package var createdAt: Timestamp
    /// Unit length.
    package var vector: [Float]
    /// Whether a newer memory supersedes this one.
    package var isSuperseded: Bool

    package init(
        id: UUID, sessionID: UUID, projectID: String?, memoryType: MemoryType, importance: Double, tags: [String],
        createdAt: Timestamp, vector: [Float], isSuperseded: Bool = false
    ) {
        self.isSuperseded = isSuperseded
        self.id = id
        self.sessionID = sessionID
        self.projectID = projectID
        self.memoryType = memoryType
        self.importance = importance
        self.tags = tags
        self.createdAt = createdAt
        self.vector = vector
    }
}

/// One entry of a user's change feed: a memory as it now is (nil `entry` when it has no vector
/// yet, or was deleted).
package struct IndexChange: Sendable {
    package var id: UUID
    /// The user's change sequence number of this change.
    package var sequence: Int64
    package var entry: IndexedMemory?

    package init(id: UUID, sequence: Int64, entry: IndexedMemory?) {
        self.id = id
        self.sequence = sequence
        self.entry = entry
    }
}

/// A memory waiting for its embedding.
package struct EmbeddingJob: Sendable, Hashable {
    package var id: UUID
    package var userID: String
    /// The memory's version when it was read; the vector is stored only if it is still current.
    package var version: Int64
    /// The text to embed.
    package var text: String

    package init(id: UUID, userID: String, version: Int64, text: String) {
        self.id = id
        self.userID = userID
        self.version = version
        self.text = text
    }
}

/// A computed embedding for a memory version.
package struct ComputedEmbedding: Sendable {
    package var id: UUID
    package var version: Int64
    package var vector: [Float]

    package init(id: UUID, version: Int64, vector: [Float]) {
        self.id = id
        self.version = version
        self.vector = vector
    }
}

/// Counts of a user's memories and sessions, as the store computes them.
package struct StoredMemoryCounts: Sendable {
    package var totalMemories: Int = 0
    package var memoriesSince: Int = 0
    package var countsByType: [MemoryType: Int] = [:]
    package var meanImportance: Double = 0
    package var withEmbedding: Int = 0
    package var totalSessions: Int = 0
    package var activeSessions: Int = 0
    package var sessionsSince: Int = 0
    package var mostAccessed: [Memory] = []

    package init() {}
}


