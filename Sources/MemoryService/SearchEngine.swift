public import MemoryCore
public import MemoryStore
public import MemoryCache
public import Logging

/// Finds a user's memories by text: lexical, semantic or hybrid (DESIGN.md "Search and context").
/// The one search path: the REST routes, MCP tools, CLI and `memoryhub eval` all come here.
public struct SearchEngine: Sendable {
    let store: any MemoryStore
    let watermark: any MemoryWatermark
    let logger: Logger

    public init(store: any MemoryStore, watermark: any MemoryWatermark, logger: Logger) {
        self.store = store
        self.watermark = watermark
        self.logger = logger
    }

    /// Validates the request, then ranks the user's matching memories.
    public func search(_ request: SearchRequest) async throws -> SearchResponse {
        throw MemoryHubError.unavailable("search is not built yet")
    }
}
