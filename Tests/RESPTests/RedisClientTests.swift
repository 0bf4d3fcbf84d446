import Logging
import NIOCore
import NIOPosix
import RESP
import ServiceLifecycle
import Testing

/// The client against a scripted in-process server: handshake variants, error mapping, timeouts,
/// reconnection and pooling, all without a real Redis.
@Suite("Redis client against a scripted server")
struct RedisClientTests {
    static let logger = Logger(label: "memoryhub.redis.tests")

    static func client(
        _ server: FakeRedisServer,
        _ configure: (inout RedisConfiguration) -> Void = { _ in }
    ) -> RedisClient {
        var configuration = RedisConfiguration(host: "127.0.0.1", port: server.port)
        // Generous unless a test is about timeouts. The suites run in parallel on two cores, and at
        // the start of a CI run the whole process has stalled for about 10 s: long enough for a
        // command's timer to fire before a scripted close was even read, which turned the expected
        // connectionClosed into a timeout. A minute leaves a wide margin over any stall seen.
        configuration.connectTimeout = .seconds(60)
        configuration.commandTimeout = .seconds(60)
        configure(&configuration)
        return RedisClient(configuration: configuration, eventLoopGroup: FakeRedisServer.eventLoops, logger: Self.logger)
    }

    /// The commands after the handshake's.
    static func withoutHandshake(_ commands: [[String]]) -> [[String]] {
        commands.filter { !["HELLO", "AUTH", "SELECT"].contains($0.first ?? "") }
    }

    @Test("negotiates RESP3 with credentials inside HELLO, then selects the database")
    func resp3Handshake() async throws {
        let server = try await FakeRedisServer.start()
        let client = Self.client(server) {
            $0.username = "alice"
            $0.password = "pw"
            $0.database = 2
        }
        #expect(try await client.send("PING") == .simpleString("PONG"))
        #expect(try await client.negotiatedProtocol() == .resp3)
        #expect(server.commands == [["HELLO", "3", "AUTH", "alice", "pw"], ["SELECT", "2"], ["PING"]])
        await client.close()
        await server.stop()
    }

    @Test("without credentials or database, the handshake is HELLO 3 alone")
    func minimalHandshake() async throws {
        let server = try await FakeRedisServer.start()
        let client = Self.client(server)
        _ = try await client.send("PING")
        #expect(server.commands == [["HELLO", "3"], ["PING"]])
        await client.close()
        await server.stop()
    }

    @Test("falls back to RESP2 with a plain AUTH when the server does not know HELLO")
    func resp2Fallback() async throws {
        let server = try await FakeRedisServer.start { command in
            command.first == "HELLO"
                ? .values([.simpleError("ERR unknown command 'HELLO', with args beginning with: '3'")])
                : FakeRedisServer.standardReply(command)
        }
        let client = Self.client(server) {
            $0.password = "pw"
            $0.database = 3
        }
        #expect(try await client.negotiatedProtocol() == .resp2)
        #expect(server.commands == [["HELLO", "3", "AUTH", "default", "pw"], ["AUTH", "pw"], ["SELECT", "3"]])
        await client.close()
        await server.stop()
    }

    @Test("falls back to RESP2 on NOPROTO, keeping the user name for AUTH")
    func noproto() async throws {
        let server = try await FakeRedisServer.start { command in
            command.first == "HELLO"
                ? .values([.simpleError("NOPROTO sorry, this protocol version is not supported")])
                : FakeRedisServer.standardReply(command)
        }
        let client = Self.client(server) {
            $0.username = "bob"
            $0.password = "pw"
        }
        #expect(try await client.negotiatedProtocol() == .resp2)
        #expect(server.commands == [["HELLO", "3", "AUTH", "bob", "pw"], ["AUTH", "bob", "pw"]])
        await client.close()
        await server.stop()
    }

