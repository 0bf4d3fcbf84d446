/// The RESP version a connection speaks, agreed in its handshake.
package enum RedisProtocolVersion: Int, Sendable, Hashable {
    /// RESP2: the server does not know `HELLO 3` (before Redis 6) or refused it.
    case resp2 = 2
    /// RESP3, negotiated with `HELLO 3`.
    case resp3 = 3
}
