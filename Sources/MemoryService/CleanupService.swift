import Logging
public import ServiceLifecycle

/// Runs session cleanup (stale → ended, old ended → archived) every `cleanupInterval`, as a
/// Service of the ServiceGroup; it stops at graceful shutdown. The work it does is recorded in
/// the store, so nothing is lost on restart: the next run simply finds what is still due.
public struct CleanupService: Service {
    let sessions: SessionManager
    let interval: Duration

    public init(sessions: SessionManager) {
        self.sessions = sessions
        self.interval = sessions.configuration.cleanupInterval
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
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
            try? await gracefulShutdownTask(sleeping: interval)
        }
    }

    private func gracefulShutdownTask(sleeping duration: Duration) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }
}
