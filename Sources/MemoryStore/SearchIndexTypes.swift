public import MemoryCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A memory that the lexical index matched, with its score (higher is better) and the fields
/// ranking adjustments read.
public struct LexicalMatch: Sendable, Hashable {
    public var id: UUID
    public var score: Double
    public var importance: Double
    public var createdAt: Timestamp

    public init(id: UUID, score: Double, importance: Double, createdAt: Timestamp) {
        self.id = id
        self.score = score
        self.importance = importance
        self.createdAt = createdAt
    }
}

extension SearchFilter {
    /// Whether an indexed memory passes the filter (the reference semantics of `matches(_:)`).
    public func matches(_ entry: IndexedMemory) -> Bool {
        matches(
            userID: userID, projectID: entry.projectID, sessionID: entry.sessionID, memoryType: entry.memoryType,
            importance: entry.importance, tags: entry.tags, createdAt: entry.createdAt)
    }
}

/// What the in-process vector index keeps of a memory: its vector and the fields filters read.
public struct IndexedMemory: Sendable {
    public var id: UUID
    public var sessionID: UUID
    public var projectID: String?
    public var memoryType: MemoryType
    public var importance: Double
    public var tags: [String]
    public var createdAt: Timestamp
    /// Unit length.
    public var vector: [Float]

    public init(
        id: UUID, sessionID: UUID, projectID: String?, memoryType: MemoryType, importance: Double, tags: [String],
        createdAt: Timestamp, vector: [Float]
    ) {
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
public struct IndexChange: Sendable {
    public var id: UUID
    /// The user's change sequence number of this change.
    public var sequence: Int64
    public var entry: IndexedMemory?

    public init(id: UUID, sequence: Int64, entry: IndexedMemory?) {
        self.id = id
        self.sequence = sequence
        self.entry = entry
    }
}

/// A memory waiting for its embedding.
public struct EmbeddingJob: Sendable, Hashable {
    public var id: UUID
    public var userID: String
    /// The memory's version when it was read; the vector is stored only if it is still current.
    public var version: Int64
    /// The text to embed.
    public var text: String

    public init(id: UUID, userID: String, version: Int64, text: String) {
        self.id = id
        self.userID = userID
        self.version = version
        self.text = text
    }
}

/// A computed embedding for a memory version.
public struct ComputedEmbedding: Sendable {
    public var id: UUID
    public var version: Int64
    public var vector: [Float]

    public init(id: UUID, version: Int64, vector: [Float]) {
        self.id = id
        self.version = version
        self.vector = vector
    }
}

/// Counts of a user's memories and sessions, as the store computes them.
public struct StoredMemoryCounts: Sendable {
    public var totalMemories: Int = 0
    public var memoriesSince: Int = 0
    public var countsByType: [MemoryType: Int] = [:]
    public var meanImportance: Double = 0
    public var withEmbedding: Int = 0
    public var totalSessions: Int = 0
    public var activeSessions: Int = 0
    public var sessionsSince: Int = 0
    public var mostAccessed: [Memory] = []

    public init() {}
}

/// Vectors travel and rest as little-endian Float32 bytes.
public enum VectorBytes {
    public static func encode(_ vector: [Float]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Nil when the byte count is not a whole number of floats.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [Float]? {
        guard bytes.count % 4 == 0 else { return nil }
        #if _endian(little)
        // One copy when the bytes are contiguous (they always are from SQLite and PostgreSQL).
        let copied: [Float]? = bytes.withContiguousStorageIfAvailable { source in
            [Float](unsafeUninitializedCapacity: source.count / 4) { buffer, count in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(source))
                count = source.count / 4
            }
        }
        if let copied { return copied }
        #endif
        var vector = [Float]()
        vector.reserveCapacity(bytes.count / 4)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next(), let b1 = iterator.next(), let b2 = iterator.next(), let b3 = iterator.next() {
            let bits = UInt32(b0) | UInt32(b1) << 8 | UInt32(b2) << 16 | UInt32(b3) << 24
            vector.append(Float(bitPattern: bits))
        }
        return vector
    }
}

