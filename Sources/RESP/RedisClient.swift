package import Logging
import NIOConcurrencyHelpers
package import NIOCore
import NIOPosix
import ServiceLifecycle

/// A pooled Redis client with pipelining.
///
/// Connections are opened on demand, up to ``RedisConfiguration/poolSize``, and each carries many commands in
/// flight at once, with replies matched in order. A connection that fails or closes leaves the pool, and the next
/// command opens a new one. Each new connection negotiates RESP3 with `HELLO 3`, falling back to RESP2 on older
/// servers, authenticates, and selects the configured database.
///
/// The client works without ``run()``: commands can be sent as soon as it is created. As a `Service`, ``run()``
/// keeps it until the service group shuts down and then closes it; without a service group, call ``close()``.
///
/// Error replies from the server are thrown as ``RedisServerError`` by ``send(_:)-([RESPArgument])`` and returned
/// as failures by ``pipeline(_:)``. Everything else that goes wrong is a ``RedisClientError``.
///
/// Commands are not cancellable once written; each waits at most ``RedisConfiguration/commandTimeout``, after
/// which it fails and its connection is closed, because a late reply would be matched to the wrong command.
/// A request that provably never left the client (its connection was already closed) is retried on another
/// connection. A request that may have reached the server is never retried, so a command written in the instant
/// between the server closing an idle connection and the client noticing fails with
/// ``RedisClientError/Code/connectionClosed``.
///
/// Commands that change a connection's state for later commands (`SUBSCRIBE`, `MONITOR`, `SELECT`, `MULTI`
/// across calls, `CLIENT TRACKING`) are not supported, since consecutive calls may use different connections.
package final class RedisClient: Service, Sendable {
    private typealias Pool = RedisConnectionPoolStateMachine<EventLoopPromise<RedisConnection>>

    private let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let commandTimeout: TimeAmount
    private let pool: NIOLockedValueBox<Pool>

    /// Creates a client; it connects when the first command is sent.
    ///
    /// - Parameters:
    ///   - configuration: Where and how to connect.
    ///   - eventLoopGroup: The event loops the connections run on.
    ///   - logger: The logger for connection events; commands and their arguments are never logged.
    package init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "memoryhub.redis.host"] = "\(configuration.host)"
        logger[metadataKey: "memoryhub.redis.port"] = "\(configuration.port)"
        self.logger = logger
        self.commandTimeout = TimeAmount(configuration.commandTimeout)
        self.pool = NIOLockedValueBox(Pool(maximumConnections: configuration.poolSize))
    }

    /// Keeps the client until graceful shutdown or cancellation, then closes all connections.
    package func run() async throws {
        try? await gracefulShutdown()
        await self.close()
    }

    /// Closes all connections; commands in flight fail, and later ones fail with
    /// ``RedisClientError/Code/poolClosed``. Calling it again does nothing.
    package func close() async {
        let connections = self.pool.withLockedValue { $0.close() }
        for connection in connections {
            // A connection still being made is closed once it is ready.
            if let connection = try? await connection.futureResult.get() {
                await connection.close()
            }
        }
        if !connections.isEmpty {
            self.logger.debug("Redis client closed")
        }
    }

    /// Sends one command and returns its reply.
    ///
    /// - Throws: ``RedisServerError`` for an error reply, ``RedisClientError`` for anything else.
    package func send(_ command: [RESPArgument]) async throws -> RESPValue {
        try await self.execute([command])[0].get()
    }

    /// Sends one command and returns its reply: `try await client.send("INCR", "counter")`.
    ///
    /// - Throws: ``RedisServerError`` for an error reply, ``RedisClientError`` for anything else.
    package func send(_ command: RESPArgument...) async throws -> RESPValue {
        try await self.send(command)
    }

    /// Sends several commands with one write on one connection and returns their replies in order.
    ///
    /// Each command's outcome is its own: an error reply is a ``RedisServerError`` failure, and if the
    /// connection breaks, the commands without replies fail with ``RedisClientError``.
    ///
    /// - Throws: ``RedisClientError`` only when no connection could be had.
    package func pipeline(_ commands: [[RESPArgument]]) async throws -> [Result<RESPValue, any Error>] {
        guard !commands.isEmpty else { return [] }
        return try await self.execute(commands)
    }

    /// The protocol version negotiated by a pooled connection (opening one if there is none).
    package func negotiatedProtocol() async throws -> RedisProtocolVersion {
        try await self.withConnection { connection, _ in connection.protocolVersion }
    }

    /// The number of pooled connections, open or being opened; for tests and diagnostics.
    package var connectionCount: Int {
        self.pool.withLockedValue { $0.connectionCount }
    }

    // MARK: Cache helpers

    /// The value of `key`, or `nil` if it does not exist.
    ///
    /// - Throws: ``RedisServerError`` if the key holds a non-string value.
    package func get(_ key: String) async throws -> [UInt8]? {
        let reply = try await self.send(["GET", .string(key)])
        if reply.isNull {
            return nil
        }
        guard let bytes = reply.bytes else {
            throw RedisClientError(.unexpectedReply, reason: "GET returned neither a string nor null")
        }
        return bytes
    }

    /// Sets `key` to `value`, replacing any value and time to live it had.
    ///
    /// - Parameter expiresIn: The time to live, rounded up to whole milliseconds (at least 1 ms); `nil` for none.
    package func set(_ key: String, _ value: [UInt8], expiresIn: Duration?) async throws {
        var command: [RESPArgument] = ["SET", .string(key), .bytes(value)]
        if let expiresIn {
            command += ["PX", .integer(Self.milliseconds(roundingUp: expiresIn))]
        }
        _ = try await self.send(command)
    }

    /// Deletes `keys` and returns how many existed.
    package func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        let reply = try await self.send([.string("DEL")] + keys.map { .string($0) })
        guard let count = reply.int else {
            throw RedisClientError(.unexpectedReply, reason: "DEL did not return an integer")
        }
        return count
    }

    /// Runs a Lua script by its digest with `EVALSHA`, sending the source with `EVAL` only when the server does
    /// not have it cached (`NOSCRIPT`), which also caches it for the next call.
    ///
    /// - Throws: ``RedisServerError`` for an error the script raises, ``RedisClientError`` for anything else.
    package func evaluate(script: RedisScript, keys: [String], arguments: [RESPArgument]) async throws -> RESPValue {
        let tail: [RESPArgument] = [.integer(keys.count)] + keys.map { .string($0) } + arguments
        do {
            return try await self.send(["EVALSHA", .string(script.sha1)] + tail)
        } catch let error as RedisServerError where error.code == "NOSCRIPT" {
            return try await self.send(["EVAL", .string(script.source)] + tail)
        }
    }

    // MARK: Internals

    /// Runs `commands` on one connection, retrying on another when the request provably was not sent.
    private func execute(_ commands: [[RESPArgument]]) async throws -> [Result<RESPValue, any Error>] {
        var attemptsLeft = self.pool.withLockedValue { $0.maximumConnections } + 1
        while true {
            attemptsLeft -= 1
            let results = try await self.withConnection { connection, slotID in
                var results: [Result<RESPValue, any Error>] = []
                results.reserveCapacity(commands.count)
                for future in connection.execute(commands, timeout: self.commandTimeout) {
                    do {
                        let value = try await future.get()
                        if let message = value.errorMessage {
                            results.append(.failure(RedisServerError(message: message)))
                        } else {
                            results.append(.success(value))
                        }
                    } catch {
                        results.append(.failure(error))
                    }
                }
                if case .failure(let error as RedisClientError) = results.first, !error.requestMayHaveBeenSent {
                    // The connection is dead but not yet out of the pool; take it out now.
                    self.pool.withLockedValue { $0.remove(slotID: slotID) }
                }
                return results
            }
            if attemptsLeft > 0, case .failure(let error as RedisClientError) = results.first,
                !error.requestMayHaveBeenSent
            {
                continue
            }
            return results
        }
    }

    /// Leases a connection, opening one if the pool decides so, and runs `body` with it.
    private func withConnection<Result>(
        _ body: (RedisConnection, Int) async throws -> Result
    ) async throws -> Result {
        let action = self.pool.withLockedValue { pool in
            pool.lease { self.eventLoopGroup.any().makePromise(of: RedisConnection.self) }
        }
        let slotID: Int
        let connection: RedisConnection
        switch action {
        case .closed:
            throw RedisClientError(.poolClosed)
        case .use(let id, let promise):
            slotID = id
            do {
                connection = try await promise.futureResult.get()
            } catch {
                self.pool.withLockedValue { $0.release(slotID: id) }
                throw error
            }
        case .create(let id, let promise):
            slotID = id
            connection = try await self.open(slotID: id, promise: promise)
        }
        defer { self.pool.withLockedValue { $0.release(slotID: slotID) } }
        return try await body(connection, slotID)
    }

    private func open(slotID: Int, promise: EventLoopPromise<RedisConnection>) async throws -> RedisConnection {
        let logger = {
            var logger = self.logger
            logger[metadataKey: "memoryhub.redis.connection.id"] = "\(slotID)"
            return logger
        }()
        do {
            let connection = try await RedisConnection.connect(
                configuration: self.configuration,
                eventLoopGroup: self.eventLoopGroup,
                logger: logger
            )
            logger.debug(
                "Redis connection opened",
                metadata: ["memoryhub.redis.protocol": "\(connection.protocolVersion.rawValue)"]
            )
            connection.channel.closeFuture.whenComplete { _ in
                logger.debug("Redis connection closed")
                self.pool.withLockedValue { $0.remove(slotID: slotID) }
            }
            promise.succeed(connection)
            return connection
        } catch {
            logger.debug(
                "Redis connection failed",
                metadata: ["memoryhub.redis.error": "\(String(reflecting: error))"]
            )
            self.pool.withLockedValue { $0.remove(slotID: slotID) }
            promise.fail(error)
            throw error
        }
    }

    private static func milliseconds(roundingUp duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        var milliseconds = seconds * 1000 + attoseconds / attosecondsPerMillisecond
        if attoseconds % attosecondsPerMillisecond > 0 {
            milliseconds += 1
        }
        return Int(max(1, milliseconds))
    }
}
