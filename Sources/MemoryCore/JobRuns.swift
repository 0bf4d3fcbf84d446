#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// One recorded run of a background job (the session cleanup): when it ran, where, what it did.
package struct JobRun: Sendable, Equatable {
    package var job: String
    package var startedAt: Timestamp
    /// Nil while running; set when it completed or failed.
    package var completedAt: Timestamp?
    /// The job's counts, e.g. `closed`, `archived`, `cache_entries`.
    package var counts: [String: Int]
    /// Why it failed; nil when it succeeded.
    package var error: String?
    /// The process that ran it (`host:pid`).
    package var host: String

    package init(job: String, startedAt: Timestamp, completedAt: Timestamp?, counts: [String: Int], error: String?, host: String) {
        self.job = job
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.counts = counts
        self.error = error
        self.host = host
    }
}

/// What the store remembers of a job's runs.
package struct JobHistory: Sendable, Equatable {
    /// The newest run that completed without error.
    package var lastSuccess: JobRun?
    /// The newest run, failed or not.
    package var lastRun: JobRun?
    /// Runs that completed without error, ever.
    package var successfulRuns: Int

    package init(lastSuccess: JobRun?, lastRun: JobRun?, successfulRuns: Int) {
        self.lastSuccess = lastSuccess
        self.lastRun = lastRun
        self.successfulRuns = successfulRuns
    }
}
