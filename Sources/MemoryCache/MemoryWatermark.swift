public import RESP
import Synchronization

/// A per-user counter bumped on every memory write of that user. Query caches (search, context)
/// put it in their keys, so any write invalidates that user's cached results without scanning.
public protocol MemoryWatermark: Sendable {
    /// Moves the user's watermark on; called after every memory create, update and delete.
    func bump(userID: String) async
    /// The user's current watermark, or nil when it cannot be known (then nothing may be served
    /// from a query cache).
    func current(userID: String) async -> Int64?
}

/// The watermark of one process (embedded mode).
public final class InProcessMemoryWatermark: MemoryWatermark {
    private let marks = Mutex<[String: Int64]>([:])

    public init() {}

    public func bump(userID: String) async {
        marks.withLock { $0[userID, default: 0] += 1 }
    }

    public func current(userID: String) async -> Int64? {
        marks.withLock { $0[userID, default: 0] }
    }
}

/// The watermark shared by every replica: `INCR memoryhub:v1:watermark:{user}` in Redis.
/// A failure reads as nil ("unknown"), so a query cache then misses rather than serving stale data.
public final class RedisMemoryWatermark: MemoryWatermark {
    public static let keyPrefix = "memoryhub:v1:watermark:"
    private let client: RedisClient

    public init(client: RedisClient) {
        self.client = client
    }

    public func bump(userID: String) async {
        _ = try? await client.send(["INCR", .string(Self.keyPrefix + userID)])
    }

    public func current(userID: String) async -> Int64? {
        do {
            guard let bytes = try await client.get(Self.keyPrefix + userID) else { return 0 }
            return Int64(String(decoding: bytes, as: UTF8.self))
        } catch {
            return nil
        }
    }
}
