import MemoryCache
import MemoryCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Compressions already computed, least recently used dropped first, with an index per session
/// so that clearing one session counts and removes its entries without scanning the others.
///
/// An entry remembers the owner's change sequence it was computed under; one read under another
/// sequence is a miss (and goes), so any write to the owner's memories invalidates it.
struct CompressionCache {
    /// One compression's settings; the change sequence is checked on read, not part of the key,
    /// so a session holds at most one entry per setting.
    struct Key: Hashable {
        var sessionID: UUID
        var targetTokens: Int
        var strategy: CompressionStrategy
        var level: CompressionLevel
    }

    private struct Entry {
        var sequence: Int64
        var context: CompressedContext
    }

    private var entries: LRUMap<Key, Entry>
    private var keysBySession: [UUID: Set<Key>] = [:]

    init(capacity: Int) {
        entries = LRUMap(capacity: max(1, capacity))
    }

    var count: Int { entries.count }

    /// The compression stored for `key` under `sequence`; nil (and the entry gone) when it was
    /// computed under another sequence.
    mutating func value(for key: Key, sequence: Int64) -> CompressedContext? {
        guard let entry = entries.value(forKey: key) else { return nil }
        guard entry.sequence == sequence else {
            remove(key)
            return nil
        }
        return entry.context
    }

    mutating func store(_ context: CompressedContext, for key: Key, sequence: Int64) {
        if let evicted = entries.set(Entry(sequence: sequence, context: context), forKey: key) {
            unindex(evicted.key)
        }
        keysBySession[key.sessionID, default: []].insert(key)
    }

    /// Removes one entry; true when there was one.
    @discardableResult
    mutating func remove(_ key: Key) -> Bool {
        guard entries.removeValue(forKey: key) != nil else { return false }
        unindex(key)
        return true
    }

    /// Removes every entry of a session; returns how many there were.
    mutating func removeAll(sessionID: UUID) -> Int {
        guard let keys = keysBySession.removeValue(forKey: sessionID) else { return 0 }
        for key in keys { entries.removeValue(forKey: key) }
        return keys.count
    }

    private mutating func unindex(_ key: Key) {
        keysBySession[key.sessionID]?.remove(key)
        if keysBySession[key.sessionID]?.isEmpty == true { keysBySession[key.sessionID] = nil }
    }
}
