package import MemoryCore
package import MemoryStore
internal import PostgresNIO
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension PostgresMemoryStore {
    package func acquireJobLease(job: String, holder: String, expires: Timestamp, now: Timestamp) async throws -> Bool {
        // One statement: the row is claimed only if free or expired (the row lock decides a race).
        try await fetch(
            """
            INSERT INTO job_leases (job, holder, expires_at) VALUES (\(job), \(holder), \(expires.postgres))
            ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE job_leases.expires_at <= \(now.postgres) OR job_leases.holder = excluded.holder
            RETURNING holder
            """
        ) { try $0.decode(String.self) }.first == holder
    }

    package func releaseJobLease(job: String, holder: String) async throws {
        try await execute("DELETE FROM job_leases WHERE job = \(job) AND holder = \(holder)")
    }

    package func recordJobRun(_ run: JobRun) async throws {
        let counts = PostgresJSONObject(run.counts.mapValues { JSONValue.int(Int64($0)) })
        try await execute(
            """
            INSERT INTO job_runs (job, started_at, completed_at, counts, error, host)
            VALUES (\(run.job), \(run.startedAt.postgres), \(run.completedAt?.postgres)::timestamptz, \(counts), \(run.error)::text, \(run.host))
            """)
    }

    package func jobHistory(job: String) async throws -> JobHistory {
        let decode: @Sendable (PostgresRow) throws -> JobRun = { row in
            let (name, started, completed, counts, error, host) = try row.decode(
                (String, PostgresTimestamp, PostgresTimestamp?, PostgresJSONObject, String?, String).self)
            return JobRun(
                job: name, startedAt: started.timestamp, completedAt: completed?.timestamp,
                counts: counts.object.compactMapValues { $0.numberValue.map { Int($0) } }, error: error, host: host)
        }
        let last = try await fetch(
            "SELECT job, started_at, completed_at, counts, error, host FROM job_runs WHERE job = \(job) ORDER BY started_at DESC, id DESC LIMIT 1",
            decode
        ).first
        let success = try await fetch(
            """
            SELECT job, started_at, completed_at, counts, error, host FROM job_runs WHERE job = \(job) AND error IS NULL
            ORDER BY started_at DESC, id DESC LIMIT 1
            """, decode
        ).first
        let count = try await fetch("SELECT count(*) FROM job_runs WHERE job = \(job) AND error IS NULL") { try $0.decode(Int.self) }.first ?? 0
        return JobHistory(lastSuccess: success, lastRun: last, successfulRuns: count)
    }
}
