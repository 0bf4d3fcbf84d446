import Foundation
import Logging
import MemoryStorePostgres
import PostgresNIO
import Testing

/// The PostgreSQL server the tests use, named by `MEMORYHUB_TEST_POSTGRES_URL`.
enum PostgresTestDatabase {
    static let url: String? = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static let skipReason: Comment = "MEMORYHUB_TEST_POSTGRES_URL is not set; PostgreSQL tests are skipped"

    static func configuration() throws -> PostgresMemoryStore.Configuration {
        guard let url else { throw TestDatabaseError.notConfigured }
        return try PostgresMemoryStore.Configuration(url: url)
    }

    /// One migrated store per test process. Its pool runs in a task that lives as long as the
    /// process; tests use random user ids, so they share the database.
    private static let shared = Task<PostgresMemoryStore, any Error> {
        let store = PostgresMemoryStore(configuration: try configuration(), logger: Logger(label: "memoryhub.test.postgres"))
        Task { try await store.run() }
        try await store.migrate()
        return store
    }

    static func sharedStore() async throws -> PostgresMemoryStore {
        try await shared.value
    }

    /// Runs `body` with a postgres-nio client of its own (running while `body` runs).
    static func withClient<T>(
        _ configuration: PostgresMemoryStore.Configuration, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "memoryhub.test.postgres.admin")
        logger.logLevel = .error  // the first lease may come before run() has started; postgres-nio warns about that
        let client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Runs `body` with the configuration of a new, empty database, dropped afterwards.
    static func withFreshDatabase<T>(_ body: (PostgresMemoryStore.Configuration) async throws -> T) async throws -> T {
        let base = try configuration()
        // Only hex digits from a UUID: safe to put in the statement as an identifier.
        let name = "memoryhub_test_" + UUID().uuidString.lowercased().filter(\.isHexDigit)
        return try await withClient(base) { admin in
            try await execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), on: admin)
            var fresh = base
            fresh.database = name
            let drop = PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            do {
                let result = try await body(fresh)
                try await execute(drop, on: admin)
                return result
            } catch {
                try? await execute(drop, on: admin)
                throw error
            }
        }
    }

    /// Runs a statement and reads all its rows, so that the connection goes back to the pool.
    static func execute(_ query: PostgresQuery, on client: PostgresClient) async throws {
        for try await _ in try await client.query(query) {}
    }

    enum TestDatabaseError: Error {
        case notConfigured
    }
}
