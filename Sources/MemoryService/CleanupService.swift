package import Logging
package import MemoryCore
import MemoryCache
package import MemoryStore
import ServiceLifecycle
import Synchronization
import Foundation

/// Runs session cleanup (stale → ended, old ended → archived) every `cleanupInterval`, as a
/// Service of the ServiceGroup; it stops at graceful shutdown. Each run goes through the
/// ``CleanupCoordinator`` (a lease in the store, so replicas never run it at once, and a record
/// of the run), and `POST /api/memory/admin/cleanup/restart` wakes it early.
package struct CleanupService: Service {
    let coordinator: CleanupCoordinator
    let preparation: StorePreparation

    /// Cleans up the sessions of `services`, once its store is prepared.
    package init(services: MemoryHubServices) {
        self.coordinator = services.cleanup
        self.preparation = services.preparation
    }

    /// Waits for the store to be prepared and a little more, then cleans up every interval (or
    /// when woken) until graceful shutdown.
    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await preparation.wait() }
        } catch {
            return
        }
        coordinator.serviceStarted()
        defer { coordinator.serviceStopped() }
        var delay = min(coordinator.interval, .seconds(30))
        while true {
            let wait = delay
            coordinator.scheduleNext(after: wait)
            await cancelWhenGracefulShutdown { await coordinator.wake.wait(timeout: wait) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            delay = coordinator.interval
            do {
                _ = try await coordinator.run()
            } catch let error as MemoryHubError where error.code == .cleanupRunning {
                // Another replica (or a manual run) has it: its record counts for this cycle.
            } catch {
                coordinator.logger.warning("session cleanup failed", metadata: ["memoryhub.error": "\(error)"])
            }
        }
    }
}

/// What one cleanup run did.
package struct CleanupRunReport: Sendable {
    package var startedAt: Timestamp
    package var completedAt: Timestamp
    /// Active sessions ended for being idle (`timeout`, tag `auto-closed`).
    package var staleSessionsCleaned: Int
    /// Ended sessions archived.
    package var sessionsArchived: Int
    /// Session cache entries dropped or rewritten.
    package var cacheEntriesCleaned: Int
}

/// The cleanup's state for `/api/memory/admin/cleanup/stats` and `/health`.
package struct CleanupStatus: Sendable {
    package var history: JobHistory
    /// Whether this process runs the cleanup Service.
    package var running: Bool
    package var interval: Duration
    package var staleAfter: Duration
    package var archiveAfter: Duration
    package var nextRunAt: Timestamp?
    /// When this process's Service started; nil when it runs none.
    package var serviceStartedAt: Timestamp?

    /// `stopped` when this process runs no cleanup; `unhealthy` when the last run failed or none
    /// completed within two intervals (counted from the Service's start at the earliest, so a
    /// server just started is not unhealthy before its first run is due); else `healthy`.
    package func health(at now: Timestamp) -> String {
        guard running else { return "stopped" }
        if let last = history.lastRun, last.error != nil { return "unhealthy" }
        let reference = [history.lastSuccess?.completedAt, serviceStartedAt].compactMap { $0 }.max()
        guard let reference, reference.seconds(until: now) <= 2 * interval.seconds else { return "unhealthy" }
        return "healthy"
    }
}

