#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Where a session is in its life. See DESIGN.md "Session lifecycle".
package enum SessionState: String, Sendable, Hashable, CaseIterable {
    case active, paused, ended, archived

    /// Whether a session in this state may move to `next`. Ending an ended session is handled
    /// by `SessionManager.end` as an idempotent no-op, not as a transition.
    package func canTransition(to next: SessionState) -> Bool {
        switch (self, next) {
        case (.active, .paused), (.active, .ended): return true
        case (.paused, .active), (.paused, .ended): return true
        case (.ended, .archived): return true
        default: return false
        }
    }

    /// The states from which `next` can be reached.
    package static func sources(of next: SessionState) -> Set<SessionState> {
        Set(allCases.filter { $0.canTransition(to: next) })
    }
}

/// Why a session ended.
package enum EndReason: String, Sendable, Hashable, CaseIterable {
    case normal, timeout, error
    case userRequested = "user_requested"
}

/// One conversation of one user with an assistant. Every field survives a round trip through
/// every store and cache exactly.
package struct Session: Sendable, Hashable {
    package var id: UUID
    package var userID: String
    package var projectID: String?
    package var clientSessionID: String?
    package var parentSessionID: UUID?
    package var state: SessionState
    package var startedAt: Timestamp
    package var endedAt: Timestamp?
    package var endReason: String?
    package var summary: String?
    package var metadata: JSONObject
    /// A set of strings that keeps the order in which they were added.
    package var tags: [String]
    /// Maintained by the store in the same transaction as memory inserts and deletes.
    package var memoryCount: Int
    package var createdAt: Timestamp
    package var updatedAt: Timestamp
    /// +1 on every change; caches keep the newest version they have seen.
    package var version: Int64

    package init(
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
    package var duration: Double? {
        endedAt.map { startedAt.seconds(until: $0) }
    }

    package var isActive: Bool { state == .active }
}

extension Array where Element == String {
    /// Appends the strings not already present, keeping first-seen order.
    package func addingUnique(_ others: [String]) -> [String] {
        var seen = Set(self)
        var result = self
        for item in others where seen.insert(item).inserted { result.append(item) }
        return result
    }
}
