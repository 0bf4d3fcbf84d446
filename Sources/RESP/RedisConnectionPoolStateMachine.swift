/// The connection pool of ``RedisClient`` as a pure state machine.
///
/// Connections are made on demand, up to a maximum. Because every connection pipelines, a command does not
/// need a connection to itself: it goes to the connection with the fewest commands in flight, and a new
/// connection is opened only while every existing one is busy and the maximum is not reached.
///
/// Generic over the connection handle (the client uses a promise of a connection, so that commands can
/// wait for a connection still being made) so that it can be tested without I/O.
package struct RedisConnectionPoolStateMachine<Connection> {
    fileprivate struct Slot {
        var id: Int
        var connection: Connection
        var leases: Int
    }

    private var slots: [Slot] = []
    private var nextSlotID = 0
    private var isClosed = false

    /// The most connections the pool holds.
    package let maximumConnections: Int

    /// Creates an empty pool; `maximumConnections` below 1 counts as 1.
    package init(maximumConnections: Int) {
        self.maximumConnections = max(1, maximumConnections)
    }

    /// The number of connections, ready or being made.
    package var connectionCount: Int { self.slots.count }

    /// What a command should do to get a connection.
    package enum LeaseAction {
        /// Use this existing connection (it may still be being made).
        case use(slotID: Int, Connection)
        /// Make the connection whose handle `makeConnection` returned, then use it.
        case create(slotID: Int, Connection)
        /// The pool is closed.
        case closed
    }

    /// Leases a connection for one request; pair every lease with ``release(slotID:)``.
    package mutating func lease(makeConnection: () -> Connection) -> LeaseAction {
        guard !self.isClosed else {
            return .closed
        }
        let leastBusy = self.slots.indices.min { self.slots[$0].leases < self.slots[$1].leases }
        if let index = leastBusy, self.slots[index].leases == 0 || self.slots.count >= self.maximumConnections {
            self.slots[index].leases += 1
            return .use(slotID: self.slots[index].id, self.slots[index].connection)
        }
        let slot = Slot(id: self.nextSlotID, connection: makeConnection(), leases: 1)
        self.nextSlotID += 1
        self.slots.append(slot)
        return .create(slotID: slot.id, slot.connection)
    }

    /// A request on the connection finished.
    package mutating func release(slotID: Int) {
        if let index = self.slots.firstIndex(where: { $0.id == slotID }), self.slots[index].leases > 0 {
            self.slots[index].leases -= 1
        }
    }

    /// The connection failed to open or closed: forget it, so the next command opens a new one.
    package mutating func remove(slotID: Int) {
        self.slots.removeAll { $0.id == slotID }
    }

    /// Closes the pool; returns the connections to close. Later leases get ``LeaseAction/closed``.
    package mutating func close() -> [Connection] {
        self.isClosed = true
        let connections = self.slots.map(\.connection)
        self.slots.removeAll()
        return connections
    }
}

extension RedisConnectionPoolStateMachine: Sendable where Connection: Sendable {}
extension RedisConnectionPoolStateMachine.Slot: Sendable where Connection: Sendable {}
