import Logging
import NIOCore
import NIOEmbedded
import RESP
import Testing

/// The channel handler, driven through an `EmbeddedChannel` with the real decoder in front of it.
/// Each test makes its own harness, since an embedded channel must stay on the thread that made it.
struct CommandHandlerHarness {
    let channel: EmbeddedChannel

    init() throws {
        self.channel = EmbeddedChannel()
        try self.channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPValueDecoder()))
        try self.channel.pipeline.syncOperations.addHandler(RedisCommandHandler(logger: Logger(label: "test")))
        try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
    }

    func send(_ commands: [[RESPArgument]], timeout: TimeAmount = .seconds(1)) throws -> [EventLoopFuture<RESPValue>] {
        let promises = commands.map { _ in self.channel.eventLoop.makePromise(of: RESPValue.self) }
        try self.channel.writeOutbound(RedisRequest(commands: commands, promises: promises, timeout: timeout))
        return promises.map(\.futureResult)
    }

    func reply(_ wire: String) throws {
        try self.channel.writeInbound(ByteBuffer(string: wire))
    }

    func written() throws -> String? {
        try self.channel.readOutbound(as: ByteBuffer.self).map { String(decoding: $0.readableBytesView, as: UTF8.self) }
    }

    func result(_ future: EventLoopFuture<RESPValue>) -> Result<RESPValue, any Error>? {
        var result: Result<RESPValue, any Error>?
        future.assumeIsolated().whenComplete { result = $0 }
        return result
    }

    func errorCode(_ future: EventLoopFuture<RESPValue>) -> RedisClientError.Code? {
        guard case .failure(let error as RedisClientError) = self.result(future) else { return nil }
        return error.code
    }
}

@Suite("Redis command handler")
struct RedisCommandHandlerTests {
    @Test("a request is written as one buffer and replies complete it in order, skipping push frames")
    func pipelinedRequest() throws {
        let h = try CommandHandlerHarness()
        let futures = try h.send([["SET", "k", "v"], ["GET", "k"], ["GET", "missing"]])
        #expect(try h.written() == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n")
        #expect(try h.written() == nil)
        try h.reply("+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$1\r\n")
        #expect(try h.result(futures[0])?.get() == .simpleString("OK"))
        #expect(h.result(futures[1]) == nil)
        try h.reply("v\r\n_\r\n")
        #expect(try h.result(futures[1])?.get() == .bulkString(Array("v".utf8)))
        #expect(try h.result(futures[2])?.get() == .null)
        #expect(h.channel.isActive)
    }

    @Test("error replies are values for the handler; the client decides what to throw")
    func errorReply() throws {
        let h = try CommandHandlerHarness()
        let futures = try h.send([["INCR", "s"]])
        try h.reply("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        #expect(try h.result(futures[0])?.get().errorMessage?.hasPrefix("WRONGTYPE") == true)
    }

    @Test("a command without a reply in time fails with timeout and closes the connection")
    func timeout() throws {
        let h = try CommandHandlerHarness()
        let slow = try h.send([["BLPOP", "q", "0"]], timeout: .milliseconds(100))
        let behind = try h.send([["PING"]], timeout: .seconds(10))
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(99))
        #expect(h.result(slow[0]) == nil)
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(h.errorCode(slow[0]) == .timeout)
        #expect(h.errorCode(behind[0]) == .connectionClosed)
        #expect(!h.channel.isActive)
    }

    @Test("an answered command's timer does nothing")
    func answeredBeforeTimeout() throws {
        let h = try CommandHandlerHarness()
        let futures = try h.send([["PING"]], timeout: .milliseconds(100))
        try h.reply("+PONG\r\n")
        h.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try h.result(futures[0])?.get() == .simpleString("PONG"))
        #expect(h.channel.isActive)
    }

    @Test("a reply nobody asked for closes the connection")
    func unsolicitedReply() throws {
        let h = try CommandHandlerHarness()
        try h.reply("+OK\r\n")
        #expect(!h.channel.isActive)
    }

    @Test("malformed bytes fail pending commands with a protocol error and close the connection")
    func malformedReply() throws {
        let h = try CommandHandlerHarness()
        let futures = try h.send([["PING"]])
        // The handler consumes the decoding error, so it does not reach the end of the pipeline.
        try h.reply("?garbage\r\n")
        #expect(h.errorCode(futures[0]) == .protocolError)
        #expect(!h.channel.isActive)
    }

    @Test("the connection closing fails pending commands; later ones fail as never sent")
    func closed() throws {
        let h = try CommandHandlerHarness()
        let pending = try h.send([["GET", "a"], ["GET", "b"]])
        try h.channel.close().wait()
        #expect(h.errorCode(pending[0]) == .connectionClosed)
        #expect(h.errorCode(pending[1]) == .connectionClosed)
    }

    @Test("a command written after the handler saw the connection close fails as never sent")
    func writeAfterInactive() throws {
        let h = try CommandHandlerHarness()
        h.channel.pipeline.fireChannelInactive()
        let futures = try h.send([["PING"]])
        guard case .failure(let error as RedisClientError) = h.result(futures[0]) else {
            Issue.record("expected a client error")
            return
        }
        #expect(error.code == .connectionClosed)
        #expect(!error.requestMayHaveBeenSent)
        #expect(try h.written() == nil)
    }
}