    @Test("a rejected password fails the command with handshakeFailed, without showing the password")
    func wrongPassword() async throws {
        let server = try await FakeRedisServer.start { command in
            command.first == "HELLO" || command.first == "AUTH"
                ? .values([.simpleError("WRONGPASS invalid username-password pair or user is disabled.")])
                : FakeRedisServer.standardReply(command)
        }
        let client = Self.client(server) { $0.password = "hunter2" }
        let error = await #expect(throws: RedisClientError.self) {
            try await client.send("PING")
        }
        #expect(error?.code == .handshakeFailed)
        #expect((error?.underlying as? RedisServerError)?.code == "WRONGPASS")
        #expect(!"\(error!)".contains("hunter2"))
        #expect(!String(reflecting: error!).contains("hunter2"))
        #expect(Self.withoutHandshake(server.commands).isEmpty)
        await client.close()
        await server.stop()
    }

    @Test("an error reply is thrown as RedisServerError whose description omits the message")
    func serverError() async throws {
        let server = try await FakeRedisServer.start { command in
            command.first == "INCR"
                ? .values([.simpleError("WRONGTYPE Operation against a key holding the wrong kind of value")])
                : FakeRedisServer.standardReply(command)
        }
        let client = Self.client(server)
        let error = await #expect(throws: RedisServerError.self) {
            try await client.send("INCR", "secret-key")
        }
        #expect(error?.code == "WRONGTYPE")
        #expect(error?.message.hasPrefix("WRONGTYPE Operation") == true)
        #expect("\(error!)" == "RedisServerError(code: WRONGTYPE)")
        // The connection stays usable after an error reply.
        #expect(try await client.send("PING") == .simpleString("PONG"))
        await client.close()
        await server.stop()
    }

    @Test("a pipeline returns each command's own outcome, in order, from one connection")
    func pipeline() async throws {
        let server = try await FakeRedisServer.start { command in
            command.first == "BAD" ? .values([.bulkError("ERR bad")]) : FakeRedisServer.standardReply(command)
        }
        let client = Self.client(server)
        let results = try await client.pipeline([["ECHO", "a"], ["BAD"], ["ECHO", "c"]])
        #expect(results.count == 3)
        #expect(try results[0].get() == .bulkString(Array("a".utf8)))
        #expect(throws: RedisServerError.self) { try results[1].get() }
        #expect(try results[2].get() == .bulkString(Array("c".utf8)))
        #expect(try await client.pipeline([]).isEmpty)
        #expect(server.connectionCount == 1)
        await client.close()
        await server.stop()
    }

    @Test("push frames between replies are skipped")
    func pushFramesSkipped() async throws {
        let server = try await FakeRedisServer.start { command in
            command.first == "GET"
                ? .values([.push([.bulkString(Array("invalidate".utf8)), .array([])]), .bulkString(Array("v".utf8))])
                : FakeRedisServer.standardReply(command)
        }
        let client = Self.client(server)
        #expect(try await client.get("k") == Array("v".utf8))
        #expect(try await client.send("PING") == .simpleString("PONG"))
        await client.close()
        await server.stop()
    }

    @Test("a command without a reply fails with timeout; the next command uses a new connection")
    func commandTimeout() async throws {
        let server = try await FakeRedisServer.start { command in
            command.first == "HANG" ? .none : FakeRedisServer.standardReply(command)
        }
        // Long enough that the reconnect and PING after it fit on a loaded machine (CI has stalled
        // the whole test process for seconds at the start of a run).
        let client = Self.client(server) { $0.commandTimeout = .seconds(5) }
        let error = await #expect(throws: RedisClientError.self) {
            try await client.send("HANG")
        }
        #expect(error?.code == .timeout)
        // A stall of the machine longer than the timeout can time the reconnect out too: try up to
        // three times, each failure a timeout; the client must reach the server again.
        var reply: RESPValue?
        for _ in 0..<3 where reply == nil {
            do {
                reply = try await client.send("PING")
            } catch let error as RedisClientError where error.code == .timeout || error.code == .handshakeFailed {
                continue
            }
        }
        #expect(reply == .simpleString("PONG"))
        #expect(server.connectionCount >= 2, "the timed-out connection is not used again")
        await client.close()
        await server.stop()
    }

    @Test("a handshake without a reply fails with handshakeFailed caused by a timeout")
    func handshakeTimeout() async throws {
        let server = try await FakeRedisServer.start { _ in .none }
        let client = Self.client(server) { $0.commandTimeout = .milliseconds(200) }
        let error = await #expect(throws: RedisClientError.self) {
            try await client.send("PING")
        }
        #expect(error?.code == .handshakeFailed)
        #expect((error?.underlying as? RedisClientError)?.code == .timeout)
        await client.close()
        await server.stop()
    }

    @Test("the connection closing mid-command fails it with connectionClosed; the next command reconnects")
    func serverClosesMidCommand() async throws {
        let server = try await FakeRedisServer.start { command in
            command.first == "DIE" ? .close : FakeRedisServer.standardReply(command)
        }
        let client = Self.client(server)
        let error = await #expect(throws: RedisClientError.self) {
            try await client.send("DIE")
        }
        #expect(error?.code == .connectionClosed)
        #expect(try await client.send("PING") == .simpleString("PONG"))
        #expect(server.connectionCount == 2)
        await client.close()
        await server.stop()
    }

    @Test("after the server drops idle connections, the next commands succeed on new ones")
    func reconnectAfterServerDrop() async throws {
        let server = try await FakeRedisServer.start()
        let client = Self.client(server) { $0.poolSize = 2 }
        _ = try await client.pipeline([["PING"]])
        await server.closeClientConnections()
        try await waitUntilConnectionsDropped(client)
        #expect(client.connectionCount == 0)
        for index in 0..<5 {
            #expect(try await client.send("ECHO", .integer(index)) == .bulkString(Array(String(index).utf8)))
        }
        #expect(server.connectionCount == 2)
        #expect(client.connectionCount == 1)
        await client.close()
        await server.stop()
    }

    @Test("concurrent commands share at most poolSize connections and each gets its own reply")
    func poolLimit() async throws {
        let server = try await FakeRedisServer.start()
        let client = Self.client(server) { $0.poolSize = 2 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let reply = try await client.send("ECHO", .string("value-\(index)"))
                    #expect(reply.string == "value-\(index)")
                }
            }
            try await group.waitForAll()
        }
        #expect((1...2).contains(server.connectionCount))
        await client.close()
        await server.stop()
    }

    @Test("nothing listening fails with connectionFailed, every time")
    func connectionRefused() async throws {
        let refusing = try RefusingPort()
        defer { refusing.release() }
        var configuration = RedisConfiguration(host: "127.0.0.1", port: refusing.port)
        configuration.connectTimeout = .milliseconds(500)
        let client = RedisClient(configuration: configuration, logger: Self.logger)
        for _ in 0..<2 {
            let error = await #expect(throws: RedisClientError.self) {
                try await client.send("PING")
            }
            #expect(error?.code == .connectionFailed)
        }
        await client.close()
    }

    @Test("after close, commands fail with poolClosed and the server sees the connection go")
    func close() async throws {
        let server = try await FakeRedisServer.start()
        let client = Self.client(server)
        _ = try await client.send("PING")
        await client.close()
        await client.close()
        let error = await #expect(throws: RedisClientError.self) {
            try await client.send("PING")
        }
        #expect(error?.code == .poolClosed)
        await server.stop()
    }

    @Test("as a service, run() keeps the client until graceful shutdown and then closes it")
    func runAsService() async throws {
        let server = try await FakeRedisServer.start()
        let client = Self.client(server)
        let group = ServiceGroup(services: [client], logger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await client.send("PING") == .simpleString("PONG"))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let error = await #expect(throws: RedisClientError.self) {
            try await client.send("PING")
        }
        #expect(error?.code == .poolClosed)
        await server.stop()
    }

    @Test("convenience commands send what the cache expects")
    func convenienceCommands() async throws {
        let server = try await FakeRedisServer.start { command in
            switch command.first {
            case "GET": .values([.null])
            case "DEL": .values([.integer(2)])
            case "EVALSHA": .values([.simpleError("NOSCRIPT No matching script. Please use EVAL.")])
            case "EVAL": .values([.integer(7)])
            default: FakeRedisServer.standardReply(command)
            }
        }
        let client = Self.client(server)
        #expect(try await client.get("missing") == nil)
        try await client.set("k", Array("v".utf8), expiresIn: .milliseconds(1500))
        try await client.set("k", Array("v".utf8), expiresIn: .nanoseconds(1))
        try await client.set("k", Array("v".utf8), expiresIn: nil)
        #expect(try await client.delete(["a", "b"]) == 2)
        #expect(try await client.delete([]) == 0)
        let script = RedisScript("return 7")
        #expect(try await client.evaluate(script: script, keys: ["k1"], arguments: ["x", 3]) == .integer(7))
        #expect(Self.withoutHandshake(server.commands) == [
            ["GET", "missing"],
            ["SET", "k", "v", "PX", "1500"],
            ["SET", "k", "v", "PX", "1"],
            ["SET", "k", "v"],
            ["DEL", "a", "b"],
            ["EVALSHA", script.sha1, "1", "k1", "x", "3"],
            ["EVAL", "return 7", "1", "k1", "x", "3"],
        ])
        await client.close()
        await server.stop()
    }
}
