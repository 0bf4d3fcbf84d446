/// How a session's memories are compressed (API-more.md "Compression"): which memories are kept
/// whole within the token budget, and what the rest becomes (facts, decisions, entities, a summary).
package enum CompressionStrategy: String, Sendable, Hashable, CaseIterable {
    case importanceBased = "importance_based"
    case recencyWeighted = "recency_weighted"
    case summarization
    case entityConsolidation = "entity_consolidation"
    case semanticClustering = "semantic_clustering"
    case hierarchical
    case hybrid

    /// What `GET /api/memory/compression/strategies` says about the strategy.
    package var description: String {
        switch self {
        case .importanceBased: "Keeps the most important memories at or above the level's importance threshold."
        case .recencyWeighted: "Keeps the best memories by importance decaying with age (0.95 per hour)."
        case .summarization: "Keeps important decisions and errors; the rest becomes one line per memory type."
        case .entityConsolidation: "Keeps the most important memory about each entity; uncovered entities become facts."
        case .semanticClustering: "Groups memories that share entities and keeps the most important of each group."
        case .hierarchical: "Keeps critical memories first, then important ones while room is left; summarizes the rest."
        case .hybrid: "Importance first, recent memories in the room left, entity facts and a summary of the rest."
        }
    }

    /// When to choose the strategy.
    package var bestFor: String {
        switch self {
        case .importanceBased: "Sessions with a few clearly important memories"
        case .recencyWeighted: "Ongoing work where the latest memories matter most"
        case .summarization: "Long sessions of many decisions and errors"
        case .entityConsolidation: "Sessions about many components, people or files"
        case .semanticClustering: "Sessions that return to the same topics repeatedly"
        case .hierarchical: "Sessions with a clear spread of importance"
        case .hybrid: "General use (the default)"
        }
    }

    /// How the strategy behaves, in short phrases.
    package var characteristics: [String] {
        switch self {
        case .importanceBased: ["importance threshold by level", "gists of critical memories that did not fit", "summary of the rest"]
        case .recencyWeighted: ["exponential decay by age", "share of memories by level", "entities of the rest"]
        case .summarization: ["decisions and errors kept", "one line per type", "type counts as summary"]
        case .entityConsolidation: ["one memory per entity", "entity facts", "ignores memories without entities"]
        case .semanticClustering: ["clusters by shared entities", "one memory per cluster", "cluster descriptions"]
        case .hierarchical: ["critical within half the budget", "important while room is left", "top entities"]
        case .hybrid: ["importance and recency", "entity facts", "summary of the rest"]
        }
    }
}

/// How hard a compression squeezes (API-more.md "Compression"): it acts only through the
/// importance threshold of `importance_based` and the share kept by `recency_weighted` (and so
/// through `hybrid`); the other strategies ignore it.
package enum CompressionLevel: String, Sendable, Hashable, CaseIterable {
    case light, moderate, aggressive, extreme

    /// The least importance `importance_based` keeps: 0.7, 0.8, 0.85, 0.9.
    package var importanceThreshold: Double {
        switch self {
        case .light: 0.7
        case .moderate: 0.8
        case .aggressive: 0.85
        case .extreme: 0.9
        }
    }

    /// The share of memories `recency_weighted` considers: 0.8, 0.6, 0.4, 0.2.
    package var recencyShare: Double {
        switch self {
        case .light: 0.8
        case .moderate: 0.6
        case .aggressive: 0.4
        case .extreme: 0.2
        }
    }

    /// The nominal reduction the stats route estimates with: 0.15, 0.4, 0.7, 0.85.
    package var nominalRatio: Double {
        switch self {
        case .light: 0.15
        case .moderate: 0.4
        case .aggressive: 0.7
        case .extreme: 0.85
        }
    }

    /// The nominal reduction as the strategies route words it.
    package var reduction: String {
        switch self {
        case .light: "10-20%"
        case .moderate: "30-50%"
        case .aggressive: "60-80%"
        case .extreme: "80-90%"
        }
    }

    /// When to choose the level.
    package var useCase: String {
        switch self {
        case .light: "Plenty of room: keep nearly everything"
        case .moderate: "The usual balance of detail and size"
        case .aggressive: "A tight context window"
        case .extreme: "Only the essentials"
        }
    }

    /// KnowledgeHub's wording of how long a compression at this level takes.
    package var timeEstimate: String {
        switch self {
        case .light, .moderate: "1-2 seconds"
        case .aggressive, .extreme: "2-5 seconds"
        }
    }
}
