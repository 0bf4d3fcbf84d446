import MemoryCore
import MemoryStore
import MemoryCache
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The in-process vectors of the most recently searched users, each kept in step with the store's
/// change feed before every search: what another process or replica wrote is seen, because the
/// feed is the store's, not this process's. Brute force over contiguous rows (fine to ~10^5 per user).
final class VectorIndex: Sendable {
    private let store: any MemoryStore
    private let users: Mutex<LRUMap<String, UserVectors>>

    init(store: any MemoryStore, maximumUsers: Int) {
        self.store = store
        self.users = Mutex(LRUMap(capacity: max(1, maximumUsers)))
    }

    /// Every memory of the user passing `filter` whose similarity to `query` is at least
    /// `threshold`, best first; only the best `limit` when given.
    func search(userID: String, query: [Float], filter: SearchFilter, threshold: Float, limit: Int? = nil) async throws -> [SemanticHit] {
        let vectors = users.withLock { users in
            if let existing = users.value(forKey: userID) { return existing }
            let created = UserVectors()
            _ = users.set(created, forKey: userID)
            return created
        }
        try await vectors.catchUp(userID: userID, store: store)
        return vectors.snapshot().search(query: query, filter: filter, threshold: threshold, limit: limit)
    }
}

/// One semantic candidate.
struct SemanticHit: Sendable {
    var entry: IndexedMemory
    var similarity: Float
}

/// One user's vectors and the change sequence they reflect.
final class UserVectors: Sendable {
    private let state = Mutex(VectorRows())

    /// Applies the store's changes after the sequence this index has reached. Two concurrent
    /// catch-ups are harmless: a change at or below the sequence already reached is skipped,
    /// and the feed always carries each memory as it now is.
    func catchUp(userID: String, store: any MemoryStore) async throws {
        let from = state.withLock { $0.sequence }
        let changes = try await store.indexChanges(userID: userID, after: from)
        guard !changes.isEmpty else { return }
        state.withLock { rows in
            for change in changes where change.sequence > rows.sequence {
                rows.apply(change)
            }
            rows.sequence = max(rows.sequence, changes.last!.sequence)
        }
    }

    /// A copy to search without holding the lock (the arrays are copy-on-write).
    func snapshot() -> VectorRows {
        state.withLock { $0 }
    }
}

/// Contiguous vectors with their filter fields; deleted rows are recycled.
struct VectorRows: Sendable {
    /// The change sequence reflected; -1 before the first load, since rows written before the
    /// sequence existed carry 0.
    var sequence: Int64 = -1
    var dimension = 0

    init(sequence: Int64 = -1, dimension: Int = 0) {
        self.sequence = sequence
        self.dimension = dimension
    }
    private var slotOf: [UUID: Int] = [:]
    private var entries: [IndexedMemory?] = []
    private var matrix: [Float] = []
    private var freeSlots: [Int] = []

    mutating func apply(_ change: IndexChange) {
        guard var entry = change.entry else {
            if let slot = slotOf.removeValue(forKey: change.id) {
                entries[slot] = nil
                freeSlots.append(slot)
            }
            return
        }
        if dimension == 0 { dimension = entry.vector.count }
        if entry.vector.count != dimension {
            // Vectors of another length come from another embedding model: the old ones can never
            // be compared with them (the store drops them when the model changes), so start over.
            self = VectorRows(sequence: sequence, dimension: entry.vector.count)
        }
        let vector = entry.vector
        entry.vector = []
        let slot: Int
        if let existing = slotOf[change.id] {
            slot = existing
        } else if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = entries.count
            entries.append(nil)
            matrix.append(contentsOf: repeatElement(0, count: dimension))
        }
        slotOf[change.id] = slot
        entries[slot] = entry
        matrix.replaceSubrange(slot * dimension..<(slot + 1) * dimension, with: vector)
    }

    func search(query: [Float], filter: SearchFilter, threshold: Float, limit: Int? = nil) -> [SemanticHit] {
        guard dimension > 0, query.count == dimension else { return [] }
        var scored: [(slot: Int, similarity: Float)] = []
        let everyEntry = filter.isUserOnly
        matrix.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { query in
                for slot in entries.indices {
                    guard let entry = entries[slot], everyEntry || filter.matches(entry) else { continue }
                    let similarity = Self.dot(query.baseAddress!, rows.baseAddress! + slot * dimension, dimension)
                    if similarity >= threshold { scored.append((slot, similarity)) }
                }
            }
        }
        scored.sort { $0.similarity > $1.similarity }
        return scored.prefix(limit ?? scored.count).map { candidate in SemanticHit(entry: entries[candidate.slot]!, similarity: candidate.similarity) }
    }

    /// The dot product, eight lanes at a time.
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var index = 0
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        while index + 8 <= count {
            let x = rawA.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            let y = rawB.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            lanes += x * y
            index += 8
        }
        var sum = lanes.sum()
        while index < count {
            sum += a[index] * b[index]
            index += 1
        }
        return sum
    }
}
