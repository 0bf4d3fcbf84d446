package import Logging
package import MemoryCore
package import RESP
import Synchronization
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The production session cache: one versioned JSON document per session in Redis
/// (`memoryhub:v1:session:{id}`, see `SessionDocument`), shared by every replica.
///
/// - Writes replace an entry only when their version is newer, atomically, in one Lua script;
///   deletions leave a tombstone (version = Int64.max) for the TTL so a slow reader cannot bring a
///   deleted session back.
/// - Faults never fail a request: they are counted, logged at most once per interval, and open a
///   `CircuitBreaker`; entries that could not be written or deleted meanwhile are deleted on
///   recovery before anything is read again.
/// - A document that cannot be read (garbage, another format, a tombstone) is a miss.
package final class RedisSessionCache: SessionCache {
    package struct Configuration: Sendable {
        package var timeToLive: Duration = .seconds(3600)
        package var breaker: CircuitBreaker.Configuration = .init()
        /// At most one fault is logged per interval; the rest are only counted.
        package var logInterval: Duration = .seconds(30)

        /// The defaults above, with any value given here instead.
        package init(timeToLive: Duration? = nil, breaker: CircuitBreaker.Configuration? = nil, logInterval: Duration? = nil) {
            if let timeToLive { self.timeToLive = timeToLive }
            if let breaker { self.breaker = breaker }
            if let logInterval { self.logInterval = logInterval }
        }
    }

    /// Sets KEYS[1] to ARGV[1] with a TTL of ARGV[3] ms unless the entry there holds a version at
    /// or above ARGV[2]. An unreadable entry is replaced.
    static let newerVersionWins = RedisScript("""
        local current = redis.call('GET', KEYS[1])
        if current then
          local ok, document = pcall(cjson.decode, current)
          if ok and type(document) == 'table' then
            local version = tonumber(document['version'])
            if version and version >= tonumber(ARGV[2]) then return 0 end
          end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """)

    static let tombstone = Array(#"{"format":1,"tombstone":true,"version":9223372036854775807}"#.utf8)

    private let client: RedisClient
    private let configuration: Configuration
    private let logger: Logger
    private let breaker: Mutex<CircuitBreaker>
    private let lastLogged = Mutex<ContinuousClock.Instant?>(nil)
    package let metrics: CacheMetrics

    package init(client: RedisClient, configuration: Configuration = .init(), logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.breaker = Mutex(CircuitBreaker(configuration: configuration.breaker))
        self.metrics = CacheMetrics(name: "session", backend: "redis")
    }

    package var statistics: CacheStatistics { metrics.snapshot(entries: nil) }

    /// Whether the cache is in use right now (false while the breaker is open or recovering).
    package var isAvailable: Bool { breaker.withLock { $0.isClosed } }

    package func session(id: UUID) async -> Session? {
        let start = ContinuousClock.now
        defer { metrics.recordLatency(nanoseconds: (ContinuousClock.now - start).nanoseconds) }
        guard await mayUseCache() else {
            metrics.miss()
            return nil
        }
        do {
            let bytes = try await client.get(SessionDocument.key(for: id))
            succeeded()
            guard let bytes, let session = SessionDocument.decode(bytes), session.id == id else {
                metrics.miss()
                return nil
            }
            metrics.hit()
            return session
        } catch {
            failed(error, pending: nil)
            metrics.miss()
            return nil
        }
    }

    package func store(_ session: Session) async {
        await write(id: session.id, document: SessionDocument.encode(session), version: session.version)
        metrics.fill()
    }

    package func remove(id: UUID) async {
        await write(id: id, document: Self.tombstone, version: .max)
        metrics.invalidation()
    }

    private func write(id: UUID, document: [UInt8], version: Int64) async {
        guard await mayUseCache() else {
            breaker.withLock { $0.addPending(id) }
            return
        }
        do {
            _ = try await client.evaluate(
                script: Self.newerVersionWins, keys: [SessionDocument.key(for: id)],
                arguments: [.bytes(document), .string(String(version)), .integer(Int(configuration.timeToLive.milliseconds))])
            succeeded()
        } catch {
            failed(error, pending: id)
        }
    }

    /// Asks the breaker; when it says to recover, deletes what went stale during the outage first.
    private func mayUseCache() async -> Bool {
        switch breaker.withLock({ $0.permit(at: .now) }) {
        case .allowed: return true
        case .denied: return false
        case .recover(let pending, let clearAll): return await recover(pending: pending, clearAll: clearAll)
        }
    }

    /// Deletes the entries that writes could not update while Redis was unreachable, without
    /// waiting for the back-off or for a request: `PendingInvalidationService` calls it every
    /// second, so after a stall (Redis stopped, then resumed) no other replica serves an entry
    /// older than an acknowledged write for longer than that. Does nothing when nothing is pending.
    package func recoverPendingInvalidations() async {
        guard case .recover(let pending, let clearAll)? = breaker.withLock({ $0.pendingRecovery() }) else { return }
        _ = await recover(pending: pending, clearAll: clearAll)
    }

    private func recover(pending: Set<UUID>, clearAll: Bool) async -> Bool {
        do {
            if clearAll {
                try await deleteNamespace()
            } else {
                for chunk in Array(pending).chunked(into: 500) {
                    _ = try await client.delete(chunk.map(SessionDocument.key(for:)))
                }
            }
            breaker.withLock { $0.recoverySucceeded(deleted: pending, clearedAll: clearAll) }
            metrics.invalidation()
            logger.notice("Redis session cache recovered", metadata: ["memoryhub.cache.invalidated": "\(clearAll ? "all" : String(pending.count))"])
            return true
        } catch {
            failed(error, pending: nil)
            return false
        }
    }

    /// Deletes every session entry with SCAN (never KEYS) and UNLINK.
    private func deleteNamespace() async throws {
        var cursor = "0"
        repeat {
            let reply = try await client.send(["SCAN", .string(cursor), "MATCH", .string(SessionDocument.keyPrefix + "*"), "COUNT", 1000])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                throw RedisClientError(.unexpectedReply, reason: "SCAN")
            }
            let names = keys.compactMap(\.string)
            if !names.isEmpty { _ = try await client.send([.string("UNLINK")] + names.map(RESPArgument.string)) }
            cursor = next
        } while cursor != "0"
    }

    private func succeeded() {
        breaker.withLock { $0.recordSuccess() }
    }

    private func failed(_ error: any Error, pending id: UUID?) {
        metrics.error()
        breaker.withLock { breaker in
            if let id { breaker.addPending(id) }
            breaker.recordFailure(at: .now)
        }
        let now = ContinuousClock.now
        let shouldLog = lastLogged.withLock { last -> Bool in
            if let last, now - last < configuration.logInterval { return false }
            last = now
            return true
        }
        if shouldLog {
            logger.warning("Redis session cache unavailable; serving from the store", metadata: ["memoryhub.error": "\(error)"])
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension Array {
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
