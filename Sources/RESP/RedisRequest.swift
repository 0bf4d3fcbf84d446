package import NIOCore

/// A batch of commands written with one flush; their replies complete `promises` in order.
package struct RedisRequest: Sendable {
    /// The commands, each a name and arguments.
    package var commands: [[RESPArgument]]
    /// One promise per command, completed with its reply.
    package var promises: [EventLoopPromise<RESPValue>]
    /// How long each command may wait for its reply, from when it is written.
    package var timeout: TimeAmount

    /// Creates a request; `promises` must have one element per command.
    package init(commands: [[RESPArgument]], promises: [EventLoopPromise<RESPValue>], timeout: TimeAmount) {
        self.commands = commands
        self.promises = promises
        self.timeout = timeout
    }
}
