// What every benchmark target shares: percentiles by nearest rank and a timing loop.

/// The sample at or above `p` percent of the samples (nearest rank); 0 for no samples.
package func percentile(_ samples: [Double], _ p: Double) -> Double {
    guard !samples.isEmpty else { return 0 }
    let sorted = samples.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}

/// Milliseconds of each of `runs` calls of `body`, after `warmUp` unmeasured ones.
package func measure(
    isolation: isolated (any Actor)? = #isolation, runs: Int, warmUp: Int = 3, _ body: () async throws -> Void
) async rethrows -> [Double] {
    for _ in 0..<warmUp { try await body() }
    let clock = ContinuousClock()
    var samples: [Double] = []
    samples.reserveCapacity(runs)
    for _ in 0..<runs {
        let start = clock.now
        try await body()
        let elapsed = clock.now - start
        samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    return samples
}
