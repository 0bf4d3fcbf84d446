import MemoryCore
package import Foundation

/// Who an MCP connection acts for and which session it is in: the state a client's tool calls
/// share. Over stdio there is one per process; over HTTP one per `Mcp-Session-Id`.
package actor MCPConnection {
    /// The user every tool acts for; nil when an HTTP caller named none (tools then refuse).
    package nonisolated let userID: String?
    /// The project new sessions belong to, unless a tool names another.
    package nonisolated let projectID: String?
    private var current: UUID?
    private var starting: Task<Session, any Error>?

    package init(userID: String?, projectID: String?) {
        self.userID = userID
        self.projectID = projectID
    }

    /// The session later tools default to.
    package var currentSessionID: UUID? { current }

    func setCurrent(_ id: UUID?) {
        current = id
    }

    /// Clears the current session if it is `id`.
    func forget(_ id: UUID) {
        if current == id { current = nil }
    }

    /// The current session if `isUsable` accepts it, else one started by `start`. Concurrent
    /// callers share one start, so a burst of `create_memory` calls makes one session, not many.
    func currentOrStart(
        isUsable: @Sendable (UUID) async throws -> Bool, start: @escaping @Sendable () async throws -> Session
    ) async throws -> UUID {
        if let current, try await isUsable(current), self.current == current { return current }
        if let starting { return try await starting.value.id }
        let task = Task { try await start() }
        starting = task
        defer { starting = nil }
        let session = try await task.value
        current = session.id
        return session.id
    }
}
