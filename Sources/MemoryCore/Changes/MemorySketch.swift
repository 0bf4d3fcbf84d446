#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The few fields of a memory that a write compares itself with (de-duplication, supersession):
/// read without the JSON fields, so the comparison costs little per write.
package struct MemorySketch: Sendable, Hashable {
    package var id: UUID
    package var sessionID: UUID
    package var content: String
    package var memoryType: MemoryType
    package var createdAt: Timestamp
    package var supersededBy: UUID?

    package init(id: UUID, sessionID: UUID, content: String, memoryType: MemoryType, createdAt: Timestamp, supersededBy: UUID?) {
        self.id = id
        self.sessionID = sessionID
        self.content = content
        self.memoryType = memoryType
        self.createdAt = createdAt
        self.supersededBy = supersededBy
    }
}
