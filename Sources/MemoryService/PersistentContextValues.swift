package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A context item to store (`POST /api/memory/persistent/context`), already validated by the
/// decoder: importance 0...1, a session id with the `session` scope, a project id with `project`.
package struct NewContextItem: Sendable, Equatable {
    package var userID: String
    package var content: String
    package var contextType: ContextItemType
    package var scope: ContextItemScope
    package var importance: Double
    package var relatedEntities: [String]
    package var metadata: JSONObject
    package var projectID: String?
    package var sessionID: UUID?

    package init(
        userID: String, content: String, contextType: ContextItemType, scope: ContextItemScope, importance: Double = 0.5,
        relatedEntities: [String] = [], metadata: JSONObject = [:], projectID: String? = nil, sessionID: UUID? = nil
    ) {
        self.userID = userID
        self.content = content
        self.contextType = contextType
        self.scope = scope
        self.importance = importance
        self.relatedEntities = relatedEntities
        self.metadata = metadata
        self.projectID = projectID
        self.sessionID = sessionID
    }
}

/// A query by meaning over one user's items (`/context/query` and `/context/search`).
package struct ContextQuery: Sendable, Equatable {
    package var userID: String
    package var text: String
    package var contextType: ContextItemType?
    package var scope: ContextItemScope?
    package var projectID: String?
    package var sessionID: UUID?
    /// How many items at most (1-100 for query, 1-50 for search; the decoder checks).
    package var limit: Int
    /// The request's name for the text (`query` or `q`), for errors.
    package var textField: String

    package init(
        userID: String, text: String, contextType: ContextItemType? = nil, scope: ContextItemScope? = nil, projectID: String? = nil,
        sessionID: UUID? = nil, limit: Int = 10, textField: String = "query"
    ) {
        self.userID = userID
        self.text = text
        self.contextType = contextType
        self.scope = scope
        self.projectID = projectID
        self.sessionID = sessionID
        self.limit = limit
        self.textField = textField
    }
}

/// `GET /context/summary`: counts and the items that stand out.
package struct ContextSummary: Sendable {
    package var totalVectors: Int
    package var totalClusters: Int
    /// Items per context type (raw value).
    package var contextTypes: [String: Int]
    /// Items per scope (raw value).
    package var scopes: [String: Int]
    /// The 5 most important items.
    package var topImportance: [ContextItem]
    /// The 5 most recently accessed items.
    package var recentAccess: [ContextItem]
}

/// A cluster derived on read: a user's items of one context type (at least 3).
package struct ContextCluster: Sendable {
    /// Stable: a name-based UUID of the user and the type.
    package var id: UUID
    package var type: ContextItemType
    /// "Technical Knowledge Cluster".
    package var name: String
    /// "Cluster of N technical_knowledge contexts".
    package var description: String
    package var vectorCount: Int
    /// Mean pairwise cosine of the embedded members (first 100); 1.0 below two.
    package var coherenceScore: Double
    /// The newest member's `updated_at`.
    package var lastUpdated: Timestamp
    /// The 3 most important members.
    package var samples: [ContextItem]
}

/// Another item of the owner whose embedding is close to an item's.
package struct ContextConnection: Sendable {
    package var item: ContextItem
    /// Cosine of the two embeddings.
    package var similarity: Double
}

/// `GET /context/vectors/{id}`: the item and its connections.
package struct ContextItemDetail: Sendable {
    package var item: ContextItem
    /// The best 5, closest first.
    package var connections: [ContextConnection]
    /// How many items are connected, at most 10.
    package var connectionCount: Int
}

/// `GET /context/analytics`: statistics of one user's items or every user's.
package struct ContextAnalytics: Sendable {
    /// One entry of `cluster_health`.
    package struct ClusterHealth: Sendable {
        package var vectorCount: Int
        package var coherenceScore: Double
        package var lastUpdated: Timestamp
    }

    package var totalVectors: Int
    package var totalClusters: Int
    package var averageImportance: Double
    package var averageAccessCount: Double
    package var contextTypes: [String: Int]
    package var scopes: [String: Int]
    /// Keyed by cluster name.
    package var clusterHealth: [String: ClusterHealth]
    /// Items accessed within the last 24 hours.
    package var accessedLastDay: Int
    /// Items accessed within the last 7 days.
    package var accessedLastWeek: Int
    /// UTF-8 bytes of content.
    package var contentBytes: Int
}

/// `GET /context/health`: a status over the data's statistics.
package struct ContextHealth: Sendable {
    /// empty, degraded, unclustered or healthy.
    package var status: String
    package var analytics: ContextAnalytics
}
