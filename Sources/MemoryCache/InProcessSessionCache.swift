package import MemoryCore
import Synchronization
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The embedded mode's session cache: a bounded LRU with a TTL, holding Session values.
///
/// Coherence with other processes on the same SQLite file: when a `CacheCoherenceSource` is
/// given, each read asks it whether anything was committed elsewhere since the entry was last
/// checked; if so, the entry's version is compared with the store's before it is served. Entries
/// written by this process are checked once on their first read, because another process may
/// have committed between our commit and our write to the cache.
package final class InProcessSessionCache: SessionCache {
    package struct Configuration: Sendable {
        /// Entries held at most; the least recently used go first.
        package var capacity: Int = 10_000
        /// How long an entry may be served without being refreshed.
        package var timeToLive: Duration = .seconds(3600)

        /// The defaults above, with any value given here instead.
        package init(capacity: Int? = nil, timeToLive: Duration? = nil) {
            if let capacity { self.capacity = capacity }
            if let timeToLive { self.timeToLive = timeToLive }
        }
    }

    private struct Entry {
        /// Nil for a tombstone left by `remove`.
        var session: Session?
        var version: Int64
        var expires: ContinuousClock.Instant
        /// The change generation at which the entry was last known current; nil when unchecked.
        var checkedAt: Int64?
    }

    private let configuration: Configuration
    private let coherence: (any CacheCoherenceSource)?
    /// The time entries expire by: the continuous clock, or a test's manual one.
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<LRUMap<UUID, Entry>>
    package let metrics: CacheMetrics

    /// A cache; `now` tells the time for expiry (tests pass a manual clock instead of sleeping).
    package init(
        configuration: Configuration = .init(), coherence: (any CacheCoherenceSource)? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.configuration = configuration
        self.coherence = coherence
        self.now = now
        self.state = Mutex(LRUMap(capacity: max(1, configuration.capacity)))
        self.metrics = CacheMetrics(name: "session", backend: "memory")
    }

    package var statistics: CacheStatistics {
        metrics.snapshot(entries: state.withLock { $0.count })
    }

    package func session(id: UUID) async -> Session? {
        let start = ContinuousClock.now
        defer { metrics.recordLatency(nanoseconds: (ContinuousClock.now - start).nanoseconds) }
        let now = self.now()
        guard let entry = state.withLock({ map -> Entry? in
            guard let entry = map.value(forKey: id) else { return nil }
            if entry.expires <= now {
                map.removeValue(forKey: id)
                return nil
            }
            return entry
        }), let session = entry.session else {
            metrics.miss()
            return nil
        }
        guard let coherence else {
            metrics.hit()
            return session
        }
        do {
            let generation = try await coherence.changeGeneration()
            if entry.checkedAt == generation {
                metrics.hit()
                return session
            }
            let current = try await coherence.sessionVersion(id: id)
            guard current == entry.version else {
                state.withLock { map in
                    if map.peek(id)?.version == entry.version { map.removeValue(forKey: id) }
                }
                metrics.invalidation()
                metrics.miss()
                return nil
            }
            state.withLock { map in
                if var latest = map.peek(id), latest.version == entry.version {
                    latest.checkedAt = generation
                    map.set(latest, forKey: id)
                }
            }
            metrics.hit()
            return session
        } catch {
            metrics.error()
            metrics.miss()
            return nil
        }
    }

    package func store(_ session: Session) async {
        let expires = now() + configuration.timeToLive
        let evicted = state.withLock { map -> Bool in
            if let existing = map.peek(session.id), existing.version >= session.version,
               existing.expires > now()
            {
                return false
            }
            return map.set(Entry(session: session, version: session.version, expires: expires, checkedAt: nil), forKey: session.id) != nil
        }
        metrics.fill()
        if evicted { metrics.eviction() }
    }

    package func remove(id: UUID) async {
        let expires = now() + configuration.timeToLive
        state.withLock { map in
            _ = map.set(Entry(session: nil, version: .max, expires: expires, checkedAt: nil), forKey: id)
        }
        metrics.invalidation()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
