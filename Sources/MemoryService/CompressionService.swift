package import MemoryCore
package import MemoryStore
import Synchronization
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// What to compress and how (API-more.md "Compression": `target_tokens` 500-16000, default 4000;
/// strategy `hybrid`; level `moderate`).
package struct CompressionRequest: Sendable, Hashable {
    package var sessionID: UUID
    package var targetTokens: Int
    package var strategy: CompressionStrategy
    package var level: CompressionLevel

    /// The budgets the API accepts, in tokens.
    package static let targetRange = 500...16000

    package init(sessionID: UUID, targetTokens: Int = 4000, strategy: CompressionStrategy = .hybrid, level: CompressionLevel = .moderate) {
        self.sessionID = sessionID
        self.targetTokens = targetTokens
        self.strategy = strategy
        self.level = level
    }

    /// 422 naming `target_tokens` outside ``targetRange``.
    func validate() throws {
        guard Self.targetRange.contains(targetTokens) else {
            throw MemoryHubError.invalidField(
                "target_tokens", "target_tokens must be between \(Self.targetRange.lowerBound) and \(Self.targetRange.upperBound).")
        }
    }

    var cacheKey: CompressionCache.Key {
        CompressionCache.Key(sessionID: sessionID, targetTokens: targetTokens, strategy: strategy, level: level)
    }
}

/// Compresses a session's memories into a token budget (API-more.md "Compression"), for the
/// session's owner only: another user's session is not found, like an unknown one.
///
/// Results are cached in process under the owner's change sequence, read from the store on every
/// call: any write to the owner's memories, by any process or replica, moves it, so a cached
/// compression is never served after a memory changed. A preview computes afresh and stores
/// nothing.
package final class CompressionService: Sendable {
    /// Settings with defaults.
    package struct Configuration: Sendable {
        /// Compressions kept at most (the least recently used go first).
        package var cacheCapacity = 256
        package init() {}
    }

    let store: any MemoryStore
    let sessions: SessionManager
    private let cache: Mutex<CompressionCache>

    package init(store: any MemoryStore, sessions: SessionManager, configuration: Configuration = .init()) {
        self.store = store
        self.sessions = sessions
        self.cache = Mutex(CompressionCache(capacity: configuration.cacheCapacity))
    }

    /// The compression of the session's memories, from the cache when nothing changed since.
    package func compress(_ request: CompressionRequest, actingUser: String?) async throws -> CompressedContext {
        try request.validate()
        let session = try await sessions.session(id: request.sessionID, actingUser: actingUser)
        // Read before the memories: a write in between leaves the entry under the older sequence.
        let sequence = try await store.changeSequence(userID: session.userID)
        if let cached = cache.withLock({ $0.value(for: request.cacheKey, sequence: sequence) }) { return cached }
        let compressed = try await compute(request, session: session)
        cache.withLock { $0.store(compressed, for: request.cacheKey, sequence: sequence) }
        return compressed
    }

    /// The compression computed afresh, neither read from nor stored in the cache.
    package func preview(_ request: CompressionRequest, actingUser: String?) async throws -> CompressedContext {
        try request.validate()
        let session = try await sessions.session(id: request.sessionID, actingUser: actingUser)
        return try await compute(request, session: session)
    }

    /// What compressing the session at each level would give, with advice.
    package func estimate(sessionID: UUID, actingUser: String?) async throws -> CompressionEstimate {
        let session = try await sessions.session(id: sessionID, actingUser: actingUser)
        return CompressionEstimate(memories: try await memories(of: session))
    }

    /// Removes the session's cached compressions; returns how many there were.
    package func clearCache(sessionID: UUID, actingUser: String?) async throws -> Int {
        _ = try await sessions.session(id: sessionID, actingUser: actingUser)
        return cache.withLock { $0.removeAll(sessionID: sessionID) }
    }

    /// Removes the cached compression for exactly these settings; true when there was one.
    package func clearCacheEntry(_ request: CompressionRequest, actingUser: String?) async throws -> Bool {
        try request.validate()
        _ = try await sessions.session(id: request.sessionID, actingUser: actingUser)
        return cache.withLock { $0.remove(request.cacheKey) }
    }

    private func compute(_ request: CompressionRequest, session: Session) async throws -> CompressedContext {
        let compressor = ContextCompressor(targetTokens: request.targetTokens, strategy: request.strategy, level: request.level)
        return compressor.compress(try await memories(of: session), now: .now())
    }

    /// All of the session's memories, newest first, a page at a time.
    private func memories(of session: Session) async throws -> [Memory] {
        let filter = MemoryFilter(userID: session.userID, sessionID: session.id)
        let pageSize = 1000
        var memories: [Memory] = []
        while true {
            let page = try await store.memories(matching: filter, limit: pageSize, offset: memories.count)
            memories += page.items
            if page.items.count < pageSize || memories.count >= page.total { return memories }
        }
    }
}
