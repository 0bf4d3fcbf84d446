package import MemoryCore
import GRDB
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SQLiteMemoryStore {
    package func acquireJobLease(job: String, holder: String, expires: Timestamp, now: Timestamp) async throws -> Bool {
        try await write { db in
            // One write transaction: the row is claimed only if free or expired.
            try db.execute(
                sql: """
                    INSERT INTO job_leases (job, holder, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                    WHERE job_leases.expires_at <= ? OR job_leases.holder = excluded.holder
                    """,
                arguments: [job, holder, expires.microsecondsSinceEpoch, now.microsecondsSinceEpoch])
            return db.changesCount == 1
        }
    }

    package func releaseJobLease(job: String, holder: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM job_leases WHERE job = ? AND holder = ?", arguments: [job, holder])
        }
    }

    package func recordJobRun(_ run: JobRun) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO job_runs (job, started_at, completed_at, counts, error, host) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    run.job, run.startedAt.microsecondsSinceEpoch, run.completedAt?.microsecondsSinceEpoch,
                    JSONText.encode(run.counts.mapValues { JSONValue.int(Int64($0)) }), run.error, run.host,
                ])
        }
    }

    package func jobHistory(job: String) async throws -> JobHistory {
        try await read { db in
            func run(_ row: Row?) throws -> JobRun? {
                guard let row else { return nil }
                let counts = try JSONText.decodeObject(row["counts"]).compactMapValues { $0.numberValue.map { Int($0) } }
                return JobRun(
                    job: row["job"], startedAt: Timestamp(microsecondsSinceEpoch: row["started_at"]),
                    completedAt: (row["completed_at"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)), counts: counts,
                    error: row["error"], host: row["host"])
            }
            let last = try run(Row.fetchOne(db, sql: "SELECT * FROM job_runs WHERE job = ? ORDER BY started_at DESC, id DESC LIMIT 1", arguments: [job]))
            let success = try run(Row.fetchOne(
                db, sql: "SELECT * FROM job_runs WHERE job = ? AND error IS NULL ORDER BY started_at DESC, id DESC LIMIT 1", arguments: [job]))
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM job_runs WHERE job = ? AND error IS NULL", arguments: [job]) ?? 0
            return JobHistory(lastSuccess: success, lastRun: last, successfulRuns: count)
        }
    }
}
