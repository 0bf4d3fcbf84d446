#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Which memories to list. At least the user is always set.
public struct MemoryFilter: Sendable {
    public var userID: String
    public var sessionID: UUID?
    public var projectID: String?
    public var memoryType: MemoryType?
    public var minImportance: Double?

    public init(userID: String, sessionID: UUID? = nil, projectID: String? = nil, memoryType: MemoryType? = nil, minImportance: Double? = nil) {
        self.userID = userID
        self.sessionID = sessionID
        self.projectID = projectID
        self.memoryType = memoryType
        self.minImportance = minImportance
    }
}
