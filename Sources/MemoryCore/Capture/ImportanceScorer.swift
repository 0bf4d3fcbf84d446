/// The twelve factors of KnowledgeHub's importance model (`api/memory_system/services/importance_scoring.py`
/// at aa7f7bd; API-more.md, "Importance"), in the order of their weights. Raw values are the JSON names.
package enum ImportanceFactor: String, CaseIterable, Sendable {
    case explicitness
    case userEmphasis = "user_emphasis"
    case errorSeverity = "error_severity"
    case decisionWeight = "decision_weight"
    case actionUrgency = "action_urgency"
    case temporalProximity = "temporal_proximity"
    case technicalComplexity = "technical_complexity"
    case contextualRelevance = "contextual_relevance"
    case repetition
    case recency
    case entityDensity = "entity_density"
    case frequencyPattern = "frequency_pattern"

    /// KnowledgeHub's weight. The twelve sum to 1.35, kept so that scores stay comparable with KH's:
    /// a total may exceed 1.
    package var weight: Double {
        switch self {
        case .explicitness: 0.25
        case .userEmphasis: 0.20
        case .errorSeverity: 0.18
        case .decisionWeight, .actionUrgency: 0.15
        case .temporalProximity: 0.10
        case .technicalComplexity, .contextualRelevance: 0.08
        case .repetition, .recency: 0.05
        case .entityDensity, .frequencyPattern: 0.03
        }
    }

    /// What the factor measures, in one line (KH's `_get_factor_description`).
    package var description: String {
        switch self {
        case .explicitness: "Explicit importance markers like 'important', 'critical', 'urgent'"
        case .userEmphasis: "User emphasis patterns like bold text, caps, exclamation marks"
        case .errorSeverity: "Severity of errors, issues, and problems"
        case .decisionWeight: "Decision-related content and choices made"
        case .actionUrgency: "Urgency of action items and time-sensitive tasks"
        case .temporalProximity: "Time-sensitive and temporal information"
        case .technicalComplexity: "Technical depth and complexity indicators"
        case .contextualRelevance: "Relevance to current context and project"
        case .repetition: "How often similar content appears in history"
        case .recency: "How recent the information is"
        case .entityDensity: "Density of important entities in the content"
        case .frequencyPattern: "Frequency patterns of key terms"
        }
    }

    /// Every factor's `weight`.
    package static var defaultWeights: [ImportanceFactor: Double] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.weight) })
    }
}

/// One text to score: the body of `POST /api/memory/importance/score`.
package struct ImportanceInput: Sendable {
    package var content: String
    /// Read for `project_id`/`project`, `session_id`, `user_id`, `topic`/`category`, `is_critical`
    /// (Python truthiness) and `timestamp`/`created_at` (ISO 8601).
    package var context: JSONObject
    /// Only the count matters.
    package var entities: [String]
    /// Only the count matters.
    package var facts: [JSONValue]
    /// The contents of earlier items, oldest first; only the last `ImportanceScorer.frequencyWindow`
    /// are read.
    package var history: [String]

    package init(
        content: String, context: JSONObject = [:], entities: [String] = [], facts: [JSONValue] = [], history: [String] = []
    ) {
        self.content = content
        self.context = context
        self.entities = entities
        self.facts = facts
        self.history = history
    }
}

/// One factor's share of a score (`analyze-factors`' `factor_analysis`).
package struct ImportanceContribution: Sendable, Equatable {
    package var factor: ImportanceFactor
    package var rawScore: Double
    package var weight: Double
    /// rawScore × weight.
    package var weightedContribution: Double
    /// weightedContribution as a percentage (0...100) of the total; 0 when the total is not positive.
    package var percentage: Double
}

