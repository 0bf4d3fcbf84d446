package import MemoryCore

/// `/api/memory/importance` (API-more.md "Importance"): KnowledgeHub's 12-factor model, pure
/// computation on the request. Each function reads the request's fields and returns the response.
package enum ImportanceAPI {
    /// The scorer, with a per-request `weights` override (API-more.md Proposal): every factor named
    /// must be known and its weight a finite number ≥ 0; unnamed factors keep their default.
    static func scorer(_ fields: JSONFields) throws -> ImportanceScorer {
        guard let overrides = try fields.object("weights") else { return ImportanceScorer() }
        var weights = ImportanceFactor.defaultWeights
        for (name, value) in overrides {
            guard let factor = ImportanceFactor(rawValue: name) else {
                throw MemoryHubError.invalidField("weights", "weights names \(name), which is not a factor; the factors are \(ImportanceFactor.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard let weight = value.numberValue, weight.isFinite, weight >= 0 else {
                throw MemoryHubError.invalidField("weights", "The weight of \(name) must be a number of at least 0.")
            }
            weights[factor] = weight
        }
        return ImportanceScorer(weights: weights)
    }

    static func input(_ fields: JSONFields) throws -> ImportanceInput {
        let history = try CaptureInput.objects(fields, "history", required: false).map { item in
            item["content"]?.stringValue ?? ""
        }
        return ImportanceInput(
            content: try CaptureInput.text(fields, "content"), context: try fields.object("context") ?? [:],
            entities: try CaptureInput.strings(fields, "entities"), facts: try fields.array("facts") ?? [], history: history)
    }

    static func batchItem(_ object: JSONObject, field: String, index: Int) throws -> ImportanceBatchItem {
        let fields = JSONFields(object)
        guard let content = try fields.string("content") else {
            throw MemoryHubError.invalidField(field, "Item \(index) of \(field) has no content.")
        }
        return ImportanceBatchItem(
            content: try CaptureInput.checked(content, field), entities: try fields.strings("entities") ?? [],
            facts: try fields.array("facts") ?? [], metadata: try fields.object("metadata") ?? [:])
    }

    /// POST `/score`.
    package static func score(_ fields: JSONFields, now: Timestamp = .now()) throws -> JSONValue {
        let clock = ContinuousClock(), start = clock.now
        let score = try scorer(fields).score(try input(fields), now: now)
        guard case .object(var object) = representation(score) else { return .null }
        object["processing_time_ms"] = .double(APIRepresentation.milliseconds(clock.now - start))
        return .object(object)
    }

    /// POST `/score-batch`: each memory's history is the batch's other memories.
    package static func scoreBatch(_ fields: JSONFields, now: Timestamp = .now()) throws -> JSONValue {
        let clock = ContinuousClock(), start = clock.now
        let objects = try CaptureInput.objects(fields, "memories")
        let items = try objects.enumerated().map { try batchItem($1, field: "memories", index: $0) }
        let scored = try scorer(fields).scoreBatch(items, context: try fields.object("context") ?? [:], now: now)
        let statistics = ImportanceStatistics(scored.map(\.score))
        return .object([
            "results": .array(scored.map { item in
                .object(["memory": .object(objects[item.index]), "importance_score": representation(item.score)])
            }),
            "total_memories": .int(Int64(items.count)),
            "processing_time_ms": .double(APIRepresentation.milliseconds(clock.now - start)),
            "statistics": .object([
                "total_scores": .int(Int64(statistics.scoreCount)),
                "avg_importance": .double(statistics.averageImportance),
                "max_importance": .double(statistics.maxImportance),
                "min_importance": .double(statistics.minImportance),
                "avg_normalized": .double(statistics.averageNormalized),
                "avg_confidence": .double(statistics.averageConfidence),
                "high_importance_count": .int(Int64(statistics.highImportanceCount)),
                "medium_importance_count": .int(Int64(statistics.mediumImportanceCount)),
                "low_importance_count": .int(Int64(statistics.lowImportanceCount)),
                "factor_contributions": .object(Dictionary(uniqueKeysWithValues: statistics.factorContributions.map { factor in
                    (factor.factor.rawValue, .object([
                        "avg_score": .double(factor.averageScore), "max_score": .double(factor.maxScore),
                        "count_nonzero": .int(Int64(factor.nonzeroCount)),
                    ]))
                })),
            ]),
        ])
    }

    /// GET `/factors`.
    package static func factors() -> JSONValue {
        let scorer = ImportanceScorer()
        return .object([
            "importance_factors": .object(Dictionary(uniqueKeysWithValues: ImportanceFactor.allCases.map { factor in
                (factor.rawValue, .object(["weight": .double(factor.weight), "description": .string(factor.description)]))
            })),
            "total_factors": .int(Int64(ImportanceFactor.allCases.count)),
            "weight_sum": .double(scorer.weightSum),
        ])
    }

    /// POST `/analyze-factors`: each factor's raw score, weight, weighted contribution and share.
    package static func analyzeFactors(_ fields: JSONFields, now: Timestamp = .now()) throws -> JSONValue {
        let input = ImportanceInput(
            content: try CaptureInput.text(fields, "content"), context: try fields.object("context") ?? [:],
            entities: try CaptureInput.strings(fields, "entities"))
        let score = try scorer(fields).score(input, now: now)
        let contributions = score.contributions
        return .object([
            "content_length": .int(Int64(score.contentLength)),
            "total_score": .double(score.totalScore),
            "normalized_score": .double(score.normalizedScore),
            "confidence": .double(score.confidence),
            "factor_analysis": .object(Dictionary(uniqueKeysWithValues: contributions.map { contribution in
                (contribution.factor.rawValue, .object([
                    "raw_score": .double(contribution.rawScore), "weight": .double(contribution.weight),
                    "weighted_contribution": .double(contribution.weightedContribution), "percentage": .double(contribution.percentage),
                ]))
            })),
            "top_contributing_factors": .array(contributions.prefix(3).map { .string($0.factor.rawValue) }),
            "reasoning": .array(score.reasoning.map(JSONValue.string)),
            "metadata": metadata(score),
        ])
    }

    /// POST `/rank-content`: the same model without history, rank 1 = highest.
    package static func rankContent(_ fields: JSONFields, now: Timestamp = .now()) throws -> JSONValue {
        let objects = try CaptureInput.objects(fields, "content_list")
        let items = try objects.enumerated().map { try batchItem($1, field: "content_list", index: $0) }
        let ranking = try scorer(fields).rank(items, context: try fields.object("context") ?? [:], now: now)
        return .object([
            "ranked_items": .array(ranking.items.map { item in
                .object([
                    "original_item": .object(objects[item.index]), "importance_score": .double(item.score.normalizedScore),
                    "confidence": .double(item.score.confidence), "rank": .int(Int64(item.rank)),
                ])
            }),
            "total_items": .int(Int64(items.count)),
            "statistics": .object([
                "highest_score": .double(ranking.highestScore), "lowest_score": .double(ranking.lowestScore),
                "average_score": .double(ranking.averageScore),
                "high_importance_count": .int(Int64(ranking.highImportanceCount)),
                "medium_importance_count": .int(Int64(ranking.mediumImportanceCount)),
                "low_importance_count": .int(Int64(ranking.lowImportanceCount)),
            ]),
        ])
    }

    /// POST `/optimize-weights`: read-only analysis; weights are configuration and never change.
    package static func optimizeWeights(_ fields: JSONFields, now: Timestamp = .now()) throws -> JSONValue {
        let objects = try CaptureInput.objects(fields, "sample_content")
        let samples = try objects.enumerated().map { index, object -> ImportanceInput in
            let sample = JSONFields(object)
            guard let content = try sample.string("content") else {
                throw MemoryHubError.invalidField("sample_content", "Item \(index) of sample_content has no content.")
            }
            return ImportanceInput(
                content: try CaptureInput.checked(content, "sample_content"), context: try sample.object("context") ?? [:],
                entities: try sample.strings("entities") ?? [], facts: try sample.array("facts") ?? [])
        }
        var expected: [Int]?
        if let rankings = try fields.array("expected_rankings") {
            let values = rankings.compactMap { $0.numberValue.flatMap { Int(exactly: $0) }.flatMap { (1...samples.count).contains($0) ? $0 : nil } }
            guard values.count == rankings.count, values.count == samples.count else {
                throw MemoryHubError.invalidField(
                    "expected_rankings", "expected_rankings must hold one whole number from 1 to \(samples.count) per sample (1 = most important).")
            }
            expected = values
        }
        let report = try scorer(fields).optimizeWeightsReport(samples: samples, expectedRankings: expected, now: now)
        var result: JSONObject = [
            "current_performance": .object([
                "average_score": .double(report.averageScore), "score_variance": .double(report.scoreVariance),
                "high_importance_count": .int(Int64(report.highImportanceCount)),
            ]),
            "factor_analysis": .object(Dictionary(uniqueKeysWithValues: report.factors.map { factor in
                var object: JSONObject = [
                    "current_weight": .double(factor.currentWeight), "average_score": .double(factor.averageScore),
                    "variance": .double(factor.variance), "max_score": .double(factor.maxScore), "min_score": .double(factor.minScore),
                    "effectiveness": .double(factor.effectiveness),
                ]
                if expected != nil { object["correlation"] = factor.correlation.map(JSONValue.double) ?? .null }
                return (factor.factor.rawValue, .object(object))
            })),
            "recommendations": .object([
                "most_effective_factors": .array(report.mostEffectiveFactors.map { .string($0.rawValue) }),
                "least_effective_factors": .array(report.leastEffectiveFactors.map { .string($0.rawValue) }),
                "note": .string(WeightOptimizationReport.note),
            ]),
            "sample_count": .int(Int64(report.sampleCount)),
        ]
        if expected != nil { result["rank_correlation"] = report.rankCorrelation.map(JSONValue.double) ?? .null }
        return .object(result)
    }

    /// An importance score as KnowledgeHub shapes it.
    static func representation(_ score: ImportanceScore) -> JSONValue {
        .object([
            "total_score": .double(score.totalScore),
            "normalized_score": .double(score.normalizedScore),
            "confidence": .double(score.confidence),
            "factor_scores": .object(Dictionary(uniqueKeysWithValues: score.factorScores.map { ($0.key.rawValue, .double($0.value)) })),
            "reasoning": .array(score.reasoning.map(JSONValue.string)),
            "metadata": metadata(score),
        ])
    }

    static func metadata(_ score: ImportanceScore) -> JSONValue {
        .object([
            "content_length": .int(Int64(score.contentLength)),
            "word_count": .int(Int64(score.wordCount)),
            "entity_count": .int(Int64(score.entityCount)),
            "fact_count": .int(Int64(score.factCount)),
            "has_context": .bool(score.hasContext),
            "has_history": .bool(score.hasHistory),
            "calculation_factors": .array(score.calculationFactors.map { .string($0.rawValue) }),
        ])
    }
}
