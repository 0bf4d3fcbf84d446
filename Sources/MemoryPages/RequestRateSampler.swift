package import ServiceLifecycle

/// Reads the request counters and the embedding queue every `interval`, so the status page's
/// charts have a history even when nobody looks at it. Runs in the server's ServiceGroup until
/// shutdown.
package struct RequestRateSampler: Service {
    let history: RequestRateHistory
    let metricsText: (@Sendable () -> String)?
    let backlog: @Sendable () -> Int?
    let interval: Duration

    package func run() async throws {
        // A service that returns early would stop the whole group: without counters, wait for shutdown.
        guard let metricsText else { return try await gracefulShutdown() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = history.record(metricsText: metricsText(), backlog: backlog())
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }
}