/// A scored text: `total_score`, `normalized_score`, `confidence`, `factor_scores`, `reasoning` and
/// the `metadata` fields of the importance routes.
package struct ImportanceScore: Sendable, Equatable {
    /// Σ weight × raw over the factors; with the default weights at most 1.35.
    package var totalScore: Double
    /// totalScore clamped to 0...1.
    package var normalizedScore: Double
    /// 0.5, plus 0.1 each for a non-empty context, entities, facts, history, more than 10 words and
    /// more than 50 words, at most 1; 1 for blank content.
    package var confidence: Double
    /// Raw scores (0...1) of the factors evaluated: all twelve, or none for blank content.
    package var factorScores: [ImportanceFactor: Double]
    /// A sentence per factor that found something, in factor order, then "Top contributing
    /// factors: a, b, c" (up to three, by weighted contribution).
    package var reasoning: [String]
    /// In Unicode scalars.
    package var contentLength: Int
    /// White-space-separated words.
    package var wordCount: Int
    package var entityCount: Int
    package var factCount: Int
    package var hasContext: Bool
    package var hasHistory: Bool
    /// The factors whose raw score is above 0, in factor order.
    package var calculationFactors: [ImportanceFactor]
    /// The weights the total was computed with.
    package var weights: [ImportanceFactor: Double]

    /// The evaluated factors' contributions, largest weighted contribution first (ties in factor order).
    package var contributions: [ImportanceContribution] {
        ImportanceFactor.allCases.compactMap { factor -> ImportanceContribution? in
            guard let raw = factorScores[factor] else { return nil }
            let weight = weights[factor] ?? 0
            let weighted = raw * weight
            return ImportanceContribution(
                factor: factor, rawScore: raw, weight: weight, weightedContribution: weighted,
                percentage: totalScore > 0 ? weighted / totalScore * 100 : 0
            )
        }
        .enumerated()
        .sorted { $0.element.weightedContribution > $1.element.weightedContribution
            || ($0.element.weightedContribution == $1.element.weightedContribution && $0.offset < $1.offset) }
        .map(\.element)
    }
}

/// Where a normalized score falls: high ≥ 0.8, medium 0.5..<0.8, low below 0.5.
package enum ImportanceBand: String, Sendable {
    case high, medium, low

    package init(normalizedScore: Double) {
        self = normalizedScore >= 0.8 ? .high : normalizedScore >= 0.5 ? .medium : .low
    }
}

/// KnowledgeHub's 12-factor importance model (API-more.md, "Importance: `/api/memory/importance`"):
/// each factor scores the text, its context, entities and history from 0 to 1, and the total is
/// their weighted sum. Pure and linear in the input: word lists match whole words in any case, by
/// word-by-word scanners rather than regular expressions, and history work is bounded by
/// `repetitionWindow` and `frequencyWindow`.
///
/// Differences from KH, per the spec: "word present" bonuses and key-term counts match whole words
/// (KH matched substrings: "needle" counted as need); naive timestamps are UTC and future ones
/// count as now.
package struct ImportanceScorer: Sendable {
    /// Repetition compares the content with this many of the latest history items.
    package static let repetitionWindow = 20
    /// The frequency pattern counts key terms in this many of the latest history items.
    package static let frequencyWindow = 50

    /// A factor missing here weighs 0.
    package var weights: [ImportanceFactor: Double]

    package init(weights: [ImportanceFactor: Double] = ImportanceFactor.defaultWeights) {
        self.weights = weights
    }

    package func weight(of factor: ImportanceFactor) -> Double { weights[factor] ?? 0 }

    /// The sum of the twelve weights (1.35 by default), summed with compensation so that the
    /// default reads 1.35 rather than 1.3500000000000003.
    package var weightSum: Double {
        var sum = 0.0
        var compensation = 0.0
        for factor in ImportanceFactor.allCases {
            let value = weight(of: factor)
            let next = sum + value
            compensation += abs(sum) >= abs(value) ? (sum - next) + value : (value - next) + sum
            sum = next
        }
        return sum + compensation
    }

    /// Scores `input` as of `now` (the instant recency measures from).
    package func score(_ input: ImportanceInput, now: Timestamp) -> ImportanceScore {
        let window = input.history.suffix(Self.frequencyWindow).map { ImportanceHistoryEntry(ImportanceText($0)) }
        return score(
            ImportanceText(input.content), context: input.context, entityCount: input.entities.count,
            factCount: input.facts.count, history: window, hasHistory: !input.history.isEmpty, now: now
        )
    }

    /// The model itself, on analysed text. `history` is the latest `frequencyWindow` items at most.
    func score(
        _ text: ImportanceText, context: JSONObject, entityCount: Int, factCount: Int,
        history: [ImportanceHistoryEntry], hasHistory: Bool, now: Timestamp
    ) -> ImportanceScore {
        var result = ImportanceScore(
            totalScore: 0, normalizedScore: 0, confidence: 1, factorScores: [:], reasoning: ["Empty content has no importance"],
            contentLength: text.scalarCount, wordCount: text.chunkCount, entityCount: entityCount, factCount: factCount,
            hasContext: !context.isEmpty, hasHistory: hasHistory, calculationFactors: [], weights: weights
        )
        guard !text.isBlank else { return result }

        let evaluation = ImportanceFactorEvaluation(text)
        var reasoning: [String] = []
        var total = 0.0
        for factor in ImportanceFactor.allCases {
            let factorResult: ImportanceFactorResult = switch factor {
            case .explicitness: evaluation.explicitness()
            case .userEmphasis: evaluation.userEmphasis()
            case .errorSeverity: evaluation.errorSeverity()
            case .decisionWeight: evaluation.decisionWeight()
            case .actionUrgency: evaluation.actionUrgency()
            case .temporalProximity: evaluation.temporalProximity()
            case .technicalComplexity: evaluation.technicalComplexity()
            case .contextualRelevance: ImportanceFactorEvaluation.contextualRelevance(context)
            case .repetition: evaluation.repetition(history: history.suffix(Self.repetitionWindow))
            case .recency: ImportanceFactorEvaluation.recency(context, now: now)
            case .entityDensity: evaluation.entityDensity(entityCount: entityCount)
            case .frequencyPattern: evaluation.frequencyPattern(history: history.suffix(Self.frequencyWindow))
            }
            result.factorScores[factor] = factorResult.raw
            reasoning += factorResult.reasons
            total += factorResult.raw * weight(of: factor)
            if factorResult.raw > 0 { result.calculationFactors.append(factor) }
        }
        result.totalScore = total
        result.normalizedScore = min(1, max(0, total))

        let bonuses = [!context.isEmpty, entityCount > 0, factCount > 0, hasHistory, text.chunkCount > 10, text.chunkCount > 50]
        result.confidence = min(1, Double(5 + bonuses.count(where: { $0 })) / 10)

        // KH lists three factors even when some contributed nothing; a factor that added 0 is not
        // "contributing", so only positive contributions are named.
        let top = result.contributions.prefix(3).filter { $0.weightedContribution > 0 }
        if !top.isEmpty {
            reasoning.append("Top contributing factors: " + top.map(\.factor.rawValue).joined(separator: ", "))
        }
        result.reasoning = reasoning
        return result
    }
}

