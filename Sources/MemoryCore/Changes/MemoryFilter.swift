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

    package init(userID: String, sessionID: UUID? = nil, projectID: String? = nil, memoryType: MemoryType? = nil, minImportance: Double? = nil) {
        self.userID = userID
        self.sessionID = sessionID
        self.projectID = projectID
        self.memoryType = memoryType
        self.minImportance = minImportance
    }
}
