import Foundation
import Logging
import MemoryCore
import MemoryStore
import MemoryStorePostgres

/// The stores the contract suite runs against. SQLite always; PostgreSQL when
/// `MEMORYHUB_TEST_POSTGRES_URL` is set. Each test makes its own users with random ids, so backends
/// that share one database need no reset between tests.
enum StoreBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    var description: String { rawValue }

    static var available: [StoreBackend] { PostgresTestDatabase.url == nil ? [.sqlite] : [.sqlite, .postgres] }

    func makeStore() async throws -> any MemoryStore {
        switch self {
        case .sqlite:
            let store = try SQLiteMemoryStore(configuration: .init(path: TemporaryFolder.make().path + "/store.sqlite"), logger: Logger(label: "test"))
            try await store.migrate()
            return store
        case .postgres:
            return try await PostgresTestDatabase.sharedStore()
        }
    }
}

enum TemporaryFolder {
    static func make() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Values for tests: unique users, sessions and memories with every field set.
enum Fixture {
    static func user() -> String { "user-\(UUID().uuidString.prefix(8))" }

    /// A timestamp with non-zero microseconds, so truncation to milliseconds would show.
    static func time(_ offsetSeconds: Double = 0) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: 1_764_000_000_123_457).adding(seconds: offsetSeconds)
    }

    static func session(user: String, project: String? = "proj", started: Timestamp = time(), state: SessionState = .active) -> Session {
        Session(
            id: .v7(at: started), userID: user, projectID: project, clientSessionID: nil, parentSessionID: nil,
            state: state, startedAt: started, metadata: ["source": "test", "nested": ["list": [1, 2.5, nil, "x"], "flag": false]],
            tags: ["zeta", "alpha"])
    }

    static func memory(in session: Session, type: MemoryType = .fact, importance: Double = 0.5, content: String = "The build uses GRDB", created: Timestamp = time(1)) -> Memory {
        Memory(
            id: .v7(at: created), sessionID: session.id, userID: session.userID, projectID: session.projectID,
            content: content, summary: "summary of \(content)", memoryType: type, importance: importance, confidence: 0.75,
            entities: ["GRDB", "SQLite"], tags: ["storage"], relatedMemories: [], metadata: ["line": 42, "ratio": 0.25],
            createdAt: created)
    }
}
