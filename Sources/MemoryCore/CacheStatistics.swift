/// A snapshot of one cache's counters, as `GET /api/memory/admin/cache/stats` shows them.
public struct CacheStatistics: Sendable, Hashable {
    /// `session` or `search`.
    public var name: String
    /// `memory` (in-process), `redis`, `none` or `in-process`.
    public var backend: String
    public var hits: Int
    public var misses: Int
    public var errors: Int
    public var fills: Int
    public var invalidations: Int
    public var evictions: Int
    /// Entries held, where the backend knows.
    public var entries: Int?

    /// A snapshot of these counters.
    public init(
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
    public var hitRatio: Double {
        hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses)
    }
}
