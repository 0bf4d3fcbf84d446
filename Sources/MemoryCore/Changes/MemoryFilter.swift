#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Which memories to list. At least the user is always set.
package struct MemoryFilter: Sendable {
    package var userID: String
    package var sessionID: UUID?
    package var projectID: String?
    package var memoryType: MemoryType?
    package var minImportance: Double?
    /// When not empty, only memories of these types (besides `memoryType`).
    package var memoryTypes: Set<MemoryType> = []
    /// When not empty, only memories with at least one of these tags.
    package var tags: [String] = []
    /// When set, only memories created at or after it.
    package var createdAfter: Timestamp?

    package init(userID: String, sessionID: UUID? = nil, projectID: String? = nil, memoryType: MemoryType? = nil, minImportance: Double? = nil) {
        self.userID = userID
        self.sessionID = sessionID
        self.projectID = projectID
        self.memoryType = memoryType
        self.minImportance = minImportance
    }

    /// The memories a search filter admits, for listing them in the store's query (never by
    /// filtering a page afterwards, which would lose older matches).
    package init(_ filter: SearchFilter) {
        self.init(userID: filter.userID, sessionID: filter.sessionID, projectID: filter.projectID, minImportance: filter.minImportance)
        memoryTypes = filter.memoryTypes
        tags = filter.tags
        createdAfter = filter.createdAfter
    }
}
