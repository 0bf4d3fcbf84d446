import Foundation
import Logging
import MemoryCore
import MemoryStore
import Testing

/// What only the embedded store does: sharing one file between processes.
@Suite struct SQLiteStoreTests {
    @Test func twoProcessesMigratingOneNewFileAtOnceBothSucceed() async throws {
        let path = TemporaryFolder.make().path + "/shared.sqlite"
        let stores = try (0..<4).map { _ in try SQLiteMemoryStore(configuration: .init(path: path), logger: Logger(label: "test")) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.migrate() } }
            try await group.waitForAll()
        }
        let session = Fixture.session(user: Fixture.user())
        try await stores[0].insertSession(session)
        #expect(try await stores[3].session(id: session.id, userID: nil) == session)
    }

    @Test func changeGenerationMovesWhenAnotherConnectionCommits() async throws {
        let path = TemporaryFolder.make().path + "/shared.sqlite"
        let watcher = try SQLiteMemoryStore(configuration: .init(path: path), logger: Logger(label: "test"))
        let writer = try SQLiteMemoryStore(configuration: .init(path: path), logger: Logger(label: "test"))
        try await watcher.migrate()
        let before = try await watcher.changeGeneration()
        #expect(try await watcher.changeGeneration() == before)
        try await writer.insertSession(Fixture.session(user: Fixture.user()))
        #expect(try await watcher.changeGeneration() != before)
    }

    @Test func anUnopenableFileIsReportedAsUnavailable() async throws {
        let blocker = TemporaryFolder.make().appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        #expect(throws: MemoryHubError.self) {
            _ = try SQLiteMemoryStore(configuration: .init(path: blocker.path + "/db.sqlite"), logger: Logger(label: "test"))
        }
    }
}
