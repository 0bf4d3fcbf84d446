import Logging
import ServiceLifecycle

/// Runs session cleanup (stale → ended, old ended → archived) every `cleanupInterval`, as a
/// Service of the ServiceGroup; it stops at graceful shutdown. The work it does is recorded in
/// the store, so nothing is lost on restart: the next run simply finds what is still due.
package struct CleanupService: Service {
    let sessions: SessionManager
    let preparation: StorePreparation
    let interval: Duration

    /// Cleans up the sessions of `services`, once its store is prepared.
    package init(services: MemoryHubServices) {
        self.sessions = services.sessions
        self.preparation = services.preparation
        self.interval = sessions.configuration.cleanupInterval
    }

    /// Waits for the store to be prepared and a little more, then cleans up every `interval`
    /// until graceful shutdown.
    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await preparation.wait() }
        } catch {
            return
        }
        var delay = min(interval, .seconds(30))
        while true {
            let wait = delay
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            delay = interval
            do {
                let result = try await sessions.cleanup()
                if result.closed + result.archived > 0 {
                    sessions.logger.info("session cleanup", metadata: [
                        "memoryhub.cleanup.closed": "\(result.closed)", "memoryhub.cleanup.archived": "\(result.archived)",
                    ])
                }
            } catch {
                sessions.logger.warning("session cleanup failed", metadata: ["memoryhub.error": "\(error)"])
            }
        }
    }
}
