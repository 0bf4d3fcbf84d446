#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Where a session is in its life. See DESIGN.md "Session lifecycle".
public enum SessionState: String, Sendable, Hashable, CaseIterable, Codable {
    case active, paused, ended, archived

    /// Whether a session in this state may move to `next`. Ending an ended session is handled
    /// by `SessionManager.end` as an idempotent no-op, not as a transition.
    public func canTransition(to next: SessionState) -> Bool {
        switch (self, next) {
        case (.active, .paused), (.active, .ended): return true
        case (.paused, .active), (.paused, .ended): return true
        case (.ended, .archived): return true
        default: return false
        }
    }

    /// The states from which `next` can be reached.
    public static func sources(of next: SessionState) -> Set<SessionState> {
        Set(allCases.filter { $0.canTransition(to: next) })
    }
}

/// Why a session ended.
public enum EndReason: String, Sendable, Hashable, CaseIterable, Codable {
    case normal, timeout, error
    case userRequested = "user_requested"
}

/// One conversation of one user with an assistant. Every field survives a round trip through
/// every store and cache exactly.
public struct Session: Sendable, Hashable {
    public var id: UUID
    public var userID: String
    public var projectID: String?
    public var clientSessionID: String?
    public var parentSessionID: UUID?
    public var state: SessionState
    public var startedAt: Timestamp
    public var endedAt: Timestamp?
    public var endReason: String?
    public var summary: String?
    public var metadata: JSONObject
    /// A set of strings that keeps the order in which they were added.
    public var tags: [String]
    /// Maintained by the store in the same transaction as memory inserts and deletes.
    public var memoryCount: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// +1 on every change; caches keep the newest version they have seen.
    public var version: Int64

    public init(
        id: UUID = .v7(),
        userID: String,
        projectID: String? = nil,
        clientSessionID: String? = nil,
        parentSessionID: UUID? = nil,
        state: SessionState = .active,
        startedAt: Timestamp,
        endedAt: Timestamp? = nil,
        endReason: String? = nil,
        summary: String? = nil,
        metadata: JSONObject = [:],
        tags: [String] = [],
        memoryCount: Int = 0,
        createdAt: Timestamp? = nil,
        updatedAt: Timestamp? = nil,
        version: Int64 = 1
    ) {
        self.id = id
        self.userID = userID
        self.projectID = projectID
        self.clientSessionID = clientSessionID
        self.parentSessionID = parentSessionID
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.endReason = endReason
        self.summary = summary
        self.metadata = metadata
        self.tags = tags
        self.memoryCount = memoryCount
        self.createdAt = createdAt ?? startedAt
        self.updatedAt = updatedAt ?? startedAt
        self.version = version
    }

    /// Seconds from start to end; nil while the session has not ended.
    public var duration: Double? {
        endedAt.map { startedAt.seconds(until: $0) }
    }

    public var isActive: Bool { state == .active }
}

extension Array where Element == String {
    /// Appends the strings not already present, keeping first-seen order.
    public func addingUnique(_ others: [String]) -> [String] {
        var seen = Set(self)
        var result = self
        for item in others where seen.insert(item).inserted { result.append(item) }
        return result
    }
}
