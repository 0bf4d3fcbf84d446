import Synchronization
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A token bucket (the classic traffic-shaping algorithm): up to `burst` requests at once, then
/// `rate` per second on average. Pure: the caller passes the time.
public struct TokenBucket: Sendable {
    /// Tokens added per second.
    public var rate: Double
    /// The most tokens the bucket holds.
    public var burst: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// A full bucket at `now`.
    public init(rate: Double, burst: Double, now: ContinuousClock.Instant) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = now
    }

    /// True when the bucket would be full at `now` (forgetting it then changes nothing).
    public func isFull(at now: ContinuousClock.Instant) -> Bool {
        tokens(at: now) >= burst
    }

    /// Takes one token: nil when there was one, else how long until there will be.
    public mutating func take(at now: ContinuousClock.Instant) -> Duration? {
        tokens = tokens(at: now)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .milliseconds(Int64(((1 - tokens) / rate * 1000).rounded(.up)))
    }

    private func tokens(at now: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (now - updated).components
        return min(burst, tokens + (Double(seconds) + Double(attoseconds) / 1e18) * rate)
    }
}

/// One token bucket per API key id, in this process: with several replicas, each allows the rate
/// (the README says so). Bounded: past 10,000 keys, the buckets that have refilled are dropped
/// (a new bucket starts full, so nothing changes for their keys).
public final class RateLimiter: Sendable {
    /// Requests per second per key, on average.
    public let rate: Double
    /// Requests a key may send at once.
    public let burst: Double
    private let buckets = Mutex<[UUID: TokenBucket]>([:])

    /// `rate` requests per second with bursts of `burst`; both must be positive.
    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Admits one request of `key`: nil when admitted, else how long until it would be.
    public func admit(_ key: UUID, at now: ContinuousClock.Instant = .now) -> Duration? {
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
