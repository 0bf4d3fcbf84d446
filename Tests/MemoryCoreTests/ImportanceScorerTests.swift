import MemoryCore
import Testing

@Suite struct ImportanceScorerTests {
    let scorer = ImportanceScorer()
    let now = Timestamp(iso8601: "2025-06-01T12:00:00Z")!

    func score(
        _ content: String, context: JSONObject = [:], entities: [String] = [], facts: [JSONValue] = [], history: [String] = []
    ) -> ImportanceScore {
        scorer.score(ImportanceInput(content: content, context: context, entities: entities, facts: facts, history: history), now: now)
    }

    func raw(_ factor: ImportanceFactor, _ content: String, context: JSONObject = [:], entities: [String] = [], history: [String] = []) -> Double? {
        score(content, context: context, entities: entities, history: history).factorScores[factor]
    }

    func isClose(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }

    // MARK: The model as a whole

    @Test func factorsCarryKnowledgeHubsNamesAndWeights() {
        #expect(ImportanceFactor.allCases.map(\.rawValue) == [
            "explicitness", "user_emphasis", "error_severity", "decision_weight", "action_urgency", "temporal_proximity",
            "technical_complexity", "contextual_relevance", "repetition", "recency", "entity_density", "frequency_pattern",
        ])
        #expect(ImportanceFactor.allCases.map(\.weight) == [0.25, 0.20, 0.18, 0.15, 0.15, 0.10, 0.08, 0.08, 0.05, 0.05, 0.03, 0.03])
        #expect(scorer.weightSum == 1.35)
        #expect(ImportanceFactor.allCases.allSatisfy { !$0.description.isEmpty })
    }

    @Test func blankContentHasNoImportance() {
        let result = score(" \n\t ", context: ["project": "p"], entities: ["e"])
        #expect(result.totalScore == 0)
        #expect(result.normalizedScore == 0)
        #expect(result.factorScores.isEmpty)
        #expect(result.confidence == 1)
        #expect(result.reasoning == ["Empty content has no importance"])
        #expect(result.calculationFactors.isEmpty)
        #expect(result.contributions.isEmpty)
    }

    @Test func textWithoutSignalOrContextScoresTheBaseRelevanceAndNeutralRecency() {
        let result = score("hello there friend")
        // contextual_relevance 0.5 × 0.08 + recency 0.5 × 0.05; every other factor 0.
        #expect(isClose(result.totalScore, 0.065))
        #expect(result.normalizedScore == result.totalScore)
        #expect(result.factorScores.count == 12)
        #expect(result.factorScores[.contextualRelevance] == 0.5)
        #expect(result.factorScores[.recency] == 0.5)
        #expect(result.calculationFactors == [.contextualRelevance, .recency])
        #expect(result.confidence == 0.5)
        #expect(result.reasoning == ["Top contributing factors: contextual_relevance, recency"])
        #expect(result.contentLength == 18)
        #expect(result.wordCount == 3)
        #expect(!result.hasContext && !result.hasHistory)
    }

    @Test func normalizedScoreIsTheTotalClampedToTheUnitInterval() {
        let doubled = ImportanceScorer(weights: Dictionary(uniqueKeysWithValues: ImportanceFactor.allCases.map { ($0, 2.0) }))
        let high = doubled.score(ImportanceInput(content: "hello there"), now: now)
        #expect(high.totalScore == 2)
        #expect(high.normalizedScore == 1)

        let negative = ImportanceScorer(weights: Dictionary(uniqueKeysWithValues: ImportanceFactor.allCases.map { ($0, -1.0) }))
        let low = negative.score(ImportanceInput(content: "hello there"), now: now)
        #expect(low.totalScore == -1)
        #expect(low.normalizedScore == 0)
        #expect(!low.reasoning.contains { $0.hasPrefix("Top contributing factors:") })

        let onlyExplicitness = ImportanceScorer(weights: [.explicitness: 1])
        #expect(onlyExplicitness.score(ImportanceInput(content: "important"), now: now).totalScore == 0.1)
    }

    @Test func confidenceGrowsWithTheInformationGiven() {
        let eleven = "one two three four five six seven eight nine ten eleven"
        #expect(score("one two three").confidence == 0.5)
        #expect(score(eleven).confidence == 0.6)
        #expect(score(eleven, context: ["topic": "x"], entities: ["a"]).confidence == 0.8)
        #expect(score("a b", facts: [["subject": "a"]], history: ["c"]).confidence == 0.7)
        let fiftyOne = Array(repeating: "word", count: 51).joined(separator: " ")
        let everything = score(fiftyOne, context: ["k": "v"], entities: ["e"], facts: ["f"], history: ["h"])
        #expect(everything.confidence == 1)  // 0.5 + 6 × 0.1, capped
    }

    @Test func reasoningNamesWhatWasFoundThenTheTopContributors() {
        let result = score("This is important and critical")
        #expect(result.reasoning == [
            "Found 2 explicit importance markers",
            "Top contributing factors: explicitness, contextual_relevance, recency",
        ])
    }

    @Test func contributionsAreSortedAndShareTheTotal() {
        let result = score("This is important and critical")
        let contributions = result.contributions
        #expect(contributions.count == 12)
        #expect(contributions.prefix(3).map(\.factor) == [.explicitness, .contextualRelevance, .recency])
        #expect(zip(contributions, contributions.dropFirst()).allSatisfy { $0.weightedContribution >= $1.weightedContribution })
        #expect(isClose(contributions[0].weightedContribution, 0.2 * 0.25))
        #expect(contributions[0].weight == 0.25)
        #expect(isClose(contributions.map(\.percentage).reduce(0, +), 100))
        #expect(isClose(contributions.map(\.weightedContribution).reduce(0, +), result.totalScore))
    }

    // MARK: Each factor

    @Test func explicitnessCountsEachListCappedAtThreeTenths() {
        // important, key | high-priority (once, not also "priority") | remember, don't forget | warning
        let text = "Important: remember the key point, don't forget the high-priority item and heed this warning"
        #expect(raw(.explicitness, text) == 0.6)
        #expect(raw(.explicitness, "high priority") == 0.1)
        #expect(raw(.explicitness, "important critical crucial essential vital") == 0.3)
        #expect(raw(.explicitness, "unimportant keys") == 0)
    }

    @Test func userEmphasisCountsSignalsAndAFewCapitalisedWords() {
        // "We really need", **bold**, __underlined__, "!!", "TODO:" (0.1 each) + TODO as a capitalised word (0.02)
        #expect(raw(.userEmphasis, "We really need **this** fixed!! TODO: check __that__") == 0.52)
        #expect(raw(.userEmphasis, "It's very important") == 0.1)
        #expect(raw(.userEmphasis, "That’s quite significant") == 0.1)
        #expect(raw(.userEmphasis, "Ship it!!! Now!!") == 0.2)
        #expect(raw(.userEmphasis, "use the API and the SDK") == 0.04)
        #expect(raw(.userEmphasis, "AA BB CC DD EE") == 0)  // five capitalised words are not emphasis
        #expect(raw(.userEmphasis, "x **** y") == 0)
    }

    @Test func errorSeverityCountsListsAndErrorWordsPresent() {
        // "fatal bug" 0.2 + crash 0.2 + "bug" present 0.03
        #expect(raw(.errorSeverity, "A fatal bug caused a crash") == 0.43)
        #expect(raw(.errorSeverity, "crash crash crash") == 0.4)
        #expect(raw(.errorSeverity, "fatal errors") == 0)
    }

    @Test func decisionWeightCountsDecisionsAndCommitments() {
        // decided, "will use", agreed: 0.15 each
        #expect(raw(.decisionWeight, "We decided to adopt Postgres; the team agreed and we will use it") == 0.45)
        #expect(raw(.decisionWeight, "We are going to implement it") == 0.15)
    }

    @Test func actionUrgencyCountsTimeSensitiveListsAndActionWords() {
        // deadline, tomorrow, "before Friday", release: 0.1 each; "must" present 0.05
        #expect(raw(.actionUrgency, "Deadline is tomorrow, ship the release before Friday; we must") == 0.45)
        #expect(raw(.actionUrgency, "must must should") == 0.1)
    }

    @Test func temporalProximityCountsTimeReferences() {
        // yesterday, "next month", due, "by Friday": 0.1 each
        #expect(raw(.temporalProximity, "Yesterday we shipped; next month we review, due by Friday") == 0.4)
        #expect(raw(.temporalProximity, "now now now") == 0.2)
    }

    @Test func technicalComplexityCountsTermsAndCode() {
        // database, query, index 0.15; API, endpoint 0.1; `limit` 0.03; loadAll() 0.03; API, MemoryStore 0.06
        let text = "Tune the database query and index for the API endpoint; call loadAll() on MemoryStore and check `limit`."
        #expect(raw(.technicalComplexity, text) == 0.37)
        #expect(raw(.technicalComplexity, "```\nlet x = 1\n```") == 0.03)  // a fence is not also inline code
    }

    @Test func contextualRelevanceReadsTheContext() {
        let full: JSONObject = ["project_id": "p", "session_id": "s", "user_id": "u", "topic": "t", "is_critical": true]
        #expect(raw(.contextualRelevance, "text", context: full) == 1)
        #expect(raw(.contextualRelevance, "text", context: ["project": "p"]) == 0.6)
        #expect(raw(.contextualRelevance, "text", context: ["session_id": "s", "user_id": "u"]) == 0.6)
        #expect(raw(.contextualRelevance, "text", context: ["category": "c", "is_critical": true]) == 0.8)
        #expect(raw(.contextualRelevance, "text", context: ["project_id": "", "is_critical": false, "topic": nil]) == 0.5)
        let result = score("text", context: full)
        #expect(result.reasoning.prefix(3) == ["Content has project context", "Content has topic/category context", "Marked as critical content"])
    }

    @Test func recencyBucketsTheAgeOfTheTimestamp() {
        func recency(_ context: JSONObject) -> Double? { raw(.recency, "text", context: context) }
        #expect(recency(["timestamp": "2025-06-01T11:30:00Z"]) == 1.0)
        #expect(recency(["timestamp": "2025-06-01T11:00:00Z"]) == 0.8)  // exactly an hour
        #expect(recency(["timestamp": "2025-06-01T09:00:00+00:00"]) == 0.8)
        #expect(recency(["timestamp": "2025-05-29T12:00:00Z"]) == 0.6)
        #expect(recency(["timestamp": "2025-05-22T12:00:00Z"]) == 0.4)
        #expect(recency(["timestamp": "2025-04-01T12:00:00Z"]) == 0.2)
        #expect(recency(["timestamp": "2025-06-02T12:00:00Z"]) == 1.0)  // future counts as now
        #expect(recency(["timestamp": "2025-06-01T13:30:00+02:00"]) == 1.0)
        #expect(recency(["timestamp": "2025-06-01T11:30:00"]) == 1.0)  // naive is UTC
        #expect(recency(["timestamp": "2025-06-01T10:30:00"]) == 0.8)
        #expect(recency(["created_at": "2025-05-29T12:00:00Z"]) == 0.6)
        #expect(recency(["timestamp": "", "created_at": "2025-05-29T12:00:00Z"]) == 0.6)
        #expect(recency(["timestamp": "yesterday"]) == 0.5)
        #expect(recency(["timestamp": 1_700_000_000]) == 0.5)
        #expect(recency([:]) == 0.5)
        #expect(score("text", context: ["timestamp": "2025-06-01T11:30:00Z"]).reasoning.first == "Very recent content (< 1 hour)")
    }

    @Test func entityDensityIsTenTimesEntitiesPerWord() {
        let twenty = (1...20).map { "w\($0)" }.joined(separator: " ")
        #expect(raw(.entityDensity, twenty, entities: ["Postgres"]) == 0.5)
        #expect(raw(.entityDensity, "Postgres on Linux", entities: ["Postgres", "Linux"]) == 1)
        #expect(raw(.entityDensity, twenty) == 0)
    }

    @Test func repetitionCountsHistoryItemsWithJaccardAboveThreeTenths() {
        let content = "alpha beta gamma delta"
        // 2/6 = 0.33 counts; 2/7 = 0.29 and exactly 3/10 do not.
        #expect(raw(.repetition, content, history: ["alpha beta x y", "alpha beta x y z", "alpha beta gamma x1 x2 x3 x4 x5 x6"]) == 0.2)
        #expect(raw(.repetition, content, history: [content, content, "ALPHA Beta gamma delta"]) == 0.6)
        #expect(raw(.repetition, content, history: Array(repeating: content, count: 7)) == 1)
        #expect(raw(.repetition, content) == 0)
    }

    @Test func repetitionReadsOnlyTheLastTwentyHistoryItems() {
        let content = "alpha beta gamma delta"
        let fillers = Array(repeating: "unrelated words here", count: 20)
        #expect(raw(.repetition, content, history: [content] + fillers) == 0)
        #expect(raw(.repetition, content, history: [content] + fillers.dropFirst()) == 0.2)
    }

    @Test func frequencyPatternCountsWholeKeyTermsInTheLastFiftyHistoryItems() {
        let content = "deploy the server"
        // "server" three times as a word; "servers" and "serverless" do not count.
        #expect(raw(.frequencyPattern, content, history: ["server server", "servers serverless", "Server"]) == 0.3)
        #expect(raw(.frequencyPattern, content, history: ["server", "server"]) == 0)  // needs more than 2
        let fillers = Array(repeating: "nothing to see", count: 50)
        #expect(raw(.frequencyPattern, content, history: ["server server server"] + fillers) == 0)
        #expect(raw(.frequencyPattern, content, history: ["server server server"] + fillers.dropFirst()) == 0.3)
    }

    @Test func wordListsMatchWholeWordsOnly() {
        let lookAlikes = score("a needle in the tissue")
        #expect(lookAlikes.factorScores[.actionUrgency] == 0)
        #expect(lookAlikes.factorScores[.errorSeverity] == 0)
        let words = score("we need to fix an issue")
        #expect(words.factorScores[.actionUrgency] == 0.05)
        #expect(words.factorScores[.errorSeverity] == 0.03)
        #expect(score("my_note keynote notes").factorScores[.explicitness] == 0)
    }

    @Test func largeAdversarialInputsStayFast() {
        let size = 256 * 1024
        for text in [String(repeating: "*", count: size), String(repeating: "*_`!", count: size / 4), String(repeating: "by ", count: size / 3)] {
            let result = score(text, history: [text])
            #expect(result.factorScores.count == 12)
        }
    }

    // MARK: Batches

    @Test func batchScoresEachMemoryAgainstTheOthers() {
        let vocabulary = ["server", "deploy", "database", "release", "important", "tomorrow", "crash", "decided"]
        let items = (0..<60).map { index in
            ImportanceBatchItem(
                content: (0..<6).map { vocabulary[(index * 3 + $0 * (index % 5 + 1)) % vocabulary.count] }.joined(separator: " "),
                entities: index % 2 == 0 ? ["e"] : [],
                metadata: index == 7 ? ["is_critical": false, "topic": "t"] : [:]
            )
        }
        let context: JSONObject = ["project": "p", "is_critical": true]
        let results = scorer.scoreBatch(items, context: context, now: now)
        #expect(results.map(\.index).sorted() == Array(0..<60))
        #expect(zip(results, results.dropFirst()).allSatisfy {
            $0.score.normalizedScore > $1.score.normalizedScore
                || ($0.score.normalizedScore == $1.score.normalizedScore && $0.index < $1.index)
        })
        for result in results {
            let item = items[result.index]
            var others = items.map(\.content)
            others.remove(at: result.index)
            let expected = score(
                item.content, context: context.merging(item.metadata) { _, own in own }, entities: item.entities, history: others
            )
            #expect(result.score == expected, "memory \(result.index)")
        }
        let seventh = results.first { $0.index == 7 }!.score
        #expect(seventh.factorScores[.contextualRelevance] == 0.7)  // project + topic, not critical
        #expect(results.first { $0.index == 8 }!.score.factorScores[.contextualRelevance] == 0.8)
    }

    @Test func aThousandMemoryBatchIsScored() {
        let items = (0..<1000).map { ImportanceBatchItem(content: "memory \($0): we decided to deploy the server before Friday, important") }
        let results = scorer.scoreBatch(items, now: now)
        #expect(results.count == 1000)
        #expect(results.allSatisfy { $0.score.hasHistory && $0.score.factorScores[.repetition] == 1 })
    }

    @Test func batchStatisticsSummariseTheScores() {
        let scores = [score("hello there"), score(" "), score("important critical", context: ["is_critical": true])]
        let statistics = ImportanceStatistics(scores)
        #expect(statistics.scoreCount == 3)
        #expect(statistics.maxImportance == scores.map(\.totalScore).max())
        #expect(statistics.minImportance == 0)
        #expect(isClose(statistics.averageImportance, scores.map(\.totalScore).reduce(0, +) / 3))
        #expect(isClose(statistics.averageConfidence, (0.5 + 1 + 0.6) / 3))
        #expect(statistics.lowImportanceCount == 3)
        #expect(statistics.highImportanceCount == 0 && statistics.mediumImportanceCount == 0)
        let explicitness = statistics.factorContributions.first { $0.factor == .explicitness }
        #expect(explicitness?.nonzeroCount == 1)
        #expect(explicitness?.maxScore == 0.2)
        #expect(isClose(explicitness?.averageScore ?? 0, 0.2 / 3))
        #expect(!statistics.factorContributions.contains { $0.factor == .repetition })
        #expect(ImportanceBand(normalizedScore: 0.8) == .high)
        #expect(ImportanceBand(normalizedScore: 0.5) == .medium)
        #expect(ImportanceBand(normalizedScore: 0.49) == .low)
    }

    @Test func rankingPutsTheMostImportantFirst() {
        let ranking = scorer.rank([
            ImportanceBatchItem(content: "hello there"),
            ImportanceBatchItem(content: "Critical: we decided to fix the fatal bug before Friday!!"),
            ImportanceBatchItem(content: "hello there"),
        ], now: now)
        #expect(ranking.items.map(\.index) == [1, 0, 2])
        #expect(ranking.items.map(\.rank) == [1, 2, 3])
        #expect(ranking.items.allSatisfy { !$0.score.hasHistory })
        #expect(ranking.highestScore == ranking.items[0].score.normalizedScore)
        #expect(isClose(ranking.lowestScore, 0.065))
        #expect(ranking.lowImportanceCount == 3)
    }

    // MARK: Weight analysis

    @Test func weightReportMeasuresFactorsAndCorrelatesWithExpectedRankings() {
        let samples = [
            ImportanceInput(content: "Critical security breach: fatal error, we must fix it immediately!! This is very important"),
            ImportanceInput(content: "We decided to use Postgres"),
            ImportanceInput(content: "hello there"),
        ]
        let report = scorer.optimizeWeightsReport(samples: samples, expectedRankings: [1, 2, 3], now: now)
        #expect(report.sampleCount == 3)
        #expect(report.rankCorrelation == 1)
        #expect(report.factors.count == 12)
        #expect(report.mostEffectiveFactors == report.factors.prefix(3).map(\.factor))
        #expect(report.leastEffectiveFactors == report.factors.suffix(3).map(\.factor))
        #expect(zip(report.factors, report.factors.dropFirst()).allSatisfy { $0.effectiveness >= $1.effectiveness })

        let explicitness = report.factors.first { $0.factor == .explicitness }!
        let raws = samples.map { scorer.score($0, now: now).factorScores[.explicitness]! }
        let mean = raws.reduce(0, +) / 3
        let variance = raws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3
        #expect(isClose(explicitness.averageScore, mean))
        #expect(isClose(explicitness.variance, variance))
        #expect(isClose(explicitness.effectiveness, variance * mean))
        #expect(explicitness.maxScore == raws.max() && explicitness.minScore == 0)
        #expect(explicitness.correlation.map { $0 > 0 } == true)
        #expect(report.factors.first { $0.factor == .contextualRelevance }!.correlation == nil)  // constant

        #expect(scorer.optimizeWeightsReport(samples: samples, expectedRankings: [3, 2, 1], now: now).rankCorrelation == -1)
        #expect(scorer.optimizeWeightsReport(samples: samples, now: now).rankCorrelation == nil)
        #expect(scorer.optimizeWeightsReport(samples: samples, expectedRankings: [1, 2], now: now).rankCorrelation == nil)
    }

    @Test func spearmanCorrelationAveragesTiedRanks() {
        #expect(ImportanceScorer.spearmanCorrelation([0.1, 0.5, 0.9], [1, 2, 3]) == 1)
        #expect(isClose(ImportanceScorer.spearmanCorrelation([1, 2, 2, 3], [1, 2, 3, 4]) ?? 0, 0.9486832980505138))  // 4.5 / √22.5
        #expect(ImportanceScorer.spearmanCorrelation([1, 1, 1], [1, 2, 3]) == nil)
        #expect(ImportanceScorer.spearmanCorrelation([1], [1]) == nil)
    }
}
