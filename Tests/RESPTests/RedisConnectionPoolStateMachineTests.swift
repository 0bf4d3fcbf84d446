import RESP
import Testing

@Suite("Redis connection pool state machine")
struct RedisConnectionPoolStateMachineTests {
    typealias Pool = RedisConnectionPoolStateMachine<String>

    /// Leases and returns which connection was used, and whether it was created.
    static func lease(_ pool: inout Pool, name: String) -> (slot: Int, connection: String, created: Bool)? {
        switch pool.lease(makeConnection: { name }) {
        case .use(let slot, let connection): (slot, connection, false)
        case .create(let slot, let connection): (slot, connection, true)
        case .closed: nil
        }
    }

    @Test("the first command creates a connection; an idle one is reused")
    func reuseIdle() {
        var pool = Pool(maximumConnections: 4)
        let first = Self.lease(&pool, name: "c1")
        #expect(first?.created == true)
        pool.release(slotID: first!.slot)
        let second = Self.lease(&pool, name: "c2")
        #expect(second?.created == false)
        #expect(second?.connection == "c1")
        #expect(pool.connectionCount == 1)
    }

    @Test("busy connections make new ones up to the maximum, then share the least busy")
    func growToMaximum() {
        var pool = Pool(maximumConnections: 2)
        let a = Self.lease(&pool, name: "a")
        let b = Self.lease(&pool, name: "b")
        #expect(a?.created == true)
        #expect(b?.created == true)
        #expect(b?.connection == "b")
        let c = Self.lease(&pool, name: "c")
        #expect(c?.created == false)
        #expect(pool.connectionCount == 2)
        // a and b each have one lease; c went to a (first of equals). Releasing b makes it the least busy.
        pool.release(slotID: b!.slot)
        let d = Self.lease(&pool, name: "d")
        #expect(d?.connection == "b")
    }

    @Test("a removed connection is replaced on next use")
    func removeAndReplace() {
        var pool = Pool(maximumConnections: 1)
        let a = Self.lease(&pool, name: "a")!
        pool.remove(slotID: a.slot)
        pool.release(slotID: a.slot)
        #expect(pool.connectionCount == 0)
        let b = Self.lease(&pool, name: "b")
        #expect(b?.created == true)
        #expect(b?.connection == "b")
    }

    @Test("closing returns every connection and refuses further leases")
    func close() {
        var pool = Pool(maximumConnections: 3)
        _ = Self.lease(&pool, name: "a")
        _ = Self.lease(&pool, name: "b")
        #expect(pool.close().sorted() == ["a", "b"])
        #expect(Self.lease(&pool, name: "c") == nil)
        #expect(pool.close().isEmpty)
    }

    @Test("a pool size below one still allows one connection")
    func minimumSize() {
        var pool = Pool(maximumConnections: 0)
        #expect(pool.maximumConnections == 1)
        #expect(Self.lease(&pool, name: "a")?.created == true)
        #expect(Self.lease(&pool, name: "b")?.created == false)
    }
}
