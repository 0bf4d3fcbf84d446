import ServiceLifecycle

/// Runs `RedisSessionCache.recoverPendingInvalidations()` every `interval` (1 s) until graceful
/// shutdown, so entries a write could not invalidate during a Redis stall are deleted as soon as
/// Redis answers again, whether or not this replica gets another request.
package struct PendingInvalidationService: Service {
    let cache: RedisSessionCache
    let interval: Duration

    /// Probes `cache` every `interval`.
    package init(cache: RedisSessionCache, interval: Duration = .seconds(1)) {
        self.cache = cache
        self.interval = interval
    }

    package func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            await cache.recoverPendingInvalidations()
        }
    }
}
