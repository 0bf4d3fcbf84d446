/// A snapshot of one cache's counters, as `GET /api/memory/admin/cache/stats` shows them.
package struct CacheStatistics: Sendable, Hashable {
    /// `session` or `search`.
    package var name: String
    /// `memory` (in-process), `redis`, `none` or `in-process`.
    package var backend: String
    package var hits: Int
    package var misses: Int
    package var errors: Int
    package var fills: Int
    package var invalidations: Int
    package var evictions: Int
    /// Entries held, where the backend knows.
    package var entries: Int?

    /// A snapshot of these counters.
    package init(
        name: String, backend: String, hits: Int, misses: Int, errors: Int, fills: Int, invalidations: Int, evictions: Int,
        entries: Int?
    ) {
        self.name = name
        self.backend = backend
        self.hits = hits
        self.misses = misses
        self.errors = errors
        self.fills = fills
        self.invalidations = invalidations
        self.evictions = evictions
        self.entries = entries
    }

    /// Hits over lookups; 0 before any lookup.
    package var hitRatio: Double {
        hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses)
    }
}
