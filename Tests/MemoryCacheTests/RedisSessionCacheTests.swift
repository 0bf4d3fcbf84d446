import Foundation
import Logging
import MemoryCache
import MemoryCore
import RESP
import Testing

@Suite(.enabled(if: TestServices.redisURL != nil, "MEMORYHUB_TEST_REDIS_URL is not set (make test starts a redis-server)"))
struct RedisSessionCacheTests {
    func makeCache(timeToLive: Duration = .seconds(3600), breaker: CircuitBreaker.Configuration = .init()) throws -> (RedisSessionCache, RedisClient) {
        let client = try TestServices.redisClient()
        return (RedisSessionCache(client: client, configuration: .init(timeToLive: timeToLive, breaker: breaker), logger: Logger(label: "test")), client)
    }

    @Test func entriesCarryTheConfiguredTimeToLive() async throws {
        let (cache, client) = try makeCache(timeToLive: .seconds(90))
        defer { Task { await client.close() } }
        let session = Session(userID: "u", startedAt: .now())
        await cache.store(session)
        let ttl = try await client.send(["PTTL", .string(SessionDocument.key(for: session.id))]).int ?? -1
        #expect(ttl > 80_000 && ttl <= 90_000)
    }

    @Test func garbageInAnEntryIsAMissNotAnError() async throws {
        let (cache, client) = try makeCache()
        defer { Task { await client.close() } }
        let session = Session(userID: "u", startedAt: .now(), version: 2)
        for garbage: [UInt8] in [[0xFF, 0x00, 0x13], Array("{\"format\":1,\"version\":\"x\"}".utf8), Array("{\"format\":0}".utf8)] {
            try await client.set(SessionDocument.key(for: session.id), garbage, expiresIn: .seconds(60))
            #expect(await cache.session(id: session.id) == nil)
        }
        await cache.store(session)
        #expect(await cache.session(id: session.id) == session, "a garbage entry is replaced by the next write")
        #expect(cache.statistics.errors == 0)
    }

    @Test func anUnreachableRedisIsAMissAndOpensTheBreaker() async throws {
        let client = try TestServices.redisClient(url: "redis://127.0.0.1:\(TestServices.freePort())/0")
        let cache = RedisSessionCache(client: client, configuration: .init(breaker: .init(initialBackoff: .seconds(30))), logger: Logger(label: "test"))
        let session = Session(userID: "u", startedAt: .now())
        #expect(await cache.session(id: session.id) == nil)
        #expect(cache.statistics.errors == 1)
        #expect(!cache.isAvailable)
        for _ in 0..<20 { #expect(await cache.session(id: session.id) == nil) }
        await cache.store(session)
        #expect(cache.statistics.errors == 1, "while open, the cache is skipped instead of timing out again")
        #expect(cache.statistics.misses == 21)
        await client.close()
    }

    @Test(.enabled(if: TestServices.redisServer != nil, "needs redis-server to start a private one"))
    func entriesWrittenDuringAnOutageAreDeletedBeforeAnythingIsServedAgain() async throws {
        // A private server: CLIENT PAUSE would stall every other test on the shared one.
        let redis = try PrivateRedis()
        let client = try TestServices.redisClient(url: redis.url)
        let cache = RedisSessionCache(client: client, configuration: .init(breaker: .init(initialBackoff: .milliseconds(200))), logger: Logger(label: "test"))
        let control = try TestServices.redisClient(timeout: .seconds(5), url: redis.url)
        defer { Task { await client.close(); await control.close() } }
        var session = Session(userID: "u", startedAt: .now(), version: 1)
        await cache.store(session)
        #expect(await cache.session(id: session.id)?.version == 1)
        // Redis stops answering (but keeps its data): a read times out and opens the breaker, so
        // the write of version 2 is not sent; it is remembered as pending instead.
        // Three seconds, so a loaded machine still reads and writes inside the pause.
        _ = try await control.send(["CLIENT", "PAUSE", "3000", "ALL"])
        #expect(await cache.session(id: session.id) == nil)
        #expect(cache.statistics.errors >= 1)
        session.version = 2
        await cache.store(session)
        #expect(await cache.session(id: session.id) == nil, "the breaker is open: served from the store")
        // Redis answers again; the old version 1 is still in it, and must not be served.
        try await Task.sleep(for: .milliseconds(3300))
        let raw = try await control.get(SessionDocument.key(for: session.id))
        #expect(raw.flatMap(SessionDocument.decode)?.version == 1, "precondition: the stale entry survived the pause")
        #expect(await cache.session(id: session.id) == nil)
        #expect(try await control.get(SessionDocument.key(for: session.id)) == nil)
        await cache.store(session)
        #expect(await cache.session(id: session.id)?.version == 2)
        #expect(cache.isAvailable)
    }
}
