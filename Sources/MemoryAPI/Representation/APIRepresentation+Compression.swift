package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The JSON shapes of API-more.md "Compression".
extension APIRepresentation {
    /// `POST /api/memory/compression/compress`: `session_id`, `compressed_context`, and its
    /// `strategy_used`, `compression_ratio`, `token_estimate` repeated at the top, with
    /// `original_memory_count` and `compressed_memory_count`.
    package static func compression(_ context: CompressedContext, sessionID: UUID) -> JSONValue {
        .object([
            "session_id": .string(sessionID.lowercased),
            "compressed_context": compressedContext(context),
            "strategy_used": .string(context.strategy.rawValue),
            "compression_ratio": .double(context.compressionRatio),
            "token_estimate": .int(Int64(context.tokenEstimate)),
            "original_memory_count": .int(Int64(context.originalMemoryCount)),
            "compressed_memory_count": .int(Int64(context.memories.count)),
        ])
    }

    /// `compressed_context`: the kept memories (`id, content, summary, memory_type, importance,
    /// entities, created_at`), `summary`, `key_entities`, `important_facts`, `recent_decisions`,
    /// `context_stats` (`original_memory_count, original_tokens, kept_memory_count`),
    /// `compression_ratio`, `strategy_used`, `token_estimate`.
    package static func compressedContext(_ context: CompressedContext) -> JSONValue {
        .object([
            "memories": .array(context.memories.map { memory in
                .object([
                    "id": .string(memory.id.lowercased),
                    "content": .string(memory.content),
                    "summary": memory.summary.map(JSONValue.string) ?? .null,
                    "memory_type": .string(memory.memoryType.rawValue),
                    "importance": .double(memory.importance),
                    "entities": .array(memory.entities.map(JSONValue.string)),
                    "created_at": .string(memory.createdAt.iso8601),
                ])
            }),
            "summary": .string(context.summary),
            "key_entities": .array(context.keyEntities.map(JSONValue.string)),
            "important_facts": .array(context.importantFacts.map(JSONValue.string)),
            "recent_decisions": .array(context.recentDecisions.map(JSONValue.string)),
            "context_stats": compressionStats(context),
            "compression_ratio": .double(context.compressionRatio),
            "strategy_used": .string(context.strategy.rawValue),
            "token_estimate": .int(Int64(context.tokenEstimate)),
        ])
    }

    /// `POST /api/memory/compression/compress/preview`: `preview: true, strategy,
    /// compression_ratio, token_estimate, memory_count` (kept), `summary_length` (Unicode
    /// scalars), `key_entities` (at most 5), `important_facts_count, recent_decisions_count,
    /// context_stats`.
    package static func compressionPreview(_ context: CompressedContext) -> JSONValue {
        .object([
            "preview": .bool(true),
            "strategy": .string(context.strategy.rawValue),
            "compression_ratio": .double(context.compressionRatio),
            "token_estimate": .int(Int64(context.tokenEstimate)),
            "memory_count": .int(Int64(context.memories.count)),
            "summary_length": .int(Int64(context.summary.unicodeScalars.count)),
            "key_entities": .array(context.keyEntities.prefix(5).map(JSONValue.string)),
            "important_facts_count": .int(Int64(context.importantFacts.count)),
            "recent_decisions_count": .int(Int64(context.recentDecisions.count)),
            "context_stats": compressionStats(context),
        ])
    }

    /// `GET /api/memory/compression/stats/{session_id}`: `session_id, original_tokens,
    /// available_strategies, compression_estimates: {level: {estimated_tokens,
    /// compression_ratio, time_estimate}}, recommendations`, and (*new*) `memory_count`.
    package static func compressionEstimate(_ estimate: CompressionEstimate, sessionID: UUID) -> JSONValue {
        var levels: JSONObject = [:]
        for level in estimate.levels {
            levels[level.level.rawValue] = .object([
                "estimated_tokens": .int(Int64(level.estimatedTokens)),
                "compression_ratio": .double(level.compressionRatio),
                "time_estimate": .string(level.timeEstimate),
            ])
        }
        return .object([
            "session_id": .string(sessionID.lowercased),
            "memory_count": .int(Int64(estimate.memoryCount)),
            "original_tokens": .int(Int64(estimate.originalTokens)),
            "available_strategies": .array(CompressionStrategy.allCases.map { .string($0.rawValue) }),
            "compression_estimates": .object(levels),
            "recommendations": .array(estimate.recommendations.map(JSONValue.string)),
        ])
    }

    /// `GET /api/memory/compression/strategies`: `strategies: {name: {description, best_for,
    /// characteristics}}, levels: {name: {reduction, use_case}}`.
    package static var compressionStrategies: JSONValue {
        var strategies: JSONObject = [:]
        for strategy in CompressionStrategy.allCases {
            strategies[strategy.rawValue] = .object([
                "description": .string(strategy.description),
                "best_for": .string(strategy.bestFor),
                "characteristics": .array(strategy.characteristics.map(JSONValue.string)),
            ])
        }
        var levels: JSONObject = [:]
        for level in CompressionLevel.allCases {
            levels[level.rawValue] = .object(["reduction": .string(level.reduction), "use_case": .string(level.useCase)])
        }
        return .object(["strategies": .object(strategies), "levels": .object(levels)])
    }

    /// `DELETE /api/memory/compression/cache/{session_id}`: KnowledgeHub's `message`, and
    /// (*new*) `cleared`, the number of entries removed.
    package static func compressionCacheCleared(_ cleared: Int, oneEntry: Bool) -> JSONValue {
        let message = oneEntry
            ? (cleared == 1 ? "Specific cache entry cleared" : "No cache entry for these settings")
            : "Cleared \(cleared) cache entries"
        return .object(["message": .string(message), "cleared": .int(Int64(cleared))])
    }

    private static func compressionStats(_ context: CompressedContext) -> JSONValue {
        .object([
            "original_memory_count": .int(Int64(context.originalMemoryCount)),
            "original_tokens": .int(Int64(context.originalTokens)),
            "kept_memory_count": .int(Int64(context.memories.count)),
        ])
    }
}
