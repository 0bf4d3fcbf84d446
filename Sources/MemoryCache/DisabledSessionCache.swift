public import MemoryCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// No cache: every read goes to the store. Chosen with `--no-cache` (`MEMORYHUB_CACHE=off`), and
/// the baseline the benchmarks compare the caches with. Reads are still counted as misses.
public final class DisabledSessionCache: SessionCache {
    public let metrics = CacheMetrics(name: "session", backend: "none")

    public init() {}

    public func session(id: UUID) async -> Session? {
        metrics.miss()
        return nil
    }

    public func store(_ session: Session) async {}

    public func remove(id: UUID) async {}

    public var statistics: CacheStatistics { metrics.snapshot(entries: 0) }
}
