import Logging
import NIOCore
import RESP
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
}

/// `redis://host:port/db` of a Redis 7 server whose data these tests may change.
private let redisURL = environment("MEMORYHUB_TEST_REDIS_URL")
/// A server that requires a password, given in the URL (`redis://:secret@127.0.0.1:16380/0`).
private let redisAuthURL = environment("MEMORYHUB_TEST_REDIS_AUTH_URL")

/// The client against a real Redis. Serialized, because one test kills every client connection.
@Suite(
    "Redis client against a real server",
    .serialized,
    .enabled(if: redisURL != nil, "MEMORYHUB_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)")
)
struct RedisIntegrationTests {
    static let logger = Logger(label: "memoryhub.redis.tests")

    /// A per-test key prefix, so tests never see each other's keys.
    let prefix = "memoryhub:test:\(UInt64.random(in: 0 ... .max)):"

    func configuration(_ configure: (inout RedisConfiguration) -> Void = { _ in }) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: redisURL!)
        // Generous: the suites share two cores with PostgreSQL and Redis while they run.
        configuration.connectTimeout = .seconds(10)
        configuration.commandTimeout = .seconds(10)
        configure(&configuration)
        return configuration
    }

    /// Runs `body` with a client and closes it afterwards, also when `body` throws.
    func withClient<Result>(
        _ configure: (inout RedisConfiguration) -> Void = { _ in },
        _ body: (RedisClient) async throws -> Result
    ) async throws -> Result {
        let client = RedisClient(configuration: try self.configuration(configure), logger: Self.logger)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    func key(_ name: String) -> String {
        self.prefix + name
    }

    @Test("SET then GET returns the same binary bytes; a missing key is nil")
    func binaryRoundTrip() async throws {
        try await self.withClient { client in
            let value = (0...255).map(UInt8.init) + [13, 10, 0]
            try await client.set(self.key("bin"), value, expiresIn: .seconds(60))
            #expect(try await client.get(self.key("bin")) == value)
            try await client.set(self.key("empty"), [], expiresIn: .seconds(60))
            #expect(try await client.get(self.key("empty")) == [])
            #expect(try await client.get(self.key("missing")) == nil)
            _ = try await client.delete([self.key("bin"), self.key("empty")])
        }
    }

    @Test("set(expiresIn:) sets the time to live; set without it clears it")
    func timeToLive() async throws {
        try await self.withClient { client in
            try await client.set(self.key("ttl"), [1], expiresIn: .seconds(100))
            let ttl = try await client.send("PTTL", .string(self.key("ttl"))).int
            #expect(ttl.map { (1...100_000).contains($0) } == true, "PTTL was \(String(describing: ttl))")
            try await client.set(self.key("ttl"), [2], expiresIn: nil)
            #expect(try await client.send("PTTL", .string(self.key("ttl"))).int == -1)
            _ = try await client.delete([self.key("ttl")])
        }
    }

    @Test("DEL removes keys and counts only those that existed")
    func delete() async throws {
        try await self.withClient { client in
            try await client.set(self.key("a"), [1], expiresIn: .seconds(60))
            try await client.set(self.key("b"), [2], expiresIn: .seconds(60))
            #expect(try await client.delete([self.key("a"), self.key("b"), self.key("never")]) == 2)
            #expect(try await client.get(self.key("a")) == nil)
            #expect(try await client.delete([self.key("a")]) == 0)
        }
    }

    @Test("a pipeline of 100 commands returns the replies in order")
    func pipelineOrder() async throws {
        try await self.withClient { client in
            let counter = self.key("counter")
            let results = try await client.pipeline(Array(repeating: ["INCR", .string(counter)], count: 100))
            #expect(try results.map { try $0.get() } == (1...100).map { RESPValue.integer(Int64($0)) })

            let mixed = try await client.pipeline([
                ["SET", .string(self.key("s")), "text"],
                ["INCR", .string(self.key("s"))],
                ["GET", .string(self.key("s"))],
            ])
            #expect(try mixed[0].get() == .simpleString("OK"))
            #expect((try? mixed[1].get()) == nil)
            if case .failure(let error as RedisServerError) = mixed[1] {
                #expect(error.code == "ERR")
            } else {
                Issue.record("INCR on text should fail with a server error, got \(mixed[1])")
            }
            #expect(try mixed[2].get().string == "text")
            _ = try await client.delete([counter, self.key("s")])
        }
    }

    @Test("RESP3 is negotiated with HELLO 3, and replies use RESP3 types")
    func resp3() async throws {
        try await self.withClient { client in
            #expect(try await client.negotiatedProtocol() == .resp3)
            _ = try await client.send("ZADD", .string(self.key("z")), 1.5, "member")
            #expect(try await client.send("ZSCORE", .string(self.key("z")), "member") == .double(1.5))
            _ = try await client.send("HSET", .string(self.key("h")), "f", "v")
            let hash = try await client.send("HGETALL", .string(self.key("h")))
            #expect(hash == .map([.init(key: .bulkString(Array("f".utf8)), value: .bulkString(Array("v".utf8)))]))
            _ = try await client.delete([self.key("z"), self.key("h")])
        }
    }

    @Test("SELECT from the configuration isolates keys by database")
    func selectDatabase() async throws {
        let base = try self.configuration().database
        let other = base == 15 ? 14 : base + 1
        try await self.withClient({ $0.database = other }) { otherClient in
            try await otherClient.set(self.key("db"), [7], expiresIn: .seconds(60))
            let seenFromBase = try await self.withClient { baseClient in
                try await baseClient.get(self.key("db"))
            }
            #expect(seenFromBase == nil)
            #expect(try await otherClient.get(self.key("db")) == [7])
            #expect(try await otherClient.send("CLIENT", "INFO").string?.contains("db=\(other)") == true)
            _ = try await otherClient.delete([self.key("db")])
        }
    }

    @Test("evaluate runs a script by SHA-1, loading it with EVAL after NOSCRIPT")
    func luaScript() async throws {
        try await self.withClient { client in
            let script = RedisScript("return {KEYS[1], redis.call('INCRBY', KEYS[1], ARGV[1])}")
            _ = try await client.send("SCRIPT", "FLUSH")
            let first = try await client.evaluate(script: script, keys: [self.key("lua")], arguments: [5])
            #expect(first == .array([.bulkString(Array(self.key("lua").utf8)), .integer(5)]))
            // The server now knows the script under the digest we computed.
            #expect(try await client.send("SCRIPT", "EXISTS", .string(script.sha1)) == .array([.integer(1)]))
            #expect(try await client.send("SCRIPT", "LOAD", .string(script.source)).string == script.sha1)
            let second = try await client.evaluate(script: script, keys: [self.key("lua")], arguments: [2])
            #expect(second == .array([.bulkString(Array(self.key("lua").utf8)), .integer(7)]))

            let failing = RedisScript("return redis.error_reply('BOOM script failed')")
            let error = await #expect(throws: RedisServerError.self) {
                try await client.evaluate(script: failing, keys: [], arguments: [])
            }
            #expect(error?.code == "BOOM")
            _ = try await client.delete([self.key("lua")])
        }
    }

    @Test("8 concurrent tasks × 200 commands on a pool of 2 lose and mix up nothing")
    func concurrency() async throws {
        try await self.withClient({ $0.poolSize = 2 }) { client in
            let counter = self.key("concurrent")
            let seen = try await withThrowingTaskGroup(of: [Int].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var values: [Int] = []
                        for index in 0..<200 {
                            if index.isMultiple(of: 2) {
                                values.append(try await client.send("INCR", .string(counter)).int ?? -1)
                            } else {
                                let echo = "task-\(task)-\(index)"
                                #expect(try await client.send("ECHO", .string(echo)).string == echo)
                            }
                        }
                        return values
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(seen.sorted() == Array(1...800))
            #expect(try await client.get(counter) == Array("800".utf8))
            _ = try await client.delete([counter])
        }
    }

    @Test("a port with nothing listening fails with RedisClientError")
    func deadPort() async throws {
        let refusing = try RefusingPort()
        defer { refusing.release() }
        let error = await #expect(throws: RedisClientError.self) {
            try await self.withClient({ $0.port = refusing.port }) { client in
                try await client.send("PING")
            }
        }
        #expect(error?.code == .connectionFailed)
    }

    @Test("after CLIENT KILL drops our connections, the next commands succeed")
    func reconnectAfterKill() async throws {
        try await self.withClient({ $0.poolSize = 2 }) { client in
            // Open both pooled connections and learn their ids; only those are killed, since
            // other suites share this server.
            let ids = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.send("CLIENT", "ID").int }
                }
                var ids: Set<Int> = []
                for try await id in group { if let id { ids.insert(id) } }
                return ids
            }
            let killed = try await self.withClient { killer in
                var count = 0
                for id in ids {
                    count += try await killer.send("CLIENT", "KILL", "ID", .integer(id)).int ?? 0
                }
                return count
            }
            #expect(killed >= 1)
            try await waitUntilConnectionsDropped(client)
            for index in 0..<10 {
                #expect(try await client.send("ECHO", .integer(index)).int == index)
            }
            let idAfter = try await client.send("CLIENT", "ID").int
            #expect(idAfter.map { !ids.contains($0) } == true)
        }
    }

    @Test(
        "a password in the URL authenticates; a wrong or missing one is refused",
        .enabled(if: redisAuthURL != nil, "MEMORYHUB_TEST_REDIS_AUTH_URL is not set (e.g. redis://:secret@127.0.0.1:16380/0)")
    )
    func authentication() async throws {
        let configuration = try RedisConfiguration(url: redisAuthURL!)
        let client = RedisClient(configuration: configuration, logger: Self.logger)
        #expect(try await client.send("PING") == .simpleString("PONG"))
        #expect(try await client.negotiatedProtocol() == .resp3)
        await client.close()

        var wrong = configuration
        wrong.password = "not-the-password"
        let wrongClient = RedisClient(configuration: wrong, logger: Self.logger)
        let wrongError = await #expect(throws: RedisClientError.self) {
            try await wrongClient.send("PING")
        }
        #expect(wrongError?.code == .handshakeFailed)
        #expect((wrongError?.underlying as? RedisServerError)?.code == "WRONGPASS")
        #expect(!String(reflecting: wrongError as Any).contains("not-the-password"))
        await wrongClient.close()

        var missing = configuration
        missing.password = nil
        let anonymous = RedisClient(configuration: missing, logger: Self.logger)
        let missingError = await #expect(throws: RedisServerError.self) {
            try await anonymous.send("PING")
        }
        #expect(missingError?.code == "NOAUTH")
        await anonymous.close()
    }
}
