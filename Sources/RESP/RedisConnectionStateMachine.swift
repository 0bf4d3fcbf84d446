import NIOCore

/// The command queue of one connection as a pure state machine: the channel handler reports events, and
/// performs the actions returned. Replies are matched to commands in FIFO order; push frames match none.
///
/// Generic over the pending command so that it can be tested without promises or channels.
package struct RedisConnectionStateMachine<Command> {
    private struct Entry {
        var id: UInt64
        var command: Command
    }

    private var pending = CircularBuffer<Entry>()
    private var isClosed = false

    /// Creates the state machine of an open connection with nothing in flight.
    package init() {}

    /// Whether the connection has been closed or has failed.
    package var isActive: Bool { !self.isClosed }

    /// Commands awaiting replies.
    package var pendingCount: Int { self.pending.count }

    /// What to do with a new command.
    package enum EnqueueAction {
        /// Write the command; its reply will come through ``replyReceived(_:)``.
        case write
        /// Fail the command at once with this error: the connection is closed and it was never sent.
        case fail(RedisClientError)
    }

    /// What to do with a decoded value.
    package enum ReplyAction {
        /// Complete the command with the value (which may be an error reply).
        case succeed(Command, RESPValue)
        /// Nothing: a push frame, or a value arriving after the connection failed.
        case ignore
        /// The server sent a reply nobody asked for: fail these commands with the error and close the connection.
        case failAllAndClose([Command], RedisClientError)
    }

    /// What to do when a command's timer fires.
    package enum TimeoutAction {
        /// Nothing: the command has been answered or failed already.
        case none
        /// Fail `timedOut` with a timeout and `others` with connection-closed, then close the connection,
        /// since any reply still coming would be matched to the wrong command.
        case failAndClose(timedOut: Command, others: [Command])
    }

    /// What to do when the connection fails or closes.
    package enum CloseAction {
        /// Nothing is pending.
        case none
        /// Fail these commands with the error.
        case failAll([Command], RedisClientError)
    }

    /// A command is about to be written; `id` identifies it to ``timeoutFired(id:)``.
    package mutating func enqueue(_ command: Command, id: UInt64) -> EnqueueAction {
        guard !self.isClosed else {
            var error = RedisClientError(.connectionClosed)
            error.requestMayHaveBeenSent = false
            return .fail(error)
        }
        self.pending.append(Entry(id: id, command: command))
        return .write
    }

    /// A complete value was decoded.
    package mutating func replyReceived(_ value: RESPValue) -> ReplyAction {
        guard !self.isClosed, !value.isPush else {
            return .ignore
        }
        guard let entry = self.pending.popFirst() else {
            self.isClosed = true
            return .failAllAndClose([], RedisClientError(.protocolError, reason: "reply without a pending command"))
        }
        return .succeed(entry.command, value)
    }

    /// The timer of command `id` fired.
    package mutating func timeoutFired(id: UInt64) -> TimeoutAction {
        guard !self.isClosed, let index = self.pending.firstIndex(where: { $0.id == id }) else {
            return .none
        }
        let timedOut = self.pending[index].command
        var others: [Command] = []
        for entryIndex in self.pending.indices where entryIndex != index {
            others.append(self.pending[entryIndex].command)
        }
        self.pending.removeAll()
        self.isClosed = true
        return .failAndClose(timedOut: timedOut, others: others)
    }

    /// The pipeline reported an error, such as a decoding failure; the handler closes the connection.
    package mutating func errorCaught(_ error: any Error) -> CloseAction {
        let clientError: RedisClientError =
            if error is RESPProtocolError || error is ByteToMessageDecoderError {
                RedisClientError(.protocolError, underlying: error)
            } else {
                RedisClientError(.connectionClosed, underlying: error)
            }
        return self.failAll(clientError)
    }

    /// The connection closed.
    package mutating func channelInactive() -> CloseAction {
        self.failAll(RedisClientError(.connectionClosed))
    }

    private mutating func failAll(_ error: RedisClientError) -> CloseAction {
        guard !self.isClosed else {
            return .none
        }
        self.isClosed = true
        let commands = self.pending.map(\.command)
        self.pending.removeAll()
        return commands.isEmpty ? .none : .failAll(commands, error)
    }
}
