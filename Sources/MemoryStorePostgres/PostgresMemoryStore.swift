package import Logging
import MemoryCore
import MemoryStore
internal import PostgresNIO
import ServiceLifecycle
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The production store: PostgreSQL through postgres-nio's pooled `PostgresClient`.
///
/// The store is a `Service`: its ``run()`` runs the connection pool, and no query can be answered
/// unless it is running. Add the store to the application's `ServiceGroup` (in tests, run it in a
/// task of its own), then call ``migrate()`` before using it. An operation that gets no connection
/// within ``Configuration/connectionAcquireTimeout`` (server down, pool exhausted) fails with
/// `MemoryHubError` kind `unavailable`, as do broken connections.
///
/// Every change is atomic in the database: merges, tag additions, counters and versions are
/// computed by single SQL statements (or one transaction), never read into the process, changed
/// and written back, so concurrent writers from any number of replicas lose nothing. Every value
/// is a bound parameter; the SQL text is fixed.
package final class PostgresMemoryStore: MemoryStore, Service {
    let client: PostgresClient
    let configuration: Configuration
    let logger: Logger
    /// Leases the client's connections (also to the group commit, which runs without the store).
    let lender: ConnectionLender
    /// Concurrent memory inserts share one transaction (``GroupCommit``).
    let memoryInserts: GroupCommit<MemoryInsert, MemoryInsertion>
    /// Inserts written one by one after their batch failed.
    let insertsRetriedAlone: Tally

    /// Creates a store; it connects once ``run()`` is running and the first query needs a connection.
    ///
    /// - Parameters:
    ///   - configuration: Where and how to connect.
    ///   - logger: Receives the store's and the connection pool's log messages; queries and their
    ///     parameters are never logged above debug level.
    package init(configuration: Configuration, logger: Logger) {
        var logger = logger
        logger[metadataKey: "memoryhub.postgres.host"] = "\(configuration.host)"
        logger[metadataKey: "memoryhub.postgres.database"] = "\(configuration.database)"
        self.configuration = configuration
        self.logger = logger
        let client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
        self.client = client
        let lender = ConnectionLender(client: client, logger: logger, timeout: configuration.connectionAcquireTimeout)
        self.lender = lender
        let retried = Tally()
        insertsRetriedAlone = retried
        memoryInserts = GroupCommit(maximumBatch: Self.maximumInsertBatch, label: "memory_inserts") { items in
            await Self.writeInserts(items, lender: lender, retried: retried)
        }
    }

    /// Runs the connection pool until the task is cancelled or the service group shuts down
    /// gracefully; then the pool closes and later operations fail. Call it once.
    package func run() async throws {
        await client.run()
    }

    /// Creates or upgrades the schema in one transaction that holds an advisory lock, so replicas
    /// starting at once are safe: the first applies the missing migrations, the others wait and
    /// find nothing left to do.
    package func migrate() async throws {
        let applied = try await transaction { connection, logger in
            // A migration may wait for another replica's and rewrite whole tables: no time limits here.
            try await Self.execute("SET LOCAL statement_timeout = 0", on: connection, logger: logger)
            try await Self.execute("SET LOCAL lock_timeout = 0", on: connection, logger: logger)
            try await Self.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLockKey))", on: connection, logger: logger)
            try await Self.execute(PostgresQuery(unsafeSQL: PostgresSchema.createMigrationsTable), on: connection, logger: logger)
            var done = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM memoryhub_schema_migrations", logger: logger).decode(Int.self) {
                done.insert(version)
            }
            var applied: [Int] = []
            for migration in PostgresSchema.migrations where !done.contains(migration.version) {
                for statement in migration.statements {
                    try await Self.execute(PostgresQuery(unsafeSQL: statement), on: connection, logger: logger)
                }
                try await Self.execute(
                    "INSERT INTO memoryhub_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    on: connection, logger: logger)
                applied.append(migration.version)
            }
            return applied
        }
        if !applied.isEmpty {
            logger.info("Applied PostgreSQL schema migrations", metadata: ["memoryhub.postgres.migrations": "\(applied)"])
        }
    }

    /// Runs `SELECT 1` on a pooled connection.
    package func ping() async throws {
        _ = try await fetch("SELECT 1") { try $0.decode(Int32.self) }
    }

    // MARK: Queries

    /// The SQL of a CTE that moves the change sequence of every user in CTE `source` (a column
    /// `user_id`) by one and returns the new values. Every memory write runs it first, in its own
    /// statement, so the sequence follows commit order and the row lock orders writers of a user.
    static func bumpSequence(forUsersIn source: String) -> String {
        """
        INSERT INTO user_sequences (user_id, value) SELECT DISTINCT user_id, 1 FROM \(source)
        ON CONFLICT (user_id) DO UPDATE SET value = user_sequences.value + 1
        RETURNING value
        """
    }

    /// A page of rows newest first and the number of all matches. The count comes from a window
    /// function in the same statement (one snapshot, one round trip); only an empty page needs a
    /// separate count. `conditions` and `order` are fixed SQL of this file; values are in `bindings`.
    func page<Item: Sendable>(
        where conditions: String, bindings: PostgresBindings, table: String, columns: String, columnCount: Int,
        order: String, limit: Int, offset: Int, _ decode: @escaping @Sendable (PostgresRow) throws -> Item
    ) async throws -> Page<Item> {
        var pageBindings = bindings
        // SQLite reads a negative LIMIT as "no limit"; PostgreSQL spells that LIMIT NULL.
        pageBindings.append(limit < 0 ? nil : limit)
        pageBindings.append(max(0, offset))
        let first = bindings.count + 1
        let pageQuery = PostgresQuery(
            unsafeSQL: """
                SELECT \(columns), count(*) OVER () FROM \(table) WHERE \(conditions)
                ORDER BY \(order) LIMIT $\(first)::bigint OFFSET $\(first + 1)::bigint
                """,
            binds: pageBindings)
        let rows = try await fetch(pageQuery) { row in
            (try decode(row), try row.makeRandomAccess()[columnCount].decode(Int.self))
        }
        if let total = rows.first?.1 {
            return Page(items: rows.map(\.0), total: total)
        }
        let countQuery = PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE \(conditions)", binds: bindings)
        let total = try await fetch(countQuery) { try $0.decode(Int.self) }.first ?? 0
        return Page(items: [], total: total)
    }

    /// Runs one statement, reading every row with `decode`.
    func fetch<Item: Sendable>(_ query: PostgresQuery, _ decode: @escaping @Sendable (PostgresRow) throws -> Item) async throws -> [Item] {
        try await withConnection { connection, logger in
            try await Self.fetch(query, on: connection, logger: logger, decode)
        }
    }

    /// Runs one statement whose rows, if any, are not needed.
    func execute(_ query: PostgresQuery) async throws {
        try await withConnection { connection, logger in
            try await Self.execute(query, on: connection, logger: logger)
        }
    }

    static func fetch<Item>(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger, _ decode: (PostgresRow) throws -> Item
    ) async throws -> [Item] {
        var items: [Item] = []
        for try await row in try await connection.query(query, logger: logger) {
            items.append(try decode(row))
        }
        return items
    }

    static func execute(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    /// Runs `body` in a transaction on one pooled connection (committed if `body` returns,
    /// rolled back if it throws).
    func transaction<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        try await lender.transaction(body)
    }

    /// Leases a pooled connection for `body` (``ConnectionLender/withConnection(_:)``).
    func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        try await lender.withConnection(body)
    }
}

