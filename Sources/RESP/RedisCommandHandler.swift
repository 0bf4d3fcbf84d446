package import Logging
package import NIOCore

/// Writes requests and matches replies to them in FIFO order, with a timer per command.
///
/// The write promise of a request succeeds once the handler owns the request's promises; if it fails, the
/// request never reached the handler and the writer must fail them itself.
package final class RedisCommandHandler: ChannelDuplexHandler {
    package typealias InboundIn = RESPValue
    package typealias OutboundIn = RedisRequest
    package typealias OutboundOut = ByteBuffer

    private struct PendingCommand {
        var promise: EventLoopPromise<RESPValue>
        var timer: Scheduled<Void>

        func fail(_ error: any Error) {
            self.timer.cancel()
            self.promise.fail(error)
        }
    }

    private var stateMachine = RedisConnectionStateMachine<PendingCommand>()
    private var nextCommandID: UInt64 = 0
    private var context: ChannelHandlerContext?
    private let logger: Logger

    /// Creates a handler that logs connection events to `logger`.
    package init(logger: Logger) {
        self.logger = logger
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 64 * request.commands.count)
        for (command, commandPromise) in zip(request.commands, request.promises) {
            let id = self.nextCommandID
            self.nextCommandID &+= 1
            let timer = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout) {
                self.timeoutFired(id: id)
            }
            let pending = PendingCommand(promise: commandPromise, timer: timer)
            switch self.stateMachine.enqueue(pending, id: id) {
            case .write:
                RESPCommandEncoder.encode(command, into: &buffer)
            case .fail(let error):
                pending.fail(error)
            }
        }
        promise?.succeed(())
        if buffer.readableBytes > 0 {
            context.write(self.wrapOutboundOut(buffer), promise: nil)
        }
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = self.unwrapInboundIn(data)
        switch self.stateMachine.replyReceived(value) {
        case .succeed(let pending, let value):
            pending.timer.cancel()
            pending.promise.succeed(value)
        case .ignore:
            if value.isPush {
                self.logger.trace("Ignoring RESP3 push frame")
            }
        case .failAllAndClose(let commands, let error):
            self.logger.debug("Closing Redis connection after an unexpected reply")
            for pending in commands {
                pending.fail(error)
            }
            context.close(promise: nil)
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug(
            "Closing Redis connection after an error",
            metadata: ["memoryhub.redis.error": "\(String(reflecting: error))"]
        )
        if case .failAll(let commands, let clientError) = self.stateMachine.errorCaught(error) {
            for pending in commands {
                pending.fail(clientError)
            }
        }
        context.close(promise: nil)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        if case .failAll(let commands, let error) = self.stateMachine.channelInactive() {
            for pending in commands {
                pending.fail(error)
            }
        }
        context.fireChannelInactive()
    }

    private func timeoutFired(id: UInt64) {
        guard case .failAndClose(let timedOut, let others) = self.stateMachine.timeoutFired(id: id) else {
            return
        }
        self.logger.debug("Redis command timed out; closing its connection")
        timedOut.fail(RedisClientError(.timeout))
        let closed = RedisClientError(.connectionClosed, reason: "an earlier command on the connection timed out")
        for pending in others {
            pending.fail(closed)
        }
        self.context?.close(promise: nil)
    }
}

/// The handler lives on its channel's event loop.
@available(*, unavailable)
extension RedisCommandHandler: Sendable {}
