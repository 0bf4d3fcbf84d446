#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The filters a search applies, beyond the user that every query is scoped by.
package struct SearchFilter: Sendable, Hashable {
    package var userID: String
    package var projectID: String?
    package var sessionID: UUID?
    /// Empty means every type.
    package var memoryTypes: Set<MemoryType> = []
    package var minImportance: Double?
    /// At least one of these tags; empty means any.
    package var tags: [String] = []
    /// Created at or after.
    package var createdAfter: Timestamp?

    package init(userID: String) {
        self.userID = userID
    }

    /// True when the filter narrows nothing beyond the user.
    package var isUserOnly: Bool {
        projectID == nil && sessionID == nil && memoryTypes.isEmpty && minImportance == nil && tags.isEmpty && createdAfter == nil
    }

    /// Whether a memory passes the filter: the reference semantics every store and index must match.
    package func matches(_ memory: Memory) -> Bool {
        matches(
            userID: memory.userID, projectID: memory.projectID, sessionID: memory.sessionID, memoryType: memory.memoryType,
            importance: memory.importance, tags: memory.tags, createdAt: memory.createdAt)
    }

    /// Whether a memory with these fields passes the filter.
    package func matches(
        userID: String, projectID: String?, sessionID: UUID, memoryType: MemoryType, importance: Double, tags: [String],
        createdAt: Timestamp
    ) -> Bool {
        if userID != self.userID { return false }
        if let wanted = self.projectID, projectID != wanted { return false }
        if let wanted = self.sessionID, sessionID != wanted { return false }
        if !memoryTypes.isEmpty, !memoryTypes.contains(memoryType) { return false }
        if let minImportance, importance < minImportance { return false }
        if !self.tags.isEmpty, !tags.contains(where: self.tags.contains) { return false }
        if let createdAfter, createdAt < createdAfter { return false }
        return true
    }
}
