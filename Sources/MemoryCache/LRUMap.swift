/// A map that remembers the order of use and drops the least recently used entry beyond its
/// capacity. O(1) for every operation: a dictionary of slots in a doubly linked list over an array.
package struct LRUMap<Key: Hashable, Value> {
    private struct Slot {
        var key: Key
        var value: Value
        var previous: Int
        var next: Int
    }

    let capacity: Int
    private var slots: [Slot] = []
    private var index: [Key: Int] = [:]
    private var freeSlots: [Int] = []
    /// Most recently used.
    private var head = -1
    /// Least recently used.
    private var tail = -1

    package init(capacity: Int) {
        precondition(capacity > 0, "an LRU map needs room for at least one entry")
        self.capacity = capacity
    }

    package var count: Int { index.count }

    /// The value, marking it as just used.
    package mutating func value(forKey key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        moveToFront(slot)
        return slots[slot].value
    }

    /// The value, without changing the order of use.
    package func peek(_ key: Key) -> Value? {
        index[key].map { slots[$0].value }
    }

    /// Sets the value and marks it as just used; returns the entry dropped to make room, if any.
    @discardableResult
    package mutating func set(_ value: Value, forKey key: Key) -> (key: Key, value: Value)? {
        if let slot = index[key] {
            slots[slot].value = value
            moveToFront(slot)
            return nil
        }
        var evicted: (key: Key, value: Value)?
        if index.count >= capacity, tail >= 0 {
            let oldKey = slots[tail].key
            evicted = (oldKey, slots[tail].value)
            removeValue(forKey: oldKey)
        }
        let slot: Int
        if let reused = freeSlots.popLast() {
            slots[reused] = Slot(key: key, value: value, previous: -1, next: head)
            slot = reused
        } else {
            slots.append(Slot(key: key, value: value, previous: -1, next: head))
            slot = slots.count - 1
        }
        if head >= 0 { slots[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
        index[key] = slot
        return evicted
    }

    @discardableResult
    package mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = index.removeValue(forKey: key) else { return nil }
        unlink(slot)
        freeSlots.append(slot)
        return slots[slot].value
    }

    private mutating func unlink(_ slot: Int) {
        let previous = slots[slot].previous
        let next = slots[slot].next
        if previous >= 0 { slots[previous].next = next } else { head = next }
        if next >= 0 { slots[next].previous = previous } else { tail = previous }
        slots[slot].previous = -1
        slots[slot].next = -1
    }

    private mutating func moveToFront(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        slots[slot].next = head
        if head >= 0 { slots[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