// MARK: - Batches, rankings and weight analysis

/// One item of `score-batch`'s `memories` or `rank-content`'s `content_list`.
package struct ImportanceBatchItem: Sendable {
    package var content: String
    package var entities: [String]
    package var facts: [JSONValue]
    /// Overlays the request's `context`.
    package var metadata: JSONObject

    package init(content: String, entities: [String] = [], facts: [JSONValue] = [], metadata: JSONObject = [:]) {
        self.content = content
        self.entities = entities
        self.facts = facts
        self.metadata = metadata
    }
}

/// A scored batch item; `index` is its position in the request, so that the route can echo it as sent.
package struct ScoredImportanceItem: Sendable, Equatable {
    package var index: Int
    package var score: ImportanceScore
}

/// `score-batch`'s `statistics`.
package struct ImportanceStatistics: Sendable, Equatable {
    /// `factor_contributions` of one factor.
    package struct FactorStatistics: Sendable, Equatable {
        package var factor: ImportanceFactor
        /// Over all scores, a factor not evaluated (blank content) counting 0.
        package var averageScore: Double
        package var maxScore: Double
        package var nonzeroCount: Int
    }

    package var scoreCount: Int
    package var averageImportance: Double
    package var maxImportance: Double
    package var minImportance: Double
    package var averageNormalized: Double
    package var averageConfidence: Double
    package var highImportanceCount: Int
    package var mediumImportanceCount: Int
    package var lowImportanceCount: Int
    /// The factors that scored above 0 somewhere, in factor order.
    package var factorContributions: [FactorStatistics]

    /// Statistics over `scores`; all zero when there are none.
    package init(_ scores: [ImportanceScore]) {
        let count = Double(max(1, scores.count))
        scoreCount = scores.count
        averageImportance = scores.reduce(0) { $0 + $1.totalScore } / count
        maxImportance = scores.map(\.totalScore).max() ?? 0
        minImportance = scores.map(\.totalScore).min() ?? 0
        averageNormalized = scores.reduce(0) { $0 + $1.normalizedScore } / count
        averageConfidence = scores.reduce(0) { $0 + $1.confidence } / count
        let bands = scores.map { ImportanceBand(normalizedScore: $0.normalizedScore) }
        highImportanceCount = bands.count(where: { $0 == .high })
        mediumImportanceCount = bands.count(where: { $0 == .medium })
        lowImportanceCount = bands.count(where: { $0 == .low })
        factorContributions = ImportanceFactor.allCases.compactMap { factor in
            let raws = scores.map { $0.factorScores[factor] ?? 0 }
            let nonzero = raws.count(where: { $0 > 0 })
            guard nonzero > 0 else { return nil }
            return FactorStatistics(
                factor: factor, averageScore: raws.reduce(0, +) / count, maxScore: raws.max() ?? 0, nonzeroCount: nonzero
            )
        }
    }
}

