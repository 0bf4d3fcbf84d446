import Foundation
import Logging
import MemoryCore
import MemoryStore
import MemoryStorePostgres
import PostgresNIO
import Testing

/// What only the PostgreSQL store has to get right: URLs, migrations racing each other, U+0000,
/// an unreachable server. The server-backed tests need `MEMORYHUB_TEST_POSTGRES_URL`.
@Suite struct PostgresMemoryStoreTests {
    // MARK: URLs (no server needed)

    @Test func urlWithEveryPartIsParsedAndDecoded() throws {
        let configuration = try PostgresMemoryStore.Configuration(
            url: "postgresql://mem%40hub:p%40ss%3Aw0rd@db.example.com:6543/memory%20db?sslmode=require&connect_timeout=3&application_name=api%201")
        #expect(configuration.username == "mem@hub")
        #expect(configuration.password == "p@ss:w0rd")
        #expect(configuration.host == "db.example.com")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "memory db")
        #expect(configuration.tls == .require)
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.applicationName == "api 1")
    }

    @Test func urlLeavesUnnamedPartsAtTheirDefaults() throws {
        let configuration = try PostgresMemoryStore.Configuration(url: "postgres://localhost")
        let defaults = PostgresMemoryStore.Configuration()
        #expect(configuration.host == "localhost")
        #expect(configuration.port == defaults.port && configuration.username == defaults.username)
        #expect(configuration.password == nil && configuration.database == defaults.database && configuration.tls == .disable)

        let ipv6 = try PostgresMemoryStore.Configuration(url: "postgres://app@[::1]:5433/db?sslmode=verify-full")
        #expect(ipv6.host == "::1" && ipv6.port == 5433 && ipv6.username == "app" && ipv6.database == "db" && ipv6.tls == .verifyFull)
        #expect(try PostgresMemoryStore.Configuration(url: "postgres://h/db?sslmode=disable").tls == .disable)
    }

    @Test(arguments: [
        ("mysql://user@host/db", PostgresURLError.Code.unsupportedScheme),
        ("host:5432/db", .unsupportedScheme),
        ("postgres:///db", .missingHost),
        ("postgres://user:secret@/db", .missingHost),
        ("postgres://host:99999/db", .invalidPort),
        ("postgres://host:port/db", .invalidPort),
        ("postgres://host:/db", .invalidPort),
        ("postgres://::1/db", .missingHost),
        ("postgres://us%zzer:secret@host/db", .invalidPercentEscape),
        ("postgres://host/db%ff", .invalidPercentEscape),
        ("postgres://host/db?sslmode=sometimes", .invalidParameterValue),
        ("postgres://host/db?connect_timeout=-1", .invalidParameterValue),
        ("postgres://host/db?pool=5", .unsupportedParameter),
        ("postgres://host/db?lock_timeout=soon", .invalidParameterValue),
    ])
    func badURLsAreRejectedWithoutShowingThePassword(_ url: String, _ code: PostgresURLError.Code) {
        let error = #expect(throws: PostgresURLError.self) { _ = try PostgresMemoryStore.Configuration(url: url) }
        #expect(error?.code == code)
        #expect(error.map { !String(describing: $0).contains("secret") && !String(reflecting: $0).contains("secret") } == true)
    }

    @Test func configurationDescriptionHidesThePassword() throws {
        let configuration = try PostgresMemoryStore.Configuration(url: "postgres://app:hunter2@db/memoryhub")
        #expect(configuration.password == "hunter2")
        #expect(!configuration.description.contains("hunter2"))
    }

    // MARK: Failures

    @Test(.timeLimit(.minutes(2)))
    func unreachableServerFailsAsUnavailableInsteadOfHanging() async {
        // Nothing listens on port 1 of the loopback interface: every connection attempt is refused.
        var configuration = PostgresMemoryStore.Configuration(host: "127.0.0.1", port: 1)
        configuration.connectTimeout = .seconds(1)
        configuration.connectionAcquireTimeout = .milliseconds(1500)
        var logger = Logger(label: "memoryhub.test.unreachable")
        logger.logLevel = .warning  // postgres-nio reports every refused attempt at info level
        let store = PostgresMemoryStore(configuration: configuration, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await store.run() }
            defer { group.cancelAll() }
            let failures = [
                await #expect(throws: MemoryHubError.self) { try await store.ping() },
                await #expect(throws: MemoryHubError.self) { try await store.migrate() },
                await #expect(throws: MemoryHubError.self) { try await store.insertSession(Fixture.session(user: Fixture.user())) },
                await #expect(throws: MemoryHubError.self) { _ = try await store.session(id: UUID(), userID: nil) },
            ]
            #expect(failures.map { $0?.kind } == Array(repeating: .unavailable, count: 4))
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.url != nil, PostgresTestDatabase.skipReason))
    func serverRejectionOfNULIsAnInvalidFieldError() async throws {
        // Should a NUL ever get past the store's own checks, the server's refusal is still a 422.
        let configuration = try PostgresTestDatabase.configuration()
        let caught: (any Error)? = try await PostgresTestDatabase.withClient(configuration) { client in
            do {
                try await PostgresTestDatabase.execute("SELECT \("a\u{0}b")::text", on: client)
                return nil
            } catch {
                return error
            }
        }
        let error = try #require(caught)
        let translated = PostgresErrorTranslation.translate(error, logger: Logger(label: "memoryhub.test"))
        #expect((translated as? MemoryHubError)?.kind == .invalidField)
    }

    @Test(arguments: StoreBackend.available)
    func duplicateClientSessionIDIsAConflictWithItsOwnCode(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        var first = Fixture.session(user: user)
        first.clientSessionID = "twice"
        try await store.insertSession(first)
        var second = Fixture.session(user: user)
        second.clientSessionID = "twice"
        let error = await #expect(throws: MemoryHubError.self) { try await store.insertSession(second) }
        #expect(error?.kind == .conflict)
        #expect(error?.code == .duplicateClientSessionID)
        #expect(try await store.session(id: second.id, userID: user) == nil)
    }

    // MARK: Exactness

    @Test(arguments: StoreBackend.available)
    func extremeValuesRoundTripExactly(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        // Before 1970 and before 2000 (negative in both epochs), and odd microseconds.
        let early = Timestamp(microsecondsSinceEpoch: -1_234_567_890_123_457)
        let late = Timestamp(microsecondsSinceEpoch: 4_102_444_799_999_999)
        var session = Fixture.session(user: user, project: nil, started: early)
        session.endedAt = late
        session.endReason = "user_requested"
        session.summary = ""
        session.clientSessionID = "client/é/\u{1F600}"
        session.tags = ["z", "a", "m", "é", "e\u{301}x"]
        session.metadata = [
            "big": .int(.max), "small": .int(.min), "zero": .int(0), "whole": .double(2.0), "huge": .double(1e16),
            "huger": .double(-1.5e300), "tiny": .double(.leastNonzeroMagnitude), "third": .double(1.0 / 3.0), "negative": .double(-0.25),
            "escape": "quote \" backslash \\ newline \n tab \t bell \u{7} emoji \u{1F600}", "empty": [:], "list": [],
            "null": nil, "nested": ["a": [1, 1.0, "1", true, nil, ["b": 9_007_199_254_740_993]]],
        ]
        session.updatedAt = late
        try await store.insertSession(session)
        #expect(try await store.session(id: session.id, userID: user) == session)

        var memory = Fixture.memory(in: session, importance: 0.1 + 0.2, created: early.adding(seconds: 0.000_001))
        memory.confidence = .leastNonzeroMagnitude
        memory.summary = nil
        memory.entities = ["b", "a", "b"]
        memory.tags = []
        memory.relatedMemories = [UUID(), UUID()]
        memory.metadata = ["max": .double(.greatestFiniteMagnitude), "1e22": .double(1e22), "mixed": [1, 2.5, -3]]
        memory.accessCount = 7
        memory.lastAccessed = late
        memory.hasEmbedding = true
        _ = try await store.insertMemory(memory, at: late)
        #expect(try await store.memory(id: memory.id, userID: user) == memory)
        let listed = try await store.memories(matching: MemoryFilter(userID: user), limit: 10, offset: 0)
        #expect(listed.items == [memory] && listed.total == 1)
    }

    @Test(arguments: StoreBackend.available)
    func changesMatchTheReferenceSemantics(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let user = Fixture.user()
        var session = Fixture.session(user: user)
        session.tags = ["caf\u{E9}", "x"]
        try await store.insertSession(session)
        // "café" spelled with a combining accent is the same Swift string, so not a new tag.
        let sessionChange = SessionChange(
            metadataPatch: ["source": nil, "missing": nil, "count": 3, "ratio": 3.0], addTags: ["cafe\u{301}", "y", "x", "y", "z"],
            state: .paused, requiredStates: [.active], summary: "paused for lunch")
        guard case .updated(let updated) = try await store.updateSession(id: session.id, userID: user, change: sessionChange, at: Fixture.time(9)) else {
            Issue.record("update failed")
            return
        }
        #expect(updated == sessionChange.applied(to: session, at: Fixture.time(9)))
        #expect(updated.tags == ["caf\u{E9}", "x", "y", "z"])

        var memory = Fixture.memory(in: session, content: "caf\u{E9} au lait")
        memory.hasEmbedding = true
        _ = try await store.insertMemory(memory, at: Fixture.time(10))
        var reference = memory
        for (step, change) in [
            MemoryChange(content: "cafe\u{301} au lait", metadataPatch: ["line": nil, "ratio": 0.5]),
            MemoryChange(summary: .some(nil), importance: 1, confidence: 0, entities: [], tags: ["t", "s"]),
            MemoryChange(content: "tea", summary: "now tea"),
        ].enumerated() {
            let at = Fixture.time(Double(20 + step))
            reference = change.applied(to: reference, at: at)
            #expect(try await store.updateMemory(id: memory.id, userID: user, change: change, at: at) == reference)
        }
        #expect(reference.content == "tea" && !reference.hasEmbedding && reference.version == 4)
        #expect(try await store.memory(id: memory.id, userID: user) == reference)
    }

    // MARK: Migrations

    @Test(.enabled(if: PostgresTestDatabase.url != nil, PostgresTestDatabase.skipReason), .timeLimit(.minutes(2)))
    func concurrentMigrationsCreateTheSchemaOnce() async throws {
        try await PostgresTestDatabase.withFreshDatabase { configuration in
            // Four replicas starting at once against an empty database.
            let stores = (0..<4).map { index in
                PostgresMemoryStore(configuration: configuration, logger: Logger(label: "memoryhub.test.replica\(index)"))
            }
            try await withThrowingTaskGroup(of: Void.self) { runners in
                for store in stores { runners.addTask { try await store.run() } }
                defer { runners.cancelAll() }
                try await withThrowingTaskGroup(of: Void.self) { migrations in
                    for store in stores { migrations.addTask { try await store.migrate() } }
                    try await migrations.waitForAll()
                }
                try await stores[0].migrate()

                let session = Fixture.session(user: Fixture.user())
                try await stores[1].insertSession(session)
                #expect(try await stores[3].session(id: session.id, userID: session.userID) == session)
            }

            try await PostgresTestDatabase.withClient(configuration) { client in
                var applied: [Int: Int] = [:]
                for try await (version, count) in try await client.query(
                    "SELECT version, count(*) FROM memoryhub_schema_migrations GROUP BY version"
                ).decode((Int, Int).self) {
                    applied[version] = count
                }
                // Every migration exactly once, none missing (the schema has at least the ten of issue 13).
                let newest = applied.keys.max() ?? 0
                #expect(newest >= 10 && applied == Dictionary(uniqueKeysWithValues: (1...newest).map { ($0, 1) }), "each migration exactly once: \(applied)")
                var indexes: Set<String> = []
                for try await name in try await client.query(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('sessions', 'memories')"
                ).decode(String.self) {
                    indexes.insert(name)
                }
                #expect(indexes.isSuperset(of: [
                    "sessions_pkey", "sessions_user_client", "sessions_user_started", "sessions_active",
                    "sessions_parent", "memories_pkey", "memories_session_created",
                    "memories_user_created", "memories_user_project_created", "memories_search", "memories_user_change",
                    "memories_awaiting_embedding",
                ]))
                // Memory writes update their session without touching an index (HOT updates, issue 16):
                // no index of sessions holds a column a memory write changes.
                var written: [String] = []
                for try await column in try await client.query(
                    """
                    SELECT DISTINCT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                    WHERE i.indrelid = 'sessions'::regclass AND a.attname IN ('memory_count', 'version', 'updated_at')
                    """
                ).decode(String.self) {
                    written.append(column)
                }
                #expect(written == [], "indexed columns that every memory write changes: \(written)")
            }
        }
    }
}
