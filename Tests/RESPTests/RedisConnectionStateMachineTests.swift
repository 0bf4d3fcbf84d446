import RESP
import Testing

@Suite("Redis connection state machine")
struct RedisConnectionStateMachineTests {
    typealias Machine = RedisConnectionStateMachine<String>

    @Test("replies complete commands in the order they were sent")
    func fifo() {
        var machine = Machine()
        for (id, name) in ["a", "b", "c"].enumerated() {
            guard case .write = machine.enqueue(name, id: UInt64(id)) else {
                Issue.record("expected write")
                return
            }
        }
        var completed: [String] = []
        for reply in [RESPValue.integer(1), .simpleError("ERR x"), .null] {
            if case .succeed(let command, let value) = machine.replyReceived(reply) {
                completed.append(command)
                #expect(value == reply)
            }
        }
        #expect(completed == ["a", "b", "c"])
        #expect(machine.pendingCount == 0)
        #expect(machine.isActive)
    }

    @Test("push frames are not matched to a pending command")
    func pushIgnored() {
        var machine = Machine()
        _ = machine.enqueue("get", id: 0)
        guard case .ignore = machine.replyReceived(.push([.bulkString(Array("invalidate".utf8))])) else {
            Issue.record("push frame was matched to a command")
            return
        }
        guard case .ignore = machine.replyReceived(.attribute([], .push([]))) else {
            Issue.record("push frame behind an attribute was matched to a command")
            return
        }
        guard case .succeed("get", .integer(1)) = machine.replyReceived(.integer(1)) else {
            Issue.record("reply was not matched to the command")
            return
        }
    }

    @Test("a reply with nothing pending closes the connection")
    func unexpectedReply() {
        var machine = Machine()
        guard case .failAllAndClose(let commands, let error) = machine.replyReceived(.simpleString("OK")) else {
            Issue.record("expected close")
            return
        }
        #expect(commands.isEmpty)
        #expect(error.code == .protocolError)
        #expect(!machine.isActive)
    }

    @Test("a timeout fails that command with timeout and the rest with connection-closed")
    func timeout() {
        var machine = Machine()
        _ = machine.enqueue("a", id: 1)
        _ = machine.enqueue("b", id: 2)
        _ = machine.enqueue("c", id: 3)
        guard case .failAndClose(let timedOut, let others) = machine.timeoutFired(id: 2) else {
            Issue.record("expected failAndClose")
            return
        }
        #expect(timedOut == "b")
        #expect(others == ["a", "c"])
        #expect(!machine.isActive)
        guard case .none = machine.timeoutFired(id: 3) else {
            Issue.record("a second timeout acted again")
            return
        }
    }

    @Test("a timer for an answered command does nothing")
    func lateTimer() {
        var machine = Machine()
        _ = machine.enqueue("a", id: 7)
        _ = machine.replyReceived(.simpleString("OK"))
        guard case .none = machine.timeoutFired(id: 7) else {
            Issue.record("expected no action")
            return
        }
        #expect(machine.isActive)
    }

    @Test("after close, new commands fail as never sent and late replies are ignored")
    func afterClose() {
        var machine = Machine()
        _ = machine.enqueue("a", id: 0)
        guard case .failAll(let commands, let error) = machine.channelInactive() else {
            Issue.record("expected failAll")
            return
        }
        #expect(commands == ["a"])
        #expect(error.code == .connectionClosed)
        #expect(error.requestMayHaveBeenSent)
        guard case .fail(let enqueueError) = machine.enqueue("b", id: 1) else {
            Issue.record("expected fail")
            return
        }
        #expect(enqueueError.code == .connectionClosed)
        #expect(!enqueueError.requestMayHaveBeenSent)
        guard case .ignore = machine.replyReceived(.integer(1)) else {
            Issue.record("expected ignore")
            return
        }
        guard case .none = machine.channelInactive() else {
            Issue.record("expected nothing on a second close")
            return
        }
    }

    @Test("a decoding error fails pending commands with a protocol error")
    func decodingError() {
        var machine = Machine()
        _ = machine.enqueue("a", id: 0)
        guard case .failAll(let commands, let error) = machine.errorCaught(RESPProtocolError(.invalidTypeByte, offset: 0)) else {
            Issue.record("expected failAll")
            return
        }
        #expect(commands == ["a"])
        #expect(error.code == .protocolError)
    }

    @Test("an I/O error fails pending commands with connection-closed")
    func ioError() {
        struct Reset: Error {}
        var machine = Machine()
        _ = machine.enqueue("a", id: 0)
        guard case .failAll(_, let error) = machine.errorCaught(Reset()) else {
            Issue.record("expected failAll")
            return
        }
        #expect(error.code == .connectionClosed)
        #expect(error.underlying is Reset)
    }
}