/// Session cleanup, coordinated through the store (API-more.md "Administration"): a run takes the
/// job's lease (a row claimed in one transaction, so replicas and CLIs sharing the store never
/// run it at once), is recorded in `job_runs` (start, end, counts, error, host), and keeps
/// nothing in process memory that a restart would lose.
package final class CleanupCoordinator: Sendable {
    static let job = "session_cleanup"
    /// How long a run may hold the lease before another process may take it over.
    static let leaseTime: Double = 15 * 60

    let sessions: SessionManager
    let store: any MemoryStore
    let logger: Logger
    let interval: Duration
    /// Wakes the Service before its next interval (`restart`).
    let wake = EmbeddingSignal()
    private let state = Mutex<(running: Int, nextRunAt: Timestamp?, startedAt: Timestamp?)>((0, nil, nil))
    private let host: String

    init(sessions: SessionManager, store: any MemoryStore, configuration: ServiceConfiguration, logger: Logger) {
        self.sessions = sessions
        self.store = store
        self.logger = logger
        self.interval = configuration.cleanupInterval
        self.host = ProcessInfo.processInfo.hostName + ":" + String(ProcessInfo.processInfo.processIdentifier)
    }

    func serviceStarted() {
        state.withLock {
            $0.running += 1
            $0.startedAt = $0.startedAt ?? .now()
        }
    }
    func serviceStopped() { state.withLock { $0.running -= 1 } }
    func scheduleNext(after delay: Duration) { state.withLock { $0.nextRunAt = Timestamp.now().adding(seconds: delay.seconds) } }

    /// One run now, under the lease. Throws `conflict` (`cleanup_running`) while another run
    /// holds it; a failed run is recorded and rethrown.
    @discardableResult
    package func run() async throws -> CleanupRunReport {
        let holder = host + ":" + UUID().uuidString
        let started = Timestamp.now()
        guard try await store.acquireJobLease(job: Self.job, holder: holder, expires: started.adding(seconds: Self.leaseTime), now: started)
        else {
            throw MemoryHubError(kind: .conflict, code: .cleanupRunning, detail: "A cleanup is running (in this or another process); try again when it ends.")
        }
        do {
            let result = try await sessions.cleanup(now: started)
            // Entries a Redis outage left stale on other replicas go now, not at the next write.
            if let redis = sessions.cache as? RedisSessionCache { await redis.recoverPendingInvalidations() }
            let completed = Timestamp.now()
            let report = CleanupRunReport(
                startedAt: started, completedAt: completed, staleSessionsCleaned: result.closed, sessionsArchived: result.archived,
                cacheEntriesCleaned: result.closed + result.archived)
            try await store.recordJobRun(JobRun(
                job: Self.job, startedAt: started, completedAt: completed,
                counts: ["stale_sessions_cleaned": report.staleSessionsCleaned, "sessions_archived": report.sessionsArchived,
                         "cache_entries_cleaned": report.cacheEntriesCleaned],
                error: nil, host: host))
            try? await store.releaseJobLease(job: Self.job, holder: holder)
            if result.closed + result.archived > 0 {
                logger.info("session cleanup", metadata: [
                    "memoryhub.cleanup.closed": "\(result.closed)", "memoryhub.cleanup.archived": "\(result.archived)",
                ])
            }
            return report
        } catch {
            try? await store.recordJobRun(JobRun(
                job: Self.job, startedAt: started, completedAt: .now(), counts: [:], error: "\(error)", host: host))
            try? await store.releaseJobLease(job: Self.job, holder: holder)
            throw error
        }
    }

    /// What the store remembers of the runs, and this process's Service.
    package func status() async throws -> CleanupStatus {
        let history = try await store.jobHistory(job: Self.job)
        let (running, next, started) = state.withLock { ($0.running > 0, $0.nextRunAt, $0.startedAt) }
        return CleanupStatus(
            history: history, running: running, interval: interval, staleAfter: sessions.configuration.staleAfter,
            archiveAfter: sessions.configuration.archiveAfter, nextRunAt: running ? next : nil, serviceStartedAt: running ? started : nil)
    }

    /// `restart`: wakes this process's cleanup Service so a run starts now, in the background.
    /// Throws `conflict` (`cleanup_disabled`) when this process runs no cleanup Service.
    package func wakeService() throws {
        guard state.withLock({ $0.running > 0 }) else {
            throw MemoryHubError(kind: .conflict, code: .cleanupDisabled, detail: "This process runs no cleanup service (it runs in memoryhub serve).")
        }
        wake.raise()
    }
}
