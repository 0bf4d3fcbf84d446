public import MemoryStore
public import MemoryCache
public import Logging

/// The application assembled: the store, the session cache and the managers on top of them.
/// Interfaces (HTTP, MCP, CLI) hold one of these and nothing else.
public struct MemoryHubServices: Sendable {
    public let store: any MemoryStore
    public let sessionCache: any SessionCache
    public let sessions: SessionManager
    public let memories: MemoryManager
    public let configuration: ServiceConfiguration

    public init(store: any MemoryStore, sessionCache: any SessionCache, configuration: ServiceConfiguration = .init(), logger: Logger) {
        self.store = store
        self.sessionCache = sessionCache
        self.configuration = configuration
        self.sessions = SessionManager(store: store, cache: sessionCache, configuration: configuration, logger: logger)
        self.memories = MemoryManager(store: store, sessions: sessions, configuration: configuration, logger: logger)
    }

    /// The embedded default: a SQLite file with the in-process cache kept coherent with other
    /// processes on the same file.
    /// `cache: nil` turns the session cache off.
    public static func embedded(
        path: String, cache: InProcessSessionCache.Configuration? = .init(), configuration: ServiceConfiguration = .init(),
        logger: Logger
    ) async throws -> MemoryHubServices {
        let store = try SQLiteMemoryStore(configuration: .init(path: path), logger: logger)
        try await store.migrate()
        let sessionCache: any SessionCache =
            if let cache { InProcessSessionCache(configuration: cache, coherence: store) } else { DisabledSessionCache() }
        return MemoryHubServices(store: store, sessionCache: sessionCache, configuration: configuration, logger: logger)
    }

    /// The caches' counters, for /metrics and the admin stats.
    public var cacheStatistics: [CacheStatistics] { [sessionCache.statistics] }
}

extension SQLiteMemoryStore: CacheCoherenceSource {}
