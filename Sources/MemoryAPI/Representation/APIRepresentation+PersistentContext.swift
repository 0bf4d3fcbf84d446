package import MemoryCore
package import MemoryService
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The JSON shapes of API-more.md "Persistent context". Timestamps are UTC ISO 8601.
extension APIRepresentation {
    /// The context types, in the contract's order.
    package static var contextItemTypes: JSONValue { .array(ContextItemType.allCases.map { .string($0.rawValue) }) }
    /// The scopes, in the contract's order.
    package static var contextItemScopes: JSONValue { .array(ContextItemScope.allCases.map { .string($0.rawValue) }) }

    /// `POST /context`: `message, context_id`.
    package static func contextItemStored(_ item: ContextItem) -> JSONValue {
        .object(["message": "Context stored", "context_id": .string(item.id.lowercased)])
    }

    /// An item as query and `vectors/{id}` show it: `id, content, context_type, scope, importance,
    /// last_accessed, access_count, related_entities, metadata`.
    package static func contextItem(_ item: ContextItem) -> JSONValue {
        .object([
            "id": .string(item.id.lowercased),
            "content": .string(item.content),
            "context_type": .string(item.contextType.rawValue),
            "scope": .string(item.scope.rawValue),
            "importance": .double(item.importance),
            "last_accessed": .string(item.lastAccessed.iso8601),
            "access_count": .int(item.accessCount),
            "related_entities": .array(item.relatedEntities.map(JSONValue.string)),
            "metadata": .object(item.metadata),
        ])
    }

    /// `GET /context/search`: `query, results: [{id, content (200 characters + "..."), context_type,
    /// scope, importance, access_count, last_accessed}], total_results, timestamp`.
    package static func contextSearch(_ items: [ContextItem], query: String, now: Timestamp) -> JSONValue {
        .object([
            "query": .string(query),
            "results": .array(items.map { item in
                .object([
                    "id": .string(item.id.lowercased),
                    "content": .string(PersistentContextMath.preview(item.content, limit: 200)),
                    "context_type": .string(item.contextType.rawValue),
                    "scope": .string(item.scope.rawValue),
                    "importance": .double(item.importance),
                    "access_count": .int(item.accessCount),
                    "last_accessed": .string(item.lastAccessed.iso8601),
                ])
            }),
            "total_results": .int(Int64(items.count)),
            "timestamp": .string(now.iso8601),
        ])
    }

    /// `GET /context/summary`.
    package static func contextSummary(_ summary: ContextSummary) -> JSONValue {
        .object([
            "total_vectors": .int(Int64(summary.totalVectors)),
            "total_clusters": .int(Int64(summary.totalClusters)),
            "context_types": counts(summary.contextTypes),
            "scopes": counts(summary.scopes),
            "top_importance": .array(summary.topImportance.map { item in
                .object([
                    "id": .string(item.id.lowercased), "content": .string(PersistentContextMath.preview(item.content, limit: 100)),
                    "importance": .double(item.importance), "type": .string(item.contextType.rawValue),
                ])
            }),
            "recent_access": .array(summary.recentAccess.map { item in
                .object([
                    "id": .string(item.id.lowercased), "content": .string(PersistentContextMath.preview(item.content, limit: 100)),
                    "last_accessed": .string(item.lastAccessed.iso8601), "access_count": .int(item.accessCount),
                ])
            }),
        ])
    }

    /// `GET /context/clusters`.
    package static func contextClusters(_ clusters: [ContextCluster], now: Timestamp) -> JSONValue {
        .object([
            "clusters": .array(clusters.map { cluster in
                .object([
                    "id": .string(cluster.id.lowercased),
                    "name": .string(cluster.name),
                    "description": .string(cluster.description),
                    "vector_count": .int(Int64(cluster.vectorCount)),
                    "coherence_score": .double(cluster.coherenceScore),
                    "last_updated": .string(cluster.lastUpdated.iso8601),
                    "sample_vectors": .array(cluster.samples.map { item in
                        .object([
                            "id": .string(item.id.lowercased), "content": .string(PersistentContextMath.preview(item.content, limit: 100)),
                            "importance": .double(item.importance),
                        ])
                    }),
                ])
            }),
            "total_clusters": .int(Int64(clusters.count)),
            "timestamp": .string(now.iso8601),
        ])
    }

