package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// No cache: every read goes to the store. Chosen with `--no-cache` (`MEMORYHUB_CACHE=off`), and
/// the baseline the benchmarks compare the caches with. Reads are still counted as misses.
package final class DisabledSessionCache: SessionCache {
    package let metrics = CacheMetrics(name: "session", backend: "none")

    package init() {}

    package func session(id: UUID) async -> Session? {
        metrics.miss()
        return nil
    }

    package func store(_ session: Session) async {}

    package func remove(id: UUID) async {}

    package var statistics: CacheStatistics { metrics.snapshot(entries: 0) }
}