/// One item of `rank-content`: `importance_score` is `score.normalizedScore`.
package struct RankedImportanceItem: Sendable, Equatable {
    /// Position in the request.
    package var index: Int
    /// 1 for the highest normalized score.
    package var rank: Int
    package var score: ImportanceScore
}

/// `rank-content`'s result: items by rank, and statistics over their normalized scores.
package struct ImportanceRanking: Sendable, Equatable {
    package var items: [RankedImportanceItem]
    package var highestScore: Double
    package var lowestScore: Double
    package var averageScore: Double
    package var highImportanceCount: Int
    package var mediumImportanceCount: Int
    package var lowImportanceCount: Int
}

/// `optimize-weights`' result. Weights are configuration and are never changed by it.
package struct WeightOptimizationReport: Sendable, Equatable {
    /// One entry of `factor_analysis`: the factor's raw scores over the samples.
    package struct FactorAnalysis: Sendable, Equatable {
        package var factor: ImportanceFactor
        package var currentWeight: Double
        package var averageScore: Double
        /// Population variance.
        package var variance: Double
        package var maxScore: Double
        package var minScore: Double
        /// variance × averageScore.
        package var effectiveness: Double
        /// Spearman correlation (-1...1) of the raw score with the expected importance (*new*); nil
        /// without expected rankings or when either side is constant.
        package var correlation: Double?
    }

    package static let note = "Consider increasing weights for most effective factors and decreasing for least effective"

    package var sampleCount: Int
    /// Mean normalized score.
    package var averageScore: Double
    /// Population variance of the normalized scores.
    package var scoreVariance: Double
    package var highImportanceCount: Int
    /// Most effective first (ties in factor order); factors no sample evaluated are left out.
    package var factors: [FactorAnalysis]
    /// The first three of `factors`.
    package var mostEffectiveFactors: [ImportanceFactor]
    /// The last three of `factors`, in that order (as KH).
    package var leastEffectiveFactors: [ImportanceFactor]
    /// Spearman correlation (-1...1) of the normalized scores with the expected importance (*new*):
    /// 1 when the scores order the samples exactly as `expected_rankings` do (1 = most important).
    package var rankCorrelation: Double?
}

