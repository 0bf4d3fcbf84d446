package import MemoryCore
import Metrics
import Synchronization

/// Counts what a cache does, both in swift-metrics (for `/metrics`) and locally (for the JSON
/// stats, which must not depend on which metrics backend is bootstrapped).
package final class CacheMetrics: Sendable {
    package let name: String
    package let backend: String
    private let hitCount = Atomic<Int>(0)
    private let missCount = Atomic<Int>(0)
    private let errorCount = Atomic<Int>(0)
    private let fillCount = Atomic<Int>(0)
    private let invalidationCount = Atomic<Int>(0)
    private let evictionCount = Atomic<Int>(0)
    private let hitCounter: Counter
    private let missCounter: Counter
    private let errorCounter: Counter
    private let fillCounter: Counter
    private let invalidationCounter: Counter
    private let evictionCounter: Counter
    private let latency: Metrics.Timer

    package init(name: String, backend: String) {
        self.name = name
        self.backend = backend
        let dimensions = [("cache", name), ("backend", backend)]
        hitCounter = Counter(label: "memoryhub.cache.hits.total", dimensions: dimensions)
        missCounter = Counter(label: "memoryhub.cache.misses.total", dimensions: dimensions)
        errorCounter = Counter(label: "memoryhub.cache.errors.total", dimensions: dimensions)
        fillCounter = Counter(label: "memoryhub.cache.fills.total", dimensions: dimensions)
        invalidationCounter = Counter(label: "memoryhub.cache.invalidations.total", dimensions: dimensions)
        evictionCounter = Counter(label: "memoryhub.cache.evictions.total", dimensions: dimensions)
        latency = Metrics.Timer(label: "memoryhub.cache.latency.seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
    }

    package func hit() { hitCount.add(1, ordering: .relaxed); hitCounter.increment() }
    package func miss() { missCount.add(1, ordering: .relaxed); missCounter.increment() }
    package func error() { errorCount.add(1, ordering: .relaxed); errorCounter.increment() }
    package func fill() { fillCount.add(1, ordering: .relaxed); fillCounter.increment() }
    package func invalidation() { invalidationCount.add(1, ordering: .relaxed); invalidationCounter.increment() }
    package func eviction() { evictionCount.add(1, ordering: .relaxed); evictionCounter.increment() }
    package func recordLatency(nanoseconds: Int64) { latency.recordNanoseconds(nanoseconds) }

    package func snapshot(entries: Int?) -> CacheStatistics {
        CacheStatistics(
            name: name, backend: backend,
            hits: hitCount.load(ordering: .relaxed), misses: missCount.load(ordering: .relaxed),
            errors: errorCount.load(ordering: .relaxed), fills: fillCount.load(ordering: .relaxed),
            invalidations: invalidationCount.load(ordering: .relaxed),
            evictions: evictionCount.load(ordering: .relaxed), entries: entries)
    }
}
