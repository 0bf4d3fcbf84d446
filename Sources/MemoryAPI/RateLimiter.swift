import MemoryService
import Synchronization
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A token bucket (the classic traffic-shaping algorithm): up to `burst` requests at once, then
/// `rate` per second on average. Pure: the caller passes the time.
package struct TokenBucket: Sendable {
    /// Tokens added per second.
    package var rate: Double
    /// The most tokens the bucket holds.
    package var burst: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// A full bucket at `now`.
    package init(rate: Double, burst: Double, now: ContinuousClock.Instant) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = now
    }

    /// True when the bucket would be full at `now` (forgetting it then changes nothing).
    package func isFull(at now: ContinuousClock.Instant) -> Bool {
        tokens(at: now) >= burst
    }

    /// Takes one token: nil when there was one, else how long until there will be.
    package mutating func take(at now: ContinuousClock.Instant) -> Duration? {
        tokens = tokens(at: now)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .milliseconds(Int64(((1 - tokens) / rate * 1000).rounded(.up)))
    }

    private func tokens(at now: ContinuousClock.Instant) -> Double {
        min(burst, tokens + (now - updated).seconds * rate)
    }
}

/// One token bucket per API key id, in this process: with several replicas, each allows the rate
/// (the README says so). Bounded: past 10,000 keys, the buckets that have refilled are dropped
/// (a new bucket starts full, so nothing changes for their keys).
package final class RateLimiter: Sendable {
    /// Requests per second per key, on average.
    package let rate: Double
    /// Requests a key may send at once.
    package let burst: Double
    private let buckets = Mutex<[UUID: TokenBucket]>([:])

    /// `rate` requests per second with bursts of `burst`; both must be positive.
    package init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Admits one request of `key`: nil when admitted, else how long until it would be.
    package func admit(_ key: UUID, at now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            if buckets.count > 10_000 {
                buckets = buckets.filter { !$0.value.isFull(at: now) }
            }
            var bucket = buckets[key] ?? TokenBucket(rate: rate, burst: burst, now: now)
            let wait = bucket.take(at: now)
            buckets[key] = bucket
            return wait
        }
    }
}
