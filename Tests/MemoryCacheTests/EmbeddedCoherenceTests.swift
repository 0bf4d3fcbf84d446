import Foundation
import ProcessTestSupport
import Logging
import MemoryCache
import MemoryCore
import MemoryService
import MemoryStore
import Testing

/// The in-process cache on the embedded store: what it serves equals what is stored, also after
/// another process wrote the same SQLite file.
@Suite struct EmbeddedCoherenceTests {
    static func databasePath() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memoryhub-cache-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.path + "/memoryhub.sqlite"
    }

    static func services(_ path: String) async throws -> MemoryHubServices {
        try await MemoryHubServices.embedded(path: path, logger: Logger(label: "test"))
    }

    @Test func aSessionServedFromTheCacheEqualsTheStoredOneFieldForField() async throws {
        let services = try await Self.services(Self.databasePath())
        let (started, _) = try await services.sessions.start(SessionStartRequest(
            userID: "alice", projectID: "p", metadata: ["nested": ["a": [1, 2.5, nil]], "empty": [:]], tags: ["one", "two"],
            clientSessionID: "c-1"))
        let updated = try await services.sessions.update(id: started.id, actingUser: "alice", metadata: ["added": "x"], tags: ["three"])
        let hitsBefore = services.sessionCache.statistics.hits
        let cached = try await services.sessions.session(id: started.id, actingUser: "alice")
        let again = try await services.sessions.session(id: started.id, actingUser: "alice")
        #expect(services.sessionCache.statistics.hits >= hitsBefore + 2)
        let stored = try #require(try await services.store.session(id: started.id, userID: "alice"))
        #expect(cached == stored)
        #expect(again == stored)
        #expect(stored == updated)
        #expect(stored.endedAt == nil && stored.parentSessionID == nil)
    }

    @Test func anotherUsersIDIsNotFoundEvenWhenCached() async throws {
        let services = try await Self.services(Self.databasePath())
        let (session, _) = try await services.sessions.start(SessionStartRequest(userID: "alice"))
        _ = try await services.sessions.session(id: session.id, actingUser: "alice")
        await #expect(throws: MemoryHubError.sessionNotFound(session.id.lowercased)) {
            _ = try await services.sessions.session(id: session.id, actingUser: "mallory")
        }
    }

    @Test func twoInstancesOnOneFileNeverServeAnOlderVersionThanAcknowledged() async throws {
        let path = Self.databasePath()
        let writer = try await Self.services(path)
        let reader = try await Self.services(path)
        let (session, _) = try await writer.sessions.start(SessionStartRequest(userID: "alice"))
        _ = try await reader.sessions.session(id: session.id, actingUser: nil)
        for round in 0..<40 {
            let acknowledged = try await writer.sessions.update(id: session.id, actingUser: nil, metadata: ["round": .int(Int64(round))])
            let seen = try await reader.sessions.session(id: session.id, actingUser: nil)
            #expect(seen.version >= acknowledged.version)
            #expect(seen.metadata["round"] == .int(Int64(round)))
        }
        #expect(reader.sessionCache.statistics.hits > 0 || reader.sessionCache.statistics.invalidations > 0)
    }

    static let binary: String? = {
        if let path = ProcessInfo.processInfo.environment["MEMORYHUB_BINARY"] { return path }
        let candidate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/memoryhub").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    @Test(.enabled(if: binary != nil, "needs the memoryhub binary (make test sets MEMORYHUB_BINARY)"))
    func aWriteByASecondProcessIsSeenByTheNextRead() async throws {
        let path = Self.databasePath()
        let services = try await Self.services(path)
        let (session, _) = try await services.sessions.start(SessionStartRequest(userID: "alice"))
        #expect(try await services.sessions.session(id: session.id, actingUser: nil).memoryCount == 0)
        #expect(try await services.sessions.session(id: session.id, actingUser: nil).memoryCount == 0)

        try run(["remember", "--database", path, "--session", session.id.lowercased, "--type", "decision", "written elsewhere"])
        let afterRemember = try await services.sessions.session(id: session.id, actingUser: nil)
        #expect(afterRemember.memoryCount == 1)

        try run(["session", "end", session.id.lowercased, "--database", path, "--summary", "ended by the CLI"])
        let afterEnd = try await services.sessions.session(id: session.id, actingUser: nil)
        #expect(afterEnd.state == .ended)
        #expect(afterEnd.summary == "ended by the CLI")
        #expect(afterEnd == (try await services.store.session(id: session.id, userID: nil)))
    }

    private func run(_ arguments: [String]) throws {
        let result = try SpawnedProcess.run(Self.binary!, arguments)
        #expect(result.status == 0, "memoryhub \(arguments.joined(separator: " ")) failed: \(result.stderr)")
    }
}