    /// `GET /context/vectors/{id}`: `vector, connections: [{id, content (100 characters),
    /// similarity, context_type}], connection_count, timestamp`.
    package static func contextItemDetail(_ detail: ContextItemDetail, now: Timestamp) -> JSONValue {
        .object([
            "vector": contextItem(detail.item),
            "connections": .array(detail.connections.map { connection in
                .object([
                    "id": .string(connection.item.id.lowercased),
                    "content": .string(PersistentContextMath.preview(connection.item.content, limit: 100)),
                    "similarity": .double(connection.similarity),
                    "context_type": .string(connection.item.contextType.rawValue),
                ])
            }),
            "connection_count": .int(Int64(detail.connectionCount)),
            "timestamp": .string(now.iso8601),
        ])
    }

    /// `GET /context/analytics`; `access_patterns` is `{accessed_last_24h, accessed_last_7d}` and
    /// `memory_usage` the content's UTF-8 bytes.
    package static func contextAnalytics(_ analytics: ContextAnalytics) -> JSONValue {
        .object([
            "total_vectors": .int(Int64(analytics.totalVectors)),
            "total_clusters": .int(Int64(analytics.totalClusters)),
            "avg_importance": .double(analytics.averageImportance),
            "avg_access_count": .double(analytics.averageAccessCount),
            "context_type_distribution": counts(analytics.contextTypes),
            "scope_distribution": counts(analytics.scopes),
            "cluster_health": .object(analytics.clusterHealth.mapValues { health in
                .object([
                    "vector_count": .int(Int64(health.vectorCount)), "coherence_score": .double(health.coherenceScore),
                    "last_updated": .string(health.lastUpdated.iso8601),
                ])
            }),
            "access_patterns": .object([
                "accessed_last_24h": .int(Int64(analytics.accessedLastDay)), "accessed_last_7d": .int(Int64(analytics.accessedLastWeek)),
            ]),
            "memory_usage": .int(Int64(analytics.contentBytes)),
        ])
    }

    /// `GET /context/health`: `status, persistent_context: "active", total_vectors, total_clusters,
    /// avg_importance, context_types ({type: n}), version, timestamp`.
    package static func contextHealth(_ health: ContextHealth, now: Timestamp) -> JSONValue {
        .object([
            "status": .string(health.status),
            "persistent_context": "active",
            "total_vectors": .int(Int64(health.analytics.totalVectors)),
            "total_clusters": .int(Int64(health.analytics.totalClusters)),
            "avg_importance": .double(health.analytics.averageImportance),
            "context_types": counts(health.analytics.contextTypes),
            "version": "1.0.0",
            "timestamp": .string(now.iso8601),
        ])
    }

    /// `POST /context/decay` and `/context/cleanup`: `message, timestamp` and the count under `key`.
    package static func contextMaintenance(_ message: String, key: String, count: Int, now: Timestamp) -> JSONValue {
        .object(["message": .string(message), "timestamp": .string(now.iso8601), key: .int(Int64(count))])
    }

    /// `DELETE /context/vectors/{id}`.
    package static func contextItemDeleted(_ id: UUID, now: Timestamp) -> JSONValue {
        .object(["message": "Context vector deleted", "vector_id": .string(id.lowercased), "timestamp": .string(now.iso8601)])
    }

    private static func counts(_ counts: [String: Int]) -> JSONValue {
        .object(counts.mapValues { .int(Int64($0)) })
    }
}
