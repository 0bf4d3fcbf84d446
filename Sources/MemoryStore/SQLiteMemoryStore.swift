import MemoryCore
import GRDB
package import Logging
import Foundation

/// The embedded store: one SQLite file in WAL mode through GRDB. Several processes may share the
/// file; writes are IMMEDIATE transactions, so each read-modify-write below holds SQLite's write
/// lock from its read to its commit and concurrent merges never lose each other's changes.
package final class SQLiteMemoryStore: MemoryStore {
    /// How to open the database.
    package struct Configuration: Sendable {
        /// The database file; created with its folder when missing.
        package var path: String
        /// How long a write waits for another process's write lock before failing.
        package var busyTimeout: Double = 10
        /// Reader connections in the pool.
        package var maximumReaderCount: Int = 4

        package init(path: String) {
            self.path = path
        }
    }

    /// `memoryhub_index_text(text)`: the text the full-text index holds (SearchText.spacingUnspacedScripts),
    /// used by the FTS triggers; every connection of the store registers it.
    static let indexTextFunction = DatabaseFunction("memoryhub_index_text", argumentCount: 1, pure: true) { values in
        guard let text = String.fromDatabaseValue(values[0]) else { return nil }
        return SearchText.spacingUnspacedScripts(text)
    }

    let pool: DatabasePool
    /// A connection of its own that only asks `PRAGMA data_version`, whose answer changes when any
    /// other connection (another process, or this store's writer) commits.
    let watcher: DatabaseQueue
    let logger: Logger
    /// Concurrent memory inserts share one write transaction (``GroupCommit``).
    let memoryInserts: GroupCommit<MemoryInsert, MemoryInsertion>

    /// The database file's path (its `-wal` and `-shm` files sit beside it).
    package var path: String { pool.path }

    /// How much of the database file each connection maps into memory (1 GiB of address space).
    static let memoryMapBytes = 1 << 30

    package init(configuration: Configuration, logger: Logger) throws {
        var config = GRDB.Configuration()
        config.busyMode = .timeout(configuration.busyTimeout)
        config.maximumReaderCount = configuration.maximumReaderCount
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Reads map the file instead of copying each page through pread (which showed in the
            // profile of a search ranking 10k matches); SQLite falls back to reads past the map.
            try db.execute(sql: "PRAGMA mmap_size = \(Self.memoryMapBytes)")
            db.add(function: Self.indexTextFunction)
            try FTS5BM25.register(db)
        }
        do {
            let folder = URL(fileURLWithPath: configuration.path).deletingLastPathComponent().path
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            // Processes opening one new file at once race to switch it to WAL, which SQLite answers
            // with SQLITE_BUSY without waiting: try again a few times.
            // Another process holding the write lock makes each try wait the busy timeout: try
            // again only within that timeout, so a locked file fails in about busyTimeout.
            var attempt = 0
            let deadline = ContinuousClock.now + .milliseconds(Int64(configuration.busyTimeout * 1000))
            while true {
                do {
                    self.pool = try DatabasePool(path: configuration.path, configuration: config)
                    break
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && attempt < 20 && ContinuousClock.now < deadline {
                    attempt += 1
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            var watcherConfig = GRDB.Configuration()
            watcherConfig.busyMode = .timeout(configuration.busyTimeout)
            self.watcher = try DatabaseQueue(path: configuration.path, configuration: watcherConfig)
        } catch {
            throw MemoryHubError.unavailable("cannot open SQLite database at \(configuration.path): \(error)")
        }
        self.logger = logger
        let pool = self.pool
        self.memoryInserts = GroupCommit(maximumBatch: Self.maximumInsertBatch, label: "memory_inserts") { items in
            await Self.writeInserts(items, pool: pool)
        }
    }

    package func migrate() async throws {
        // A current schema needs no write: checking it by a read, which another process's write
        // lock does not block, keeps a hook from waiting on that lock just to learn nothing is due.
        let current = try? await read { db in
            try SQLiteSchema.migrator.hasCompletedMigrations(db) && !SQLiteSchema.migrator.hasBeenSuperseded(db)
        }
        if current == true { return }
        // Another process migrating the same new file at once may hold the lock past the busy
        // timeout's first answer; what it applied is then simply skipped on the next attempt.
        var attempt = 0
        while true {
            do {
                return try await run { [pool] in try SQLiteSchema.migrator.migrate(pool) }
            } catch let error as MemoryHubError where error.kind == .unavailable && attempt < 3 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
    }

    package func ping() async throws {
        try await read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// A number that changes whenever another connection has committed to the file since the last
    /// call: the cache uses it to know when its entries need checking.
    package func changeGeneration() async throws -> Int64 {
        try await run { [watcher] in
            try watcher.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        }
    }

    static func nextSequence(_ db: Database, userID: String) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    INSERT INTO user_sequences (user_id, value) VALUES (?, 1)
                    ON CONFLICT (user_id) DO UPDATE SET value = value + 1 RETURNING value
                    """),
            arguments: [userID]) ?? 0
    }

    // MARK: Rows

    static func fetchSession(_ db: Database, id: UUID, userID: String?) throws -> Session? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM sessions WHERE id = ? AND (? IS NULL OR user_id = ?)",
            arguments: [id.lowercased, userID, userID]
        ).map(session(from:))
    }

    static func fetchMemory(_ db: Database, id: UUID, userID: String?) throws -> Memory? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM memories WHERE id = ? AND (? IS NULL OR user_id = ?)"),
            arguments: [id.lowercased, userID, userID]
        ).map(memory(from:))
    }

    static func session(from row: Row) throws -> Session {
        Session(
            id: try uuid(row["id"]),
            userID: row["user_id"],
            projectID: row["project_id"],
            clientSessionID: row["client_session_id"],
            parentSessionID: try (row["parent_session_id"] as String?).map(uuid),
            state: SessionState(rawValue: row["state"]) ?? .active,
            startedAt: Timestamp(microsecondsSinceEpoch: row["started_at"]),
            endedAt: (row["ended_at"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)),
            endReason: row["end_reason"],
            summary: row["summary"],
            metadata: try JSONText.decodeObject(row["metadata"]),
            tags: try JSONText.decodeStrings(row["tags"]),
            memoryCount: row["memory_count"],
            createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]),
            updatedAt: Timestamp(microsecondsSinceEpoch: row["updated_at"]),
            version: row["version"])
    }

    static func memory(from row: Row) throws -> Memory {
        Memory(
            id: try uuid(row["id"]),
            sessionID: try uuid(row["session_id"]),
            userID: row["user_id"],
            projectID: row["project_id"],
            content: row["content"],
            summary: row["summary"],
            memoryType: MemoryType(rawValue: row["memory_type"]) ?? .fact,
            importance: row["importance"],
            confidence: row["confidence"],
            entities: try JSONText.decodeStrings(row["entities"]),
            tags: try JSONText.decodeStrings(row["tags"]),
            relatedMemories: try JSONText.decodeStrings(row["related_memories"]).map(uuid),
            metadata: try JSONText.decodeObject(row["metadata"]),
            hasEmbedding: row["has_embedding"],
            accessCount: row["access_count"],
            lastAccessed: (row["last_accessed"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)),
            createdAt: Timestamp(microsecondsSinceEpoch: row["created_at"]),
            updatedAt: Timestamp(microsecondsSinceEpoch: row["updated_at"]),
            version: row["version"],
            supersededBy: try (row["superseded_by"] as String?).map { try uuid($0) })
    }

    static func arguments(for memory: Memory) throws -> StatementArguments {
        [
            memory.id.lowercased, memory.sessionID.lowercased, memory.userID, memory.projectID, memory.content,
            memory.summary, memory.memoryType.rawValue, memory.importance, memory.confidence,
            JSONText.encode(memory.entities), JSONText.encode(memory.tags),
            JSONText.encode(memory.relatedMemories.map(\.lowercased)), JSONText.encode(memory.metadata),
            memory.hasEmbedding, memory.accessCount, memory.lastAccessed?.microsecondsSinceEpoch,
            memory.createdAt.microsecondsSinceEpoch, memory.updatedAt.microsecondsSinceEpoch, memory.version,
            memory.supersededBy?.lowercased,
        ]
    }

    /// A page of `table`'s rows matching every clause, in `order`, and the number of all matches
    /// (one read, one snapshot). `clauses` and `order` are fixed SQL of this module; values are
    /// in `arguments`.
    func page<Item: Sendable>(
        table: String, where clauses: [String], arguments: StatementArguments, order: String, limit: Int, offset: Int,
        _ decode: @escaping @Sendable (Row) throws -> Item
    ) async throws -> Page<Item> {
        let whereClause = clauses.joined(separator: " AND ")
        return try await read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(whereClause)", arguments: arguments) ?? 0
            let items = try Row.fetchAll(
                db, sql: "SELECT * FROM \(table) WHERE \(whereClause) ORDER BY \(order) LIMIT ? OFFSET ?",
                arguments: arguments + [limit, offset]
            ).map(decode)
            return Page(items: items, total: total)
        }
    }

    static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(hexText: text) else { throw MemoryHubError.internal("corrupt id in store: \(text)") }
        return id
    }

    // MARK: Running

    /// Reads run synchronously on the calling thread: in WAL mode a reader never waits for a lock,
    /// and hopping to GRDB's dispatch queue and back costs more (two thread wake-ups, ~300 µs on
    /// these machines) than the query itself. Writes may wait for another process's lock, so they
    /// stay asynchronous.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await run { [pool] in try pool.read(body) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await run { [pool] in try await pool.write(body) }
    }

    /// Runs a database operation and turns failures that are the store's fault (busy, I/O, a
    /// missing file) into `unavailable`; errors of ours pass through.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MemoryHubError {
            throw error
        } catch let error as DatabaseError {
            logger.error("SQLite error", metadata: ["memoryhub.error": "\(error)"])
            throw MemoryHubError.unavailable("\(error)")
        }
    }
}
