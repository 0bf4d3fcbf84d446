package import ServiceLifecycle

/// Reads the request counters every `interval`, so the status page's chart has a history even
/// when nobody looks at it. Runs in the server's ServiceGroup until shutdown.
package struct RequestRateSampler: Service {
    let history: RequestRateHistory
    let metricsText: (@Sendable () -> String)?
    let interval: Duration

    package func run() async throws {
        // A service that returns early would stop the whole group: without counters, wait for shutdown.
        guard let metricsText else { return try await gracefulShutdown() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = history.record(metricsText: metricsText())
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }
}
