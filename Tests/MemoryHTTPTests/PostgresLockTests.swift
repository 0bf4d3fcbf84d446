import Foundation
import ProcessTestSupport
import HTTPTypes
import Logging
import MemoryCore
import MemoryService
import Testing

/// Issue 10, item 8: a table locked by another transaction once held an uncached read for as long
/// as the lock (39 s in a report). Every statement is bounded by lock_timeout and
/// statement_timeout: the read answers 503 with a clear sentence while the lock is held.
@Suite(.enabled(if: LiveAPI.postgresURL != nil, "needs the test PostgreSQL (make test starts one)"))
struct PostgresLockTests {
    @Test func aLockedTableIsA503NotAWait() async throws {
        let url = try LiveAPI.freshDatabase(LiveAPI.postgresURL!)
        var deployment = Deployment(databaseURL: url + "?lock_timeout=500")
        deployment.cacheEnabled = false
        let services = try MemoryHubServices.open(deployment, logger: Logger(label: "test"))
        try await services.withBackgroundServices { services in
            let session = try await services.sessions.start(SessionStartRequest(userID: "lock", autoLink: false)).session
            // Another client holds an exclusive lock on sessions for 20 s.
            let bin = ProcessInfo.processInfo.environment["MEMORYHUB_TEST_PG_BIN"].map { $0 + "/psql" } ?? "/usr/bin/psql"
            let locker = try SpawnedProcess(
                executable: bin, arguments: [url, "-q", "-c", "BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(20); COMMIT;"],
                environment: SpawnedProcess.environment())
            defer { locker.signal(SIGTERM) }
            // Until the locker holds the lock, reads succeed; then they fail fast with 503.
            var refused: MemoryHubError?
            for _ in 0..<100 where refused == nil {
                do {
                    _ = try await services.sessions.session(id: session.id, actingUser: nil)
                    try await Task.sleep(for: .milliseconds(100))
                } catch let error as MemoryHubError {
                    refused = error
                }
            }
            let error = try #require(refused, "no read was refused while the table was locked")
            #expect(error.kind == .unavailable && error.detail.contains("did not answer in time"), "\(String(reflecting: error))")
        }
    }
}
