import Foundation
import MemoryCache
import MemoryCore
import Testing

@Suite struct InProcessSessionCacheTests {
    func session(version: Int64 = 1, id: UUID = .v7()) -> Session {
        Session(id: id, userID: "u", startedAt: .now(), metadata: ["v": .int(version)], version: version)
    }

    @Test func theLeastRecentlyUsedEntryGoesFirst() async {
        let cache = InProcessSessionCache(configuration: .init(capacity: 3))
        let values = (0..<4).map { _ in session() }
        for value in values.prefix(3) { await cache.store(value) }
        _ = await cache.session(id: values[0].id)
        await cache.store(values[3])
        #expect(await cache.session(id: values[1].id) == nil)
        #expect(await cache.session(id: values[0].id) != nil)
        #expect(await cache.session(id: values[2].id) != nil)
        #expect(await cache.session(id: values[3].id) != nil)
        #expect(cache.statistics.evictions == 1 && cache.statistics.entries == 3)
    }

    @Test func aChangeElsewhereMakesTheEntryCheckedAgainstTheStore() async throws {
        let source = FakeCoherenceSource()
        let cache = InProcessSessionCache(coherence: source)
        let value = session(version: 1)
        source.set(version: 1, for: value.id)
        await cache.store(value)
        #expect(await cache.session(id: value.id) == value)
        #expect(source.versionChecks == 1)
        #expect(await cache.session(id: value.id) == value)
        #expect(source.versionChecks == 1, "an unchanged generation serves without asking the store")
        source.set(version: 2, for: value.id)
        source.bumpGeneration()
        #expect(await cache.session(id: value.id) == nil)
        #expect(cache.statistics.invalidations == 1)
    }

    @Test func aFailingCoherenceSourceIsAMissAndAnError() async {
        let source = FakeCoherenceSource()
        source.failing = true
        let cache = InProcessSessionCache(coherence: source)
        let value = session()
        await cache.store(value)
        #expect(await cache.session(id: value.id) == nil)
        #expect(cache.statistics.errors == 1)
    }
}

/// A coherence source under the test's control.
final class FakeCoherenceSource: CacheCoherenceSource, @unchecked Sendable {
    private let lock = NSLock()
    private var generation: Int64 = 0
    private var versions: [UUID: Int64] = [:]
    private var checks = 0
    var failing = false

    var versionChecks: Int { lock.withLock { checks } }
    func bumpGeneration() { lock.withLock { generation += 1 } }
    func set(version: Int64, for id: UUID) { lock.withLock { versions[id] = version } }

    func changeGeneration() async throws -> Int64 {
        if failing { throw CancellationError() }
        return lock.withLock { generation }
    }

    func sessionVersion(id: UUID) async throws -> Int64? {
        lock.withLock {
            checks += 1
            return versions[id]
        }
    }
}
