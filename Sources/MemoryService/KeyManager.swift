import Crypto
package import MemoryCore
package import MemoryStore
package import Logging
import Synchronization
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// API keys: creating, listing and revoking them, and finding the key a request presents.
///
/// Keys are stored as SHA-256 digests only and compared in constant time. A looked-up key record
/// is cached in process for `Configuration.cacheTimeToLive` (2 s): that bounds how long a revoked
/// key keeps working on a replica that did not revoke it; the replica that revokes forgets it at
/// once. An admin key may also come from the deployment (`MEMORYHUB_ADMIN_KEY`), for a first start
/// on an empty database; it is never stored.
package struct KeyManager: Sendable {
    /// How keys are checked.
    package struct Configuration: Sendable {
        /// How long a looked-up key record (or its absence) is reused before the store is asked again.
        package var cacheTimeToLive: Duration = .seconds(2)
        /// A key's `last_used_at` is written at most this often per key and process.
        package var useRecordInterval: Duration = .seconds(60)

        package init() {}
    }

    /// The id the deployment's admin key (`MEMORYHUB_ADMIN_KEY`) shows in logs and `Caller.keyID`.
    package static let deploymentAdminKeyID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    /// The shortest admin key accepted from the deployment, in characters.
    package static let minimumDeploymentKeyLength = 32

    let store: any MemoryStore
    let configuration: Configuration
    let deploymentAdminDigest: [UInt8]?
    let logger: Logger
    private let cache: KeyCache

    /// Keys in `store`; `deploymentAdminKey` (at least 32 characters) is accepted as an admin key.
    package init(store: any MemoryStore, configuration: Configuration = .init(), deploymentAdminKey: String? = nil, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.deploymentAdminDigest = deploymentAdminKey.map(Self.digest)
        self.logger = logger
        self.cache = KeyCache()
    }

    /// Creates a key for `userID` and returns its record with the key text, which is shown once
    /// and never stored.
    package func create(userID: String, name: String?, admin: Bool) async throws -> (key: APIKey, text: String) {
        _ = try Validation.identifier(userID, field: "user_id")
        if let name {
            guard !name.isEmpty, name.count <= 100, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw MemoryHubError.invalidField("name", "name must be 1 to 100 characters long, without control characters.")
            }
        }
        let now = Timestamp.now()
        let id = UUID.v7(at: now)
        let text = APIKey.newKeyText(id: id)
        let key = APIKey(id: id, userID: userID, name: name, isAdmin: admin, secretHash: Self.digest(text), createdAt: now)
        try await store.insertAPIKey(key)
        logger.notice("API key created", metadata: [
            "memoryhub.key.id": "\(id.lowercased)", "memoryhub.user": "\(userID)", "memoryhub.key.admin": "\(admin)",
        ])
        return (key, text)
    }

    /// The keys of one user, or of everyone; newest first.
    package func list(userID: String?) async throws -> [APIKey] {
        if let userID { _ = try Validation.identifier(userID, field: "user_id") }
        return try await store.apiKeys(userID: userID)
    }

    /// Revokes a key; 404 when there is no such key.
    package func revoke(id: UUID) async throws -> APIKey {
        guard let key = try await store.revokeAPIKey(id: id, at: .now()) else {
            throw MemoryHubError.notFound("API key \(id.lowercased) was not found.")
        }
        cache.revoke(id)
        logger.notice("API key revoked", metadata: ["memoryhub.key.id": "\(id.lowercased)", "memoryhub.user": "\(key.userID)"])
        return key
    }

    /// The key with this id while it is valid (the deployment's admin key for its fixed id, when
    /// one is configured); nil when unknown or revoked. The web pages' sign-in cookie names a key
    /// by id, so a revoked key ends its page sessions at their next request. Reads the store (a
    /// primary-key lookup) every time; throws only when the store cannot be reached.
    package func activeKey(id: UUID) async throws -> APIKey? {
        if id == Self.deploymentAdminKeyID { return deploymentAdminRecord }
        // Read every time (a revocation counts at once); the use is recorded as the API records it.
        let record = try await store.apiKey(id: id)
        let recordUse = cache.store(id, record, at: ContinuousClock.now, useInterval: configuration.useRecordInterval)
        guard let key = record, key.revokedAt == nil else { return nil }
        if recordUse { await recordUseLogged(id: id) }
        return key
    }

    /// Records a use of key `id` now (its `last_used_at`); a failure is logged, never thrown.
    func recordUseLogged(id: UUID) async {
        do {
            try await store.recordAPIKeyUse(id: id, at: .now())
        } catch {
            logger.warning("could not record an API key's use", metadata: ["memoryhub.key.id": "\(id.lowercased)", "memoryhub.error": "\(error)"])
        }
    }

    /// The key `text` is, when it is a valid, unrevoked key; nil otherwise (malformed, unknown,
    /// revoked, or a wrong secret for a known id). Throws only when the store cannot be reached.
    package func authenticate(_ text: String) async throws -> APIKey? {
        let digest = Self.digest(text)
        if let deploymentAdminDigest, Self.constantTimeEqual(digest, deploymentAdminDigest) {
            return deploymentAdminRecord
        }
        guard let id = APIKey.id(ofKeyText: text) else { return nil }
        let now = ContinuousClock.now
        let record: APIKey?
        var recordUse: Bool
        if let (cached, due) = cache.entry(id, at: now, timeToLive: configuration.cacheTimeToLive, useInterval: configuration.useRecordInterval) {
            record = cached
            recordUse = due
        } else {
            record = try await store.apiKey(id: id)
            recordUse = cache.store(id, record, at: now, useInterval: configuration.useRecordInterval)
        }
        guard let record, record.revokedAt == nil, Self.constantTimeEqual(digest, record.secretHash) else { return nil }
        if recordUse { await recordUseLogged(id: id) }
        return record
    }

    /// SHA-256 of the key text.
    static func digest(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { Array(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// Compares two digests in time that depends only on their length.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Looked-up key records by id, with when they were fetched and last recorded as used. Bounded:
/// past 10,000 ids the misses (ids of no key, which anyone can make up) go first, then everything.
/// Keys revoked by this process stay revoked here even if a lookup that started before the
/// revocation stores the old record after it.
private final class KeyCache: Sendable {
    private struct Entry {
        var key: APIKey?
        var fetchedAt: ContinuousClock.Instant
        var useRecordedAt: ContinuousClock.Instant?
    }

    private struct State {
        var entries: [UUID: Entry] = [:]
        var revoked: Set<UUID> = []
    }

    private let state = Mutex(State())

    /// The cached record of `id` (nil inside when the store had none, or this process revoked
    /// it) if fetched less than `timeToLive` ago, with whether its use is due to be recorded
    /// (then remembered as recorded).
    func entry(_ id: UUID, at now: ContinuousClock.Instant, timeToLive: Duration, useInterval: Duration) -> (APIKey?, Bool)? {
        state.withLock { state in
            if state.revoked.contains(id) { return (nil, false) }
            guard var entry = state.entries[id], now - entry.fetchedAt < timeToLive else { return nil }
            let due = Self.useIsDue(&entry, at: now, interval: useInterval)
            if due { state.entries[id] = entry }
            return (entry.key, due)
        }
    }

    /// Caches a fetched record; returns whether its use is due to be recorded.
    func store(_ id: UUID, _ key: APIKey?, at now: ContinuousClock.Instant, useInterval: Duration) -> Bool {
        state.withLock { state in
            if state.entries.count >= 10_000 {
                state.entries = state.entries.filter { $0.value.key != nil }
                if state.entries.count >= 10_000 { state.entries.removeAll(keepingCapacity: true) }
            }
            let key = state.revoked.contains(id) ? nil : key
            var entry = Entry(key: key, fetchedAt: now, useRecordedAt: state.entries[id]?.useRecordedAt)
            let due = key != nil && Self.useIsDue(&entry, at: now, interval: useInterval)
            state.entries[id] = entry
            return due
        }
    }

    /// Forgets a key this process revoked, for good.
    func revoke(_ id: UUID) {
        state.withLock { state in
            if state.revoked.count >= 100_000 { state.revoked.removeAll() }
            state.revoked.insert(id)
            state.entries[id] = nil
        }
    }

    private static func useIsDue(_ entry: inout Entry, at now: ContinuousClock.Instant, interval: Duration) -> Bool {
        if let last = entry.useRecordedAt, now - last < interval { return false }
        entry.useRecordedAt = now
        return true
    }
}
