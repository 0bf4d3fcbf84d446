public import MemoryCore
public import MemoryStore
public import Logging

/// Assembles the token-budgeted context an assistant reads before it answers.
public struct ContextBuilder: Sendable {
    let store: any MemoryStore
    let search: SearchEngine
    let logger: Logger

    public init(store: any MemoryStore, search: SearchEngine, logger: Logger) {
        self.store = store
        self.search = search
        self.logger = logger
    }

    /// The sections the request asks for, each memory at most once, within `maxTokens`.
    public func retrieve(_ request: ContextRequest) async throws -> ContextResponse {
        throw MemoryHubError.unavailable("context is not built yet")
    }

    /// Counts and usage of a user's memories.
    public func statistics(userID: String, projectID: String?, days: Int) async throws -> MemoryStatistics {
        throw MemoryHubError.unavailable("statistics are not built yet")
    }
}
