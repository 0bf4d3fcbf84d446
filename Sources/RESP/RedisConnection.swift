import Logging
import NIOCore
import NIOPosix

/// One TCP connection to Redis, after its handshake, carrying any number of pipelined requests.
final class RedisConnection: Sendable {
    let channel: any Channel
    let protocolVersion: RedisProtocolVersion

    private init(channel: any Channel, protocolVersion: RedisProtocolVersion) {
        self.channel = channel
        self.protocolVersion = protocolVersion
    }

    /// Writes `commands` with one flush; the futures complete with the replies in order, or with a
    /// ``RedisClientError``. Error replies are values here.
    func execute(_ commands: [[RESPArgument]], timeout: TimeAmount) -> [EventLoopFuture<RESPValue>] {
        Self.execute(commands, timeout: timeout, on: self.channel)
    }

    /// Closes the connection; commands in flight fail with ``RedisClientError/Code/connectionClosed``.
    func close() async {
        try? await self.channel.close()
    }

    private static func execute(
        _ commands: [[RESPArgument]],
        timeout: TimeAmount,
        on channel: any Channel
    ) -> [EventLoopFuture<RESPValue>] {
        let promises = commands.map { _ in channel.eventLoop.makePromise(of: RESPValue.self) }
        let request = RedisRequest(commands: commands, promises: promises, timeout: timeout)
        channel.writeAndFlush(request).whenFailure { error in
            // The request never reached the handler: the channel had closed, so nothing was sent.
            var clientError = RedisClientError(.connectionClosed, underlying: error)
            clientError.requestMayHaveBeenSent = false
            for promise in promises {
                promise.fail(clientError)
            }
        }
        return promises.map(\.futureResult)
    }

    /// Connects and performs the handshake: `HELLO 3` (with `AUTH` when credentials are set), falling back to
    /// RESP2 and a plain `AUTH` if the server refuses it; then `SELECT` when the database is not 0.
    static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) async throws -> RedisConnection {
        var limits = RESPValueDecoder.Limits()
        limits.maximumMessageSize = configuration.maximumMessageSize
        limits.maximumBulkLength = min(limits.maximumBulkLength, configuration.maximumMessageSize)
        let decoderLimits = limits

        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(
                                RESPValueDecoder(limits: decoderLimits),
                                maximumBufferSize: decoderLimits.maximumBufferSize
                            )
                        )
                        try channel.pipeline.syncOperations.addHandler(RedisCommandHandler(logger: logger))
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw RedisClientError(.connectionFailed, underlying: error)
        }

        do {
            let version = try await Self.handshake(on: channel, configuration: configuration, logger: logger)
            return RedisConnection(channel: channel, protocolVersion: version)
        } catch {
            try? await channel.close()
            throw RedisClientError(.handshakeFailed, underlying: error)
        }
    }

    private static func handshake(
        on channel: any Channel,
        configuration: RedisConfiguration,
        logger: Logger
    ) async throws -> RedisProtocolVersion {
        let timeout = TimeAmount(configuration.commandTimeout)
        func run(_ command: [RESPArgument]) async throws -> RESPValue {
            try await Self.execute([command], timeout: timeout, on: channel)[0].get()
        }
        func check(_ reply: RESPValue) throws {
            if let message = reply.errorMessage {
                throw RedisServerError(message: message)
            }
        }

        var hello: [RESPArgument] = ["HELLO", "3"]
        if let password = configuration.password {
            hello += ["AUTH", .string(configuration.username ?? "default"), .string(password)]
        }
        let version: RedisProtocolVersion
        let helloReply = try await run(hello)
        if let message = helloReply.errorMessage {
            // Before Redis 6 HELLO is an unknown command; NOPROTO means RESP3 is refused. Either way, RESP2.
            logger.debug(
                "Redis refused HELLO 3; falling back to RESP2",
                metadata: ["memoryhub.redis.error.code": "\(RedisServerError(message: message).code)"]
            )
            version = .resp2
            if let password = configuration.password {
                var auth: [RESPArgument] = ["AUTH"]
                if let username = configuration.username {
                    auth.append(.string(username))
                }
                auth.append(.string(password))
                try check(try await run(auth))
            }
        } else {
            version = .resp3
            if let serverVersion = helloReply.map?.first(where: { $0.key.string == "version" })?.value.string {
                logger.debug("Redis handshake complete", metadata: ["memoryhub.redis.server.version": "\(serverVersion)"])
            }
        }
        if configuration.database != 0 {
            try check(try await run(["SELECT", .integer(configuration.database)]))
        }
        return version
    }
}