/// Leases the store's pooled connections.
struct ConnectionLender: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// How long to wait for a free connection.
    let timeout: Duration

    /// Runs `body` in a transaction on one pooled connection (committed if `body` returns,
    /// rolled back if it throws).
    func transaction<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                try await body(connection, logger)
            }
        }
    }

    private enum LeaseOutcome<Result: Sendable>: Sendable {
        case finished(Result)
        case deadlinePassed
        case disarmed
    }

    /// Leases a pooled connection for `body`, waiting at most `connectionAcquireTimeout` for it,
    /// and turns every failure into `MemoryHubError` (or `CancellationError`).
    func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        let client = self.client
        let logger = self.logger
        let timeout = self.timeout
        do {
            return try await withThrowingTaskGroup(of: LeaseOutcome<Result>.self) { group in
                let deadline = LeaseDeadline()
                group.addTask {
                    .finished(
                        try await client.withConnection { connection in
                            guard deadline.lease() else { throw CancellationError() }
                            return try await body(connection, logger)
                        })
                }
                group.addTask {
                    do {
                        try await Task.sleep(for: timeout)
                    } catch {
                        return .disarmed
                    }
                    return deadline.expire() ? .deadlinePassed : .disarmed
                }
                while let outcome = try await group.next() {
                    switch outcome {
                    case .finished(let result):
                        group.cancelAll()
                        return result
                    case .deadlinePassed:
                        group.cancelAll()
                        logger.warning("No PostgreSQL connection within the acquire timeout", metadata: ["memoryhub.postgres.timeout": "\(timeout)"])
                        throw MemoryHubError.unavailable("no PostgreSQL connection within \(timeout)")
                    case .disarmed:
                        continue
                    }
                }
                throw CancellationError()
            }
        } catch {
            throw PostgresErrorTranslation.translate(error, logger: logger)
        }
    }
}

/// A count shared between the store and its group commit's flush.
final class Tally: Sendable {
    private let value = Mutex(0)

    func add(_ count: Int) { value.withLock { $0 += count } }
    var total: Int { value.withLock { $0 } }
}
