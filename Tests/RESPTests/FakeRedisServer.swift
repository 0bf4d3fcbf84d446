import NIOCore
import NIOPosix
import RESP
import Synchronization

/// A scripted stand-in for Redis on 127.0.0.1, for testing the client's handshake, timeouts and reconnection
/// without a real server. It records every command it receives.
final class FakeRedisServer: Sendable {
    /// What the server does with a command.
    enum Reply: Sendable {
        /// Send these values.
        case values([RESPValue])
        /// Send nothing.
        case none
        /// Close the connection.
        case close
    }

    typealias Responder = @Sendable ([String]) -> Reply

    /// The event loops of the fake servers and of the clients the suites point at them: their own,
    /// not the process-wide singleton. When every suite starts at once, the singleton's two loops
    /// queue hundreds of other tests' connections (PostgreSQL migrations, HTTP servers), and a
    /// scripted close waited there longer than a command's timeout.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    private struct State {
        var commands: [[String]] = []
        var connectionCount = 0
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    private let serverChannel: any Channel
    private let state: Mutex<State>
    let port: Int

    /// Answers like Redis 7 to the handshake and a few commands; anything else gets `+OK`.
    static func standardReply(_ command: [String]) -> Reply {
        switch command.first?.uppercased() {
        case "HELLO":
            .values([.map([
                .init(key: .bulkString(Array("server".utf8)), value: .bulkString(Array("redis".utf8))),
                .init(key: .bulkString(Array("version".utf8)), value: .bulkString(Array("7.0.0".utf8))),
                .init(key: .bulkString(Array("proto".utf8)), value: .integer(3)),
            ])])
        case "PING":
            .values([.simpleString("PONG")])
        case "ECHO":
            .values([.bulkString(Array((command.dropFirst().first ?? "").utf8))])
        default:
            .values([.simpleString("OK")])
        }
    }

    private init(serverChannel: any Channel) {
        self.serverChannel = serverChannel
        self.state = Mutex(State())
        self.port = serverChannel.localAddress!.port!
    }

    static func start(respond: @escaping Responder = FakeRedisServer.standardReply) async throws -> FakeRedisServer {
        let box = StateBox()
        let channel = try await ServerBootstrap(group: Self.eventLoops)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPValueDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(respond: respond, server: box)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = FakeRedisServer(serverChannel: channel)
        box.server.withLock { $0 = server }
        return server
    }

    /// Every command received, on all connections, in arrival order.
    var commands: [[String]] {
        self.state.withLock { $0.commands }
    }

    /// How many connections were accepted.
    var connectionCount: Int {
        self.state.withLock { $0.connectionCount }
    }

    /// Closes every client connection, as `CLIENT KILL` would.
    func closeClientConnections() async {
        let channels = self.state.withLock { Array($0.channels.values) }
        for channel in channels {
            try? await channel.close()
        }
    }

    func stop() async {
        await self.closeClientConnections()
        try? await self.serverChannel.close()
    }

    fileprivate func accepted(_ channel: any Channel) {
        self.state.withLock {
            $0.connectionCount += 1
            $0.channels[ObjectIdentifier(channel)] = channel
        }
    }

    fileprivate func closed(_ channel: any Channel) {
        _ = self.state.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    fileprivate func received(_ command: [String]) {
        self.state.withLock { $0.commands.append(command) }
    }

    /// Lets child channels reach the server object, which exists only once bound.
    private final class StateBox: Sendable {
        let server = Mutex<FakeRedisServer?>(nil)
    }

    private final class ConnectionHandler: ChannelInboundHandler {
        typealias InboundIn = RESPValue
        typealias OutboundOut = ByteBuffer

        let respond: Responder
        let server: StateBox

        init(respond: @escaping Responder, server: StateBox) {
            self.respond = respond
            self.server = server
        }

        func channelActive(context: ChannelHandlerContext) {
            self.server.server.withLock { $0 }?.accepted(context.channel)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.server.server.withLock { $0 }?.closed(context.channel)
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let command = (self.unwrapInboundIn(data).array ?? []).map { $0.string ?? "" }
            self.server.server.withLock { $0 }?.received(command)
            switch self.respond(command) {
            case .values(let values):
                var buffer = context.channel.allocator.buffer(capacity: 64)
                for value in values {
                    value.encode(into: &buffer)
                }
                context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
            case .none:
                break
            case .close:
                context.close(promise: nil)
            }
        }
    }
}
