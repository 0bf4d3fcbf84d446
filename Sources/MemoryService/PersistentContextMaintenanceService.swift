package import Logging
import MemoryCore
import ServiceLifecycle

/// Decays persistent context every day and removes stale items every week, as a Service of the
/// ServiceGroup; it stops at graceful shutdown. Both are safe to repeat and to run in several
/// replicas at once (decay is a function of the time since the item's last access or decay,
/// which the store keeps; cleanup deletes by age), so a restart loses nothing and a run
/// repeated by another replica changes nothing.
package struct PersistentContextMaintenanceService: Service {
    /// How often each job runs.
    package struct Configuration: Sendable {
        package var decayInterval: Duration = .seconds(24 * 3600)
        package var cleanupInterval: Duration = .seconds(7 * 24 * 3600)
        /// Items unaccessed this long (with low importance and few accesses) are removed.
        package var cleanupMaxAgeDays = 90
        /// The pause after start before the first runs.
        package var initialDelay: Duration = .seconds(60)
        package init() {}
    }

    let context: PersistentContextService
    let preparation: StorePreparation
    let configuration: Configuration
    let logger: Logger

    /// Maintains the persistent context of `services`, once its store is prepared.
    package init(services: MemoryHubServices, configuration: Configuration = .init(), logger: Logger) {
        self.context = services.persistentContext
        self.preparation = services.preparation
        self.configuration = configuration
        self.logger = logger
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await preparation.wait() }
        } catch {
            return
        }
        let clock = ContinuousClock()
        var nextDecay = clock.now + configuration.initialDelay
        var nextCleanup = nextDecay
        while true {
            let next = min(nextDecay, nextCleanup)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(until: next, clock: clock) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            if clock.now >= nextDecay {
                nextDecay = clock.now + configuration.decayInterval
                do {
                    let decayed = try await context.decay(userID: nil)
                    logger.info("persistent context decayed", metadata: ["memoryhub.context.decayed": "\(decayed)"])
                } catch {
                    logger.warning("persistent context decay failed", metadata: ["memoryhub.error": "\(error)"])
                }
            }
            if clock.now >= nextCleanup {
                nextCleanup = clock.now + configuration.cleanupInterval
                do {
                    let removed = try await context.cleanup(userID: nil, maxAgeDays: configuration.cleanupMaxAgeDays)
                    logger.info("persistent context cleaned up", metadata: ["memoryhub.context.removed": "\(removed)"])
                } catch {
                    logger.warning("persistent context cleanup failed", metadata: ["memoryhub.error": "\(error)"])
                }
            }
        }
    }
}