extension ImportanceScorer {
    /// `score-batch`: each memory scored with the others' contents (in request order) as history and
    /// `context` overlaid by its `metadata`; highest normalized score first, ties in request order.
    /// Only the latest `frequencyWindow` + 1 memories can be anyone's history, so only those are
    /// analysed as history, once: the batch stays linear in its size.
    package func scoreBatch(_ items: [ImportanceBatchItem], context: JSONObject = [:], now: Timestamp) -> [ScoredImportanceItem] {
        let tailStart = max(0, items.count - (Self.frequencyWindow + 1))
        let tailTexts = items[tailStart...].map { ImportanceText($0.content) }
        let tailEntries = tailTexts.map(ImportanceHistoryEntry.init)
        var results: [ScoredImportanceItem] = []
        results.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let text: ImportanceText
            var others = tailEntries
            if index >= tailStart {
                text = tailTexts[index - tailStart]
                others.remove(at: index - tailStart)
            } else {
                text = ImportanceText(item.content)
            }
            let score = score(
                text, context: context.merging(item.metadata) { _, own in own }, entityCount: item.entities.count,
                factCount: item.facts.count, history: Array(others.suffix(Self.frequencyWindow)), hasHistory: items.count > 1,
                now: now
            )
            results.append(ScoredImportanceItem(index: index, score: score))
        }
        return results.sorted(by: Self.higherFirst)
    }

    /// `rank-content`: as `scoreBatch` without history, ranked from 1.
    package func rank(_ items: [ImportanceBatchItem], context: JSONObject = [:], now: Timestamp) -> ImportanceRanking {
        let scored = items.enumerated().map { index, item in
            ScoredImportanceItem(index: index, score: score(
                ImportanceText(item.content), context: context.merging(item.metadata) { _, own in own },
                entityCount: item.entities.count, factCount: item.facts.count, history: [], hasHistory: false, now: now
            ))
        }
        .sorted(by: Self.higherFirst)
        let normalized = scored.map(\.score.normalizedScore)
        let bands = normalized.map(ImportanceBand.init(normalizedScore:))
        return ImportanceRanking(
            items: scored.enumerated().map { RankedImportanceItem(index: $1.index, rank: $0 + 1, score: $1.score) },
            highestScore: normalized.max() ?? 0,
            lowestScore: normalized.min() ?? 0,
            averageScore: normalized.isEmpty ? 0 : normalized.reduce(0, +) / Double(normalized.count),
            highImportanceCount: bands.count(where: { $0 == .high }),
            mediumImportanceCount: bands.count(where: { $0 == .medium }),
            lowImportanceCount: bands.count(where: { $0 == .low })
        )
    }

    /// `optimize-weights`: how each factor's raw scores spread over `samples` (mean, population
    /// variance, min, max, effectiveness = variance × mean), and, with `expectedRankings` (one per
    /// sample, 1 = most important), Spearman correlations of the normalized score and of each
    /// factor with them. Rankings of another length than `samples` give no correlations (the route
    /// rejects them first). A blank sample is left out of the factor statistics, as KH, and counts
    /// 0 in the factor correlations.
    package func optimizeWeightsReport(samples: [ImportanceInput], expectedRankings: [Int]? = nil, now: Timestamp) -> WeightOptimizationReport {
        let scores = samples.map { score($0, now: now) }
        let normalized = scores.map(\.normalizedScore)
        let importance = expectedRankings.flatMap { $0.count == samples.count ? $0.map { -Double($0) } : nil }

        var factors = ImportanceFactor.allCases.compactMap { factor -> WeightOptimizationReport.FactorAnalysis? in
            let raws = scores.compactMap { $0.factorScores[factor] }
            guard !raws.isEmpty else { return nil }
            let (mean, variance) = Self.meanAndVariance(raws)
            return WeightOptimizationReport.FactorAnalysis(
                factor: factor, currentWeight: weight(of: factor), averageScore: mean, variance: variance,
                maxScore: raws.max() ?? 0, minScore: raws.min() ?? 0, effectiveness: variance * mean,
                correlation: importance.flatMap { Self.spearmanCorrelation(scores.map { $0.factorScores[factor] ?? 0 }, $0) }
            )
        }
        factors = factors.enumerated()
            .sorted { $0.element.effectiveness > $1.element.effectiveness
                || ($0.element.effectiveness == $1.element.effectiveness && $0.offset < $1.offset) }
            .map(\.element)

        let (average, variance) = Self.meanAndVariance(normalized)
        return WeightOptimizationReport(
            sampleCount: samples.count,
            averageScore: average,
            scoreVariance: variance,
            highImportanceCount: normalized.count(where: { ImportanceBand(normalizedScore: $0) == .high }),
            factors: factors,
            mostEffectiveFactors: factors.prefix(3).map(\.factor),
            leastEffectiveFactors: factors.suffix(3).map(\.factor),
            rankCorrelation: importance.flatMap { Self.spearmanCorrelation(normalized, $0) }
        )
    }

    /// Spearman's rank correlation (-1...1) of paired samples: the Pearson correlation of their
    /// ranks, tied values sharing their average rank. Nil with fewer than two pairs, unequal
    /// lengths, or a constant side.
    package static func spearmanCorrelation(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let rx = averageRanks(x)
        let ry = averageRanks(y)
        let (mx, _) = meanAndVariance(rx)
        let (my, _) = meanAndVariance(ry)
        var covariance = 0.0
        var sx = 0.0
        var sy = 0.0
        for index in rx.indices {
            let dx = rx[index] - mx
            let dy = ry[index] - my
            covariance += dx * dy
            sx += dx * dx
            sy += dy * dy
        }
        guard sx > 0, sy > 0 else { return nil }
        return max(-1, min(1, covariance / (sx * sy).squareRoot()))
    }

    /// 1-based ranks in ascending order of value, ties sharing the average of their ranks.
    private static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = average }
            start = end + 1
        }
        return ranks
    }

    /// Mean and population variance; (0, 0) for no values.
    private static func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
        guard !values.isEmpty else { return (0, 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance)
    }

    private static func higherFirst(_ a: ScoredImportanceItem, _ b: ScoredImportanceItem) -> Bool {
        a.score.normalizedScore > b.score.normalizedScore || (a.score.normalizedScore == b.score.normalizedScore && a.index < b.index)
    }
}
