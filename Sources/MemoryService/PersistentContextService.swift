package import Embeddings
package import Logging
package import MemoryCore
package import MemoryStore
import Crypto
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Persistent context (API-more.md "Persistent context"): items a user's assistant keeps across
/// sessions, stored (nothing lives only in this process), private to their user, embedded in the
/// background, found by meaning (cosine of embeddings) or, without vectors, by shared words
/// (Jaccard). Clusters and connections are derived on every read, so a deleted item is never
/// left in one.
package struct PersistentContextService: Sendable {
    /// Limits of the computations.
    package struct Configuration: Sendable {
        /// Items a query or a derived view reads at most (most recently created first).
        package var candidateLimit = 50_000
        /// Items a lexical query reads at most from the index.
        package var lexicalCandidateLimit = 1000
        /// Cosine above which two items are connected.
        package var connectionThreshold = 0.75
        package init() {}
    }

    let store: any MemoryStore
    let embedder: (any Embedder)?
    let signal: EmbeddingSignal
    let maxContentBytes: Int
    let configuration: Configuration
    let logger: Logger

    package init(
        store: any MemoryStore, embedder: (any Embedder)?, signal: EmbeddingSignal, maxContentBytes: Int,
        configuration: Configuration = .init(), logger: Logger
    ) {
        self.store = store
        self.embedder = embedder
        self.signal = signal
        self.maxContentBytes = maxContentBytes
        self.configuration = configuration
        self.logger = logger
    }

    /// Stores a new item for `item.userID` and queues it for embedding. A `session` scope needs a
    /// session id, which must name one of the user's sessions (404 otherwise); a `project` scope
    /// needs a project id (422).
    package func store(_ new: NewContextItem, at now: Timestamp = .now()) async throws -> ContextItem {
        _ = try Validation.content(new.content, maxBytes: maxContentBytes)
        if let sessionID = new.sessionID {
            guard try await store.session(id: sessionID, userID: new.userID) != nil else {
                throw MemoryHubError.sessionNotFound(sessionID.lowercased)
            }
        }
        let item = ContextItem(
            id: UUID.v7(), userID: new.userID, scope: new.scope, projectID: new.projectID, sessionID: new.sessionID,
            contextType: new.contextType, content: new.content, importance: new.importance, accessCount: 1, lastAccessed: now,
            relatedEntities: new.relatedEntities, metadata: new.metadata, createdAt: now, updatedAt: now)
        try await store.insertContextItem(item)
        signal.raise()
        return item
    }

    /// The user's items that match the query best, each counted as accessed (the returned
    /// values show the new count and time). Only items with similarity > 0 are returned.
    package func query(_ query: ContextQuery, at now: Timestamp = .now()) async throws -> [ContextItem] {
        try Validation.queryText(query.text, field: query.textField)
        let filter = ContextItemFilter(
            userID: query.userID, contextType: query.contextType, scope: query.scope, projectID: query.projectID,
            sessionID: query.sessionID, includeEmbeddings: true)
        let queryWords = PersistentContextMath.wordSet(query.text)
        let queryVector = await embed(query.text)
        // Every candidate is scored from its sketch; only the best are then read in full.
        let candidates =
            queryVector != nil
            ? try await store.contextItemSketches(matching: filter, limit: configuration.candidateLimit)
            : try await store.contextItemMatches(terms: SearchText.terms(query.text), filter: filter, limit: configuration.lexicalCandidateLimit)
        let best = candidates.compactMap { item -> (id: UUID, score: Double)? in
            let similarity = PersistentContextMath.similarity(queryVector: queryVector, queryWords: queryWords, item: item)
            guard similarity > 0 else { return nil }
            return (item.id, PersistentContextMath.score(similarity: similarity, importance: item.importance, accessCount: item.accessCount))
        }
        .sorted { $0.score != $1.score ? $0.score > $1.score : $0.id.uuidString < $1.id.uuidString }
        .prefix(query.limit)
        .map(\.id)
        try await store.recordContextItemAccess(ids: best, userID: query.userID, at: now)
        let items = Dictionary(
            try await store.contextItems(ids: best, userID: query.userID).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Read after the access was counted: the values show the new count and time.
        return best.compactMap { items[$0] }
    }

    /// The query's vector; nil without an embedder or when it fails (the query then compares words).
    private func embed(_ text: String) async -> [Float]? {
        guard let embedder else { return nil }
        do {
            return try await embedder.embed([text]).first
        } catch {
            logger.warning("could not embed a context query; comparing words instead", metadata: ["memoryhub.error": "\(error)"])
            return nil
        }
    }

    /// Counts by type and scope, the most important and most recently accessed items, filtered
    /// by session and project.
    package func summary(userID: String, sessionID: UUID?, projectID: String?) async throws -> ContextSummary {
        let items = try await store.contextItems(
            matching: ContextItemFilter(userID: userID, projectID: projectID, sessionID: sessionID), limit: configuration.candidateLimit)
        return ContextSummary(
            totalVectors: items.count, totalClusters: Self.clusterTypes(items).count,
            contextTypes: Self.counts(items.map(\.contextType.rawValue)), scopes: Self.counts(items.map(\.scope.rawValue)),
            topImportance: Array(items.sorted { $0.importance > $1.importance }.prefix(5)),
            recentAccess: Array(items.sorted { $0.lastAccessed > $1.lastAccessed }.prefix(5)))
    }

    /// The user's clusters: one per context type with at least 3 items, most items first.
    package func clusters(userID: String) async throws -> [ContextCluster] {
        let items = try await store.contextItems(
            matching: ContextItemFilter(userID: userID, includeEmbeddings: true), limit: configuration.candidateLimit)
        return Self.clusters(of: items, userID: userID)
    }

    /// One item of `actingUser` (nil: whoever owns it) with the owner's other embedded items whose
    /// cosine with it is above 0.75: the best 5, and how many there are (at most 10). 404 when unknown.
    package func item(id: UUID, actingUser: String?) async throws -> ContextItemDetail {
        guard let item = try await store.contextItem(id: id, userID: actingUser) else { throw Self.notFound(id) }
        var close: [(id: UUID, similarity: Double)] = []
        if let vector = item.embedding {
            // Scored from sketches; only the best 5 are read in full.
            close = try await store.contextItemSketches(matching: ContextItemFilter(userID: item.userID), limit: configuration.candidateLimit)
                .compactMap { other in
                    guard other.id != item.id, let otherVector = other.embedding else { return nil }
                    let similarity = PersistentContextMath.cosine(vector, otherVector)
                    return similarity > configuration.connectionThreshold ? (other.id, similarity) : nil
                }
                .sorted { $0.similarity > $1.similarity }
        }
        let best = Array(close.prefix(5))
        let connected = Dictionary(
            try await store.contextItems(ids: best.map(\.id), userID: item.userID).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var shown = item
        shown.embedding = nil
        return ContextItemDetail(
            item: shown, connections: best.compactMap { entry in connected[entry.id].map { ContextConnection(item: $0, similarity: entry.similarity) } },
            connectionCount: min(close.count, 10))
    }

    /// Deletes the item of `actingUser` (nil: whoever owns it); 404 when unknown.
    package func delete(id: UUID, actingUser: String?) async throws {
        guard let item = try await store.contextItem(id: id, userID: actingUser),
            try await store.deleteContextItem(id: id, userID: item.userID)
        else { throw Self.notFound(id) }
    }

    /// Statistics of one user's items, or every user's (nil, admins).
    package func analytics(userID: String?, at now: Timestamp = .now()) async throws -> ContextAnalytics {
        let items = try await store.contextItems(
            matching: ContextItemFilter(userID: userID, includeEmbeddings: true), limit: configuration.candidateLimit)
        let byUser = Dictionary(grouping: items, by: \.userID)
        let clusters = byUser.flatMap { Self.clusters(of: $0.value, userID: $0.key) }
        var health: [String: ContextAnalytics.ClusterHealth] = [:]
        for cluster in clusters {
            // Across users, clusters of one type share a name: their figures are merged.
            var entry = health[cluster.name] ?? .init(vectorCount: 0, coherenceScore: 0, lastUpdated: cluster.lastUpdated)
            let count = entry.vectorCount + cluster.vectorCount
            entry.coherenceScore = (entry.coherenceScore * Double(entry.vectorCount) + cluster.coherenceScore * Double(cluster.vectorCount))
                / Double(count)
            entry.vectorCount = count
            entry.lastUpdated = max(entry.lastUpdated, cluster.lastUpdated)
            health[cluster.name] = entry
        }
        let day = now.adding(seconds: -86_400)
        let week = now.adding(seconds: -7 * 86_400)
        return ContextAnalytics(
            totalVectors: items.count, totalClusters: clusters.count, averageImportance: Self.mean(items.map(\.importance)),
            averageAccessCount: Self.mean(items.map { Double($0.accessCount) }),
            contextTypes: Self.counts(items.map(\.contextType.rawValue)), scopes: Self.counts(items.map(\.scope.rawValue)),
            clusterHealth: health, accessedLastDay: items.count { $0.lastAccessed >= day },
            accessedLastWeek: items.count { $0.lastAccessed >= week }, contentBytes: items.reduce(0) { $0 + $1.content.utf8.count })
    }

    /// Data health: `empty`, `degraded` (mean importance < 0.3), `unclustered`, else `healthy`.
    package func health(userID: String?) async throws -> ContextHealth {
        let analytics = try await analytics(userID: userID)
        let status =
            analytics.totalVectors == 0 ? "empty"
            : analytics.averageImportance < 0.3 ? "degraded" : analytics.totalClusters == 0 ? "unclustered" : "healthy"
        return ContextHealth(status: status, analytics: analytics)
    }

    /// Decays the importance of the user's (nil: every user's) items; returns how many changed.
    /// Repeating it at once changes nothing (see `PersistentContextMath.decayedImportance`).
    package func decay(userID: String?, at now: Timestamp = .now()) async throws -> Int {
        try await store.decayContextItems(userID: userID, at: now)
    }

    /// Deletes the user's (nil: every user's) items not accessed for `maxAgeDays` whose importance
    /// is below 0.2 with fewer than 3 accesses; returns how many.
    package func cleanup(userID: String?, maxAgeDays: Int, at now: Timestamp = .now()) async throws -> Int {
        try await store.removeStaleContextItems(userID: userID, unaccessedSince: now.adding(seconds: -Double(maxAgeDays) * 86_400))
    }

    // MARK: Derived views

    static func clusterTypes(_ items: [ContextItem]) -> [ContextItemType: [ContextItem]] {
        Dictionary(grouping: items, by: \.contextType).filter { $0.value.count >= 3 }
    }

    static func clusters(of items: [ContextItem], userID: String) -> [ContextCluster] {
        clusterTypes(items).map { type, members in
            ContextCluster(
                id: clusterID(userID: userID, type: type), type: type, name: "\(type.title) Cluster",
                description: "Cluster of \(members.count) \(type.rawValue) contexts", vectorCount: members.count,
                coherenceScore: PersistentContextMath.coherence(members),
                lastUpdated: members.map(\.updatedAt).max() ?? Timestamp(microsecondsSinceEpoch: 0),
                samples: members.sorted { $0.importance > $1.importance }.prefix(3).map { sample in
                    var sample = sample
                    sample.embedding = nil
                    return sample
                })
        }.sorted { $0.vectorCount != $1.vectorCount ? $0.vectorCount > $1.vectorCount : $0.name < $1.name }
    }

    /// A name-based UUID (version 5, RFC 9562: SHA-1 in the URL namespace) of the user and the
    /// type, so a cluster keeps its id across reads, restarts and replicas.
    static func clusterID(userID: String, type: ContextItemType) -> UUID {
        let namespace: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        let name = "memoryhub:context-cluster:\(userID):\(type.rawValue)"
        var bytes = Array(Insecure.SHA1.hash(data: namespace + Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    static func counts(_ names: [String]) -> [String: Int] {
        names.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    static func notFound(_ id: UUID) -> MemoryHubError {
        MemoryHubError.notFound("No context item \(id.lowercased).")
    }
}
