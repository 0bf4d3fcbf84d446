import Foundation
import Logging
import MemoryCache
import MemoryCore
import RESP
import Synchronization
import Testing

/// The session cache contract (DESIGN.md "Caching"): every cache passes every test here, as every
/// store passes the store contract suite. In-process always; Redis when `make test` provides it.
enum CacheBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case inProcess = "in-process"
    case redis

    var description: String { rawValue }

    static var available: [CacheBackend] { TestServices.redisURL == nil ? [.inProcess] : [.inProcess, .redis] }

    /// A fresh cache and what to do when the test is done.
    func make() throws -> (cache: any SessionCache, close: @Sendable () async -> Void) {
        switch self {
        case .inProcess:
            return (InProcessSessionCache(), {})
        case .redis:
            let client = try TestServices.redisClient()
            return (RedisSessionCache(client: client, configuration: .init(), logger: Logger(label: "test")), { await client.close() })
        }
    }
}

@Suite struct SessionCacheContractTests {
    @Test(arguments: CacheBackend.available)
    func everySessionFieldSurvivesARoundTripAndLookupsAreCounted(_ backend: CacheBackend) async throws {
        let (cache, close) = try backend.make()
        let session = SessionDocumentTests.richSession()
        #expect(await cache.session(id: session.id) == nil)
        await cache.store(session)
        let cached = try #require(await cache.session(id: session.id))
        #expect(cached == session)
        #expect(cached.metadata == session.metadata && cached.tags == session.tags && cached.endedAt == session.endedAt)
        #expect(await cache.session(id: session.id) == session)
        let stats = cache.statistics
        #expect(stats.hits == 2 && stats.misses == 1 && stats.fills == 1 && stats.errors == 0, "\(stats)")
        #expect(abs(stats.hitRatio - 2.0 / 3.0) < 1e-9)
        await close()
    }

    @Test(arguments: CacheBackend.available)
    func anOlderVersionNeverReplacesANewerOne(_ backend: CacheBackend) async throws {
        let (cache, close) = try backend.make()
        var session = Session(userID: "u", startedAt: .now(), version: 5)
        await cache.store(session)
        session.version = 3
        session.summary = "old"
        await cache.store(session)
        #expect(await cache.session(id: session.id)?.version == 5)
        session.version = 6
        await cache.store(session)
        #expect(await cache.session(id: session.id)?.summary == "old")
        await close()
    }

    @Test(arguments: CacheBackend.available)
    func aRemovedSessionIsNotRefilledByASlowReader(_ backend: CacheBackend) async throws {
        let (cache, close) = try backend.make()
        let session = Session(userID: "u", startedAt: .now(), version: 7)
        await cache.store(session)
        await cache.remove(id: session.id)
        await cache.store(session)
        #expect(await cache.session(id: session.id) == nil)
        #expect(cache.statistics.errors == 0)
        await close()
    }
}

/// A clock a test moves by hand, so expiry is tested without sleeping.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(by duration: Duration) { instant.withLock { $0 = $0 + duration } }
}

@Suite struct InProcessExpiryTests {
    @Test func entriesExpireAfterTheirTimeToLiveOnTheInjectedClock() async {
        let clock = ManualClock()
        let cache = InProcessSessionCache(configuration: .init(timeToLive: .seconds(60)), now: { clock.now })
        let session = Session(userID: "u", startedAt: .now())
        await cache.store(session)
        clock.advance(by: .seconds(59))
        #expect(await cache.session(id: session.id) == session)
        clock.advance(by: .seconds(2))
        #expect(await cache.session(id: session.id) == nil)
    }
}
