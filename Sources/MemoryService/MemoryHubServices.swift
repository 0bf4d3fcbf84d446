package import Logging
package import MemoryCore
package import MemoryCache
package import MemoryStore
import MemoryStorePostgres
import RESP
package import ServiceLifecycle
package import Embeddings

/// Where the data lives and how it is cached: the deployment choices of DESIGN.md.
package struct Deployment: Sendable {
    /// A SQLite path (or `sqlite://PATH`), or `postgres://user:pass@host:port/db`.
    package var databaseURL: String
    /// `redis://[user:pass@]host:port[/db]` for the shared session cache; nil uses the in-process cache.
    package var redisURL: String?
    /// False turns the session cache off.
    package var cacheEnabled: Bool = true
    package var cacheTimeToLive: Duration = .seconds(3600)
    /// Connections to PostgreSQL at most, per process.
    package var postgresPoolSize: Int = 20
    /// How long a request waits for a PostgreSQL connection (and a new connection to open) before
    /// it fails with 503: an outage answers quickly instead of holding every request.
    package var postgresTimeout: Duration = .seconds(2)
    /// How long a Redis command may take before the cache counts a fault and falls back to the store.
    package var redisTimeout: Duration = .milliseconds(500)
    package var service: ServiceConfiguration = .init()
    /// An admin API key accepted besides the stored ones (`MEMORYHUB_ADMIN_KEY`), at least 32
    /// characters; never stored.
    package var adminKey: String?
    /// How long a SQLite write waits for another process's write lock before failing with 503
    /// (the hooks wait less than a server: the assistant waits for them).
    package var sqliteBusyTimeout: Duration = .seconds(10)

    package init(databaseURL: String, redisURL: String? = nil) {
        self.databaseURL = databaseURL
        self.redisURL = redisURL
    }

    package var isPostgres: Bool { databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") }

    /// The SQLite file path for an embedded database URL.
    package var sqlitePath: String {
        var path = databaseURL
        for prefix in ["sqlite://", "file://", "sqlite:", "file:"] where path.hasPrefix(prefix) {
            path = String(path.dropFirst(prefix.count))
            break
        }
        return path
    }
}

/// The application assembled: the store, the session cache and the managers on
/// top of them. Interfaces (HTTP, MCP, CLI) hold one of these and nothing else.
package struct MemoryHubServices: Sendable {
    /// The store, for this package's tests and benchmarks; interfaces go through the managers.
    package let store: any MemoryStore
    /// The session cache, for this package's tests and benchmarks.
    package let sessionCache: any SessionCache
    package let sessions: SessionManager
    package let memories: MemoryManager
    /// Lexical, semantic and hybrid search over a user's memories.
    package let search: SearchEngine
    /// Token-budgeted context and memory statistics.
    package let context: ContextBuilder
    /// Session compression into a token budget, with its result cache.
    package let compression: CompressionService
    /// API keys: who may call.
    package let keys: KeyManager
    /// Export and import as NDJSON.
    package let transfer: TransferManager
    /// Persistent context items: stored, embedded, queried by meaning, decayed.
    package let persistentContext: PersistentContextService
    /// Session cleanup runs: the lease, the record, the wake-up.
    package let cleanup: CleanupCoordinator
    package let configuration: ServiceConfiguration
    /// Embeds new memories in the background; nil without an embedder. `memoryhub serve` runs it
    /// in its ServiceGroup.
    package let embeddingService: EmbeddingService?
    /// Connection pools that must run (in the ServiceGroup, or `withBackgroundServices`) for the
    /// store and cache to work: the PostgreSQL client, the Redis client.
    package let backgroundServices: [any Service]
    /// Opens when `prepare()` has migrated the store; the embedding and cleanup services wait on it.
    package let preparation: StorePreparation

    package init(
        store: any MemoryStore, sessionCache: any SessionCache,
        configuration: ServiceConfiguration = .init(), embedder: (any Embedder)? = nil, backgroundServices: [any Service] = [],
        adminKey: String? = nil, logger: Logger
    ) {
        self.store = store
        self.sessionCache = sessionCache
        self.configuration = configuration
        self.backgroundServices = backgroundServices
        let preparation = StorePreparation()
        self.preparation = preparation
        self.sessions = SessionManager(store: store, cache: sessionCache, configuration: configuration, logger: logger)
        let signal = EmbeddingSignal()
        self.memories = MemoryManager(
            store: store, sessions: sessions, embeddingSignal: signal, configuration: configuration, logger: logger)
        self.embeddingService = embedder.map {
            EmbeddingService(
                store: store, embedder: $0, signal: signal, preparation: preparation, configuration: configuration.embedding,
                logger: logger)
        }
        self.search = SearchEngine(store: store, embedder: embedder, configuration: configuration.search, logger: logger)
        self.context = ContextBuilder(store: store, search: search, logger: logger)
        self.compression = CompressionService(store: store, sessions: sessions)
        self.keys = KeyManager(store: store, configuration: configuration.keys, deploymentAdminKey: adminKey, logger: logger)
        self.cleanup = CleanupCoordinator(sessions: sessions, store: store, configuration: configuration, logger: logger)
        self.transfer = TransferManager(
            store: store, sessions: sessions, redaction: memories.redaction, embeddingSignal: signal, configuration: configuration,
            logger: logger)
        self.persistentContext = PersistentContextService(
            store: store, embedder: embedder, signal: signal, maxContentBytes: configuration.maxContentBytes, logger: logger)
    }

    /// Builds the services a deployment describes. Nothing is connected or migrated yet: run
    /// `backgroundServices`, then call `prepare()`.
    package static func open(_ deployment: Deployment, embedder: (any Embedder)? = nil, logger: Logger) throws -> MemoryHubServices {
        if let adminKey = deployment.adminKey, adminKey.count < KeyManager.minimumDeploymentKeyLength {
            throw MemoryHubError.invalidField(
                "MEMORYHUB_ADMIN_KEY", "MEMORYHUB_ADMIN_KEY must be at least \(KeyManager.minimumDeploymentKeyLength) characters long.")
        }
        var background: [any Service] = []
        let store: any MemoryStore
        var coherence: (any CacheCoherenceSource)?
        if deployment.isPostgres {
            var configuration = try PostgresMemoryStore.Configuration(url: deployment.databaseURL)
            configuration.maximumConnections = deployment.postgresPoolSize
            configuration.connectTimeout = deployment.postgresTimeout
            configuration.connectionAcquireTimeout = deployment.postgresTimeout
            let postgres = PostgresMemoryStore(configuration: configuration, logger: logger)
            background.append(postgres)
            store = postgres
        } else {
            guard !deployment.sqlitePath.isEmpty else { throw MemoryHubError.invalidField("database", "The database path is empty.") }
            var sqliteConfiguration = SQLiteMemoryStore.Configuration(path: deployment.sqlitePath)
            sqliteConfiguration.busyTimeout = deployment.sqliteBusyTimeout / .seconds(1)
            let sqlite = try SQLiteMemoryStore(configuration: sqliteConfiguration, logger: logger)
            coherence = sqlite
            store = sqlite
        }
        let cache: any SessionCache
        if let redisURL = deployment.redisURL {
            var redisConfiguration = try RedisConfiguration(url: redisURL)
            redisConfiguration.connectTimeout = deployment.redisTimeout
            redisConfiguration.commandTimeout = deployment.redisTimeout
            let client = RedisClient(configuration: redisConfiguration, logger: logger)
            background.append(client)
            if deployment.cacheEnabled {
                let redisCache = RedisSessionCache(client: client, configuration: .init(timeToLive: deployment.cacheTimeToLive), logger: logger)
                background.append(PendingInvalidationService(cache: redisCache))
                cache = redisCache
            } else {
                cache = DisabledSessionCache()
            }
        } else if deployment.cacheEnabled {
            if deployment.isPostgres {
                logger.notice("PostgreSQL without Redis: sessions are cached in this process only; run one replica, or set a Redis URL")
            }
            cache = InProcessSessionCache(configuration: .init(timeToLive: deployment.cacheTimeToLive), coherence: coherence)
        } else {
            cache = DisabledSessionCache()
        }
        return MemoryHubServices(
            store: store, sessionCache: cache, configuration: deployment.service, embedder: embedder,
            backgroundServices: background, adminKey: deployment.adminKey, logger: logger)
    }

    /// Creates or upgrades the schema; needs the background services running. A store that is
    /// not reachable yet (a database starting next to us) is retried with back-off for up to
    /// `patience` before the error is thrown.
    package func prepare(patience: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + patience
        var pause: Duration = .milliseconds(100)
        while true {
            do {
                try await store.migrate()
                preparation.markPrepared()
                return
            } catch let error as MemoryHubError where error.kind == .unavailable && ContinuousClock.now + pause < deadline {
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }

    /// Runs `body` with the background services running and the schema prepared, then stops
    /// them: for one-shot commands (the CLI) outside a ServiceGroup.
    package func withBackgroundServices<T: Sendable>(_ body: (MemoryHubServices) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in backgroundServices {
                group.addTask { try await service.run() }
            }
            do {
                try await prepare()
                let result = try await body(self)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// The embedded default, migrated and ready: a SQLite file with the in-process cache kept
    /// coherent with other processes on the same file (`cacheEnabled: false` turns it off).
    package static func embedded(
        path: String, cacheEnabled: Bool = true, configuration: ServiceConfiguration = .init(), embedder: (any Embedder)? = nil,
        logger: Logger
    ) async throws -> MemoryHubServices {
        var deployment = Deployment(databaseURL: path)
        deployment.cacheEnabled = cacheEnabled
        deployment.service = configuration
        let services = try open(deployment, embedder: embedder, logger: logger)
        try await services.prepare()
        return services
    }

    /// The caches' counters, for /metrics and the admin stats.
    package var cacheStatistics: [CacheStatistics] { [sessionCache.statistics, search.cacheStatistics] }
}

extension SQLiteMemoryStore: CacheCoherenceSource {}
