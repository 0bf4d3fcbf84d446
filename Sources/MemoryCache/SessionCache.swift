package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The seam through which the service reads sessions. A cache makes reads fast and never makes
/// them wrong: every entry carries the session's version, and a write only replaces an older one.
/// Faults inside a cache are counted and turned into misses; they never fail a request.
package protocol SessionCache: Sendable {
    /// The cached session, or nil on a miss (including any fault of the cache itself).
    func session(id: UUID) async -> Session?
    /// Stores the session unless the entry already holds the same or a newer version.
    func store(_ session: Session) async
    /// Forgets the session, so that no later fill with an older version can bring it back.
    func remove(id: UUID) async
    /// Counters for /metrics and the admin stats.
    var statistics: CacheStatistics { get }
}

/// Tells an in-process cache when another connection or process may have changed the data
/// behind it (SQLite's `PRAGMA data_version`), and what a session's version is now.
package protocol CacheCoherenceSource: Sendable {
    /// Changes whenever another connection committed since the previous call.
    func changeGeneration() async throws -> Int64
    /// The session's current version in the store, nil when it is gone.
    func sessionVersion(id: UUID) async throws -> Int64?
}
