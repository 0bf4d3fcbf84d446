import MemoryCore
import Testing

@Suite struct FactExtractorTests {
    let extractor = FactExtractor()

    /// `type "content" start..<end`, in the extractor's order.
    func found(_ text: String, entities: [String] = []) -> [String] {
        extractor.extract(text, entities: entities).map {
            "\($0.factType.rawValue) \"\($0.content)\" \($0.sourceSpan.lowerBound)..<\($0.sourceSpan.upperBound)"
        }
    }

    func only(_ text: String, context: JSONObject = [:], entities: [String] = []) -> ExtractedFact? {
        let facts = extractor.extract(text, context: context, entities: entities)
        #expect(facts.count == 1, "\(facts)")
        return facts.first
    }

    // MARK: Cue families

    @Test func decisionsStopAtBecauseAndPreferTheLongerCueWhenMoreConfident() {
        #expect(found("We decided to use Redis because it is faster.") == [#"decision "to use Redis" 0..<23"#])
        let fact = only("After review, we decided to migrate the cache to Redis.")
        #expect(fact?.factType == .decision)
        #expect(fact?.content == "to migrate the cache to Redis")
        #expect(fact?.sourceSpan == 0..<54)
        #expect(abs((fact?.confidence ?? 0) - 0.95) < 1e-9)  // 0.9, +0.05 for a match over 50 characters
        #expect(fact?.metadata["original_text"] == "After review, we decided to migrate the cache to Redis")
        #expect(fact?.metadata["pattern_match"] == true)
    }

    @Test func oneSentenceGetsOneTypeTheEarliestFamilyInTheTable() {
        // "we will use" (decision), "will use …" and "we will …" (action_item) all match; decision comes first.
        let fact = only("We will use PostgreSQL for billing.")
        #expect(fact?.factType == .decision)
        #expect(fact?.content == "PostgreSQL")
        #expect(fact?.sourceSpan == 0..<22)
        #expect(fact?.confidence == 0.85)
        // "must" is an action cue before it is a requirement cue; "requires" is only a requirement.
        #expect(found("The system must support SSO.") == [#"action_item "support SSO" 11..<27"#])
        #expect(found("The application requires Python 3.11 or newer.") == [#"requirement "Python 3.11 or newer" 4..<45"#])
        // Two sentences, two types.
        #expect(Set(extractor.extract("The error is a timeout in checkout. The fix is to raise the pool size.").map(\.factType)) == [.errorFact, .solution])
    }

    @Test func preferences() {
        #expect(found("I prefer Postgres over MySQL.") == [#"preference "Postgres" 0..<17"#])
        #expect(found("I think SQLite would be ideal.") == [#"preference "SQLite" 0..<29"#])
        #expect(found("We don't want Kubernetes because it is heavy.") == [#"preference "Kubernetes" 0..<24"#])
        #expect(extractor.extract("I prefer Postgres.").first?.confidence == 0.8)
    }

    @Test func actionItemsIncludingACueLineWithoutAPeriod() {
        let fact = only("We need to rotate the API keys before Friday.")
        #expect(fact?.factType == .actionItem)
        #expect(fact?.content == "rotate the API keys")
        #expect(fact?.sourceSpan == 0..<30)
        #expect(fact?.confidence == 0.85)
        // KnowledgeHub's `$` meant the end of the text, so this TODO never matched.
        #expect(found("TODO: add integration tests\nThe deploy script is ready.") == [
            #"action_item "add integration tests" 0..<27"#, #"statement "The deploy script is ready" 28..<54"#,
        ])
        #expect(found("Remember to bump the version.") == [#"action_item "bump the version" 0..<28"#])
    }

    @Test func configurationKeepsBothPartsOfATwoPartCue() {
        // KnowledgeHub kept only "the pool".
        let fact = only("I configured the pool to 20 connections.")
        #expect(fact?.factType == .configuration)
        #expect(fact?.content == "the pool to 20 connections")
        #expect(fact?.sourceSpan == 2..<39)
        #expect(fact?.confidence == 0.7)
        #expect(found("The environment variable APP_MODE is set to production.") == [
            #"configuration "APP_MODE is set to production" 4..<54"#
        ])
        // A dot inside a number or host name does not end the fact.
        #expect(found("The port is 8443 on db.internal.example.com.") == [
            #"configuration "8443 on db.internal.example.com" 4..<43"#
        ])
    }

    @Test func errorsSolutionsAndObservations() {
        #expect(found("The error is a timeout in the payment service.") == [#"error_fact "a timeout in the payment service" 4..<45"#])
        #expect(found("Fixed by raising the connection limit.") == [#"solution "raising the connection limit" 0..<37"#])
        #expect(found("To fix this, restart the worker nightly.") == [#"solution "restart the worker nightly" 0..<39"#])
        let noticed = only("I noticed that the cache hit rate drops after deploys.")
        #expect(noticed?.factType == .observation)
        #expect(noticed?.content == "the cache hit rate drops after deploys")
        #expect(noticed?.sourceSpan == 2..<53)
        #expect(abs((noticed?.confidence ?? 0) - 0.75) < 1e-9)
        // Two parts: X through Y.
        #expect(found("Based on the logs, we found that GC pauses spike.") == [
            #"observation "the logs, we found that GC pauses spike" 0..<48"#
        ])
    }

    @Test func cuesAreWholeWords() {
        // KnowledgeHub read "will and grain" out of "swill" and a factual "is" out of "This".
        #expect(extractor.extract("The pigs ate swill and grain").isEmpty)
        #expect(extractor.extract("This thing works fine nowadays").isEmpty)
        #expect(extractor.extract("Thiswill never match anything here").isEmpty)
    }

    // MARK: Statements

    @Test func statementsAreFactualSentencesWithoutCues() {
        let text = "The system uses a queue for jobs. Is the system fast? Perhaps the team uses tabs. Redis is fast. "
            + "f(a) g[b] h{c} is code. It is."
        let facts = extractor.extract(text)
        #expect(facts.map(\.content) == ["The system uses a queue for jobs"])
        #expect(facts.first?.factType == .statement)
        #expect(facts.first?.sourceSpan == 0..<32)
        #expect(abs((facts.first?.confidence ?? 0) - 0.55) < 1e-9)  // 0.4 + 0.15 (system); "uses" is not a strong verb
        #expect(facts.first?.metadata["general_statement"] == true)
        #expect(facts.first?.metadata["pattern_match"] == nil)
        // 0.4 + 0.2 (is) + 0.15 (database) − 0.2 (perhaps)
        #expect(abs((extractor.extract("Perhaps the database is slow now.").first?.confidence ?? 0) - 0.55) < 1e-9)
    }

    @Test func aRepeatedSentenceGetsItsOwnSpan() {
        #expect(found("Alerts said The disk is full now. The disk is full.") == [
            #"statement "Alerts said The disk is full now" 0..<32"#, #"statement "The disk is full" 34..<50"#,
        ])
    }

    @Test func duplicatesKeepTheMoreConfidentOccurrence() {
        let facts = extractor.extract("We decided to move sessions into Redis. After review, we decided to move sessions into Redis.")
        #expect(facts.count == 1)
        #expect(facts.first?.content == "to move sessions into Redis")
        #expect(abs((facts.first?.confidence ?? 0) - 0.95) < 1e-9)
        #expect(facts.first?.sourceSpan == 40..<92)
        #expect(extractor.extract("The cache is warm. the  CACHE is warm.").count == 1)
    }

    // MARK: Scores and metadata

    @Test func importanceFollowsTheFormula() {
        let text = "I noticed that the nightly billing job on the PostgreSQL replica fails after 2 hours."
        let fact = only(text, context: ["is_critical": true, "session_id": "s-1", "user_id": "u-1"], entities: ["PostgreSQL", "billing", "Redis"])
        #expect(fact?.factType == .observation)
        #expect(fact?.content == "the nightly billing job on the PostgreSQL replica fails after 2 hours")
        #expect(abs((fact?.confidence ?? 0) - 0.75) < 1e-9)
        #expect(fact?.certaintyLevel == 0.7)
        #expect(fact?.entities == ["PostgreSQL", "billing"])
        #expect(fact?.temporalInfo == "after 2 hours")
        // 0.6 observation + 0.2 × 0.25 + 0.1 × 0.2 + 0.02 × 2 entities + 0.05 temporal + 0.01 × (12 − 10) words + 0.15 critical
        #expect(abs((fact?.importance ?? 0) - 0.93) < 1e-9)
        #expect(abs(FactExtractor.importance(
            type: .observation, confidence: 0.75, certainty: 0.7, entityCount: 2, hasTemporalInfo: true, wordCount: 12,
            isCritical: true) - 0.93) < 1e-9)
        #expect(FactExtractor.importance(type: .decision, confidence: 1, certainty: 0.9, entityCount: 9, hasTemporalInfo: true, wordCount: 40, isCritical: true) == 1)
        #expect(fact?.metadata["session_id"] == "s-1")
        #expect(fact?.metadata["user_id"] == "u-1")
        #expect(fact?.metadata["word_count"] == 12)
        #expect(fact?.metadata["fact_length"] == 69)
        #expect(fact?.metadata["sentence_context"] == .string(text))
    }

    @Test func certaintyAndConfidenceWords() {
        // Only words inside the match count.
        let sure = only("We need to pin the Node version, definitely.")
        #expect(sure?.certaintyLevel == 0.9)
        #expect(abs((sure?.confidence ?? 0) - 0.95) < 1e-9)  // 0.85 + 0.1
        #expect(only("Definitely, we need to pin it now.")?.certaintyLevel == 0.7)
        let hedged = only("It seems the cache is evicting hot keys.")
        #expect(hedged?.certaintyLevel == 0.6)
        let doubtful = only("We should maybe move the cron jobs.")
        #expect(doubtful?.certaintyLevel == 0.3)
        #expect(abs((doubtful?.confidence ?? 0) - 0.75) < 1e-9)  // 0.85 − 0.1
    }

    @Test func temporalInformation() {
        func temporal(_ sentence: String) -> String?? { extractor.extract(sentence).first.map(\.temporalInfo) }
        #expect(temporal("We will deploy the new build tomorrow at 3pm.") == "tomorrow")
        #expect(temporal("The nightly export is scheduled at 10:30 pm.") == "at 10:30 pm")
        #expect(temporal("The cache is flushed in 5 minutes.") == "in 5 minutes")
        #expect(temporal("The release was cut on May 5 by the team.") == "May")
        #expect(temporal("The outage was reported 12/05/2024 by ops.") == "12/05/2024")
        #expect(temporal("The standup call was yesterday.") == "yesterday")
        // "may" is a month only before a day number, and words inside words never count.
        #expect(temporal("The release may slip, and it is late.") == .some(nil))
        #expect(temporal("The marching band is loud in 2024.") == .some(nil))
    }

    @Test func entitiesAreWholeTermsOfTheContent() {
        let fact = only("We decided to use Go for the gateway.", entities: ["go", "Gateway", "Redis", "go"])
        #expect(fact?.entities == ["go", "Gateway"])
        #expect(only("We decided to keep going with the plan.", entities: ["go"])?.entities == [])
    }

    @Test func contextIsAHundredScalarsEitherSide() {
        let padding = String(repeating: "é", count: 150)
        let facts = extractor.extract(padding + ". The error is a broken pipe in the uploader. " + padding)
        #expect(facts.first?.factType == .errorFact)
        #expect(facts.first?.sourceSpan == 156..<194)
        #expect(facts.first?.context == String(repeating: "é", count: 94) + ". The error is a broken pipe in the uploader. " + String(repeating: "é", count: 98))
    }

    // MARK: Routes' helpers

    @Test func extractByTypeFilters() {
        let text = "We decided to use Redis. We need to add a cache warmer. The server has 64 GB of memory."
        #expect(extractor.extract(text).count == 3)
        let filtered = extractor.extract(text, types: [.actionItem, .statement])
        #expect(filtered.map(\.factType) == [.actionItem, .statement])
        #expect(filtered.map(\.content) == ["add a cache warmer", "The server has 64 GB of memory"])
        #expect(extractor.extract(text, types: [.goal]).isEmpty)
    }

    @Test func statisticsAndAnalysis() {
        let facts = extractor.extract("We decided to use Redis tomorrow. The server has 64 GB of memory.", entities: ["Redis"])
        let statistics = FactExtractor.statistics(of: facts)
        #expect(statistics.total == 2)
        #expect(statistics.byType == [.decision: 1, .statement: 1])
        #expect(statistics.factsWithEntities == 1)
        #expect(statistics.factsWithTemporalInfo == 1)
        #expect(statistics.uniqueFactTypes == 2)
        #expect(abs(statistics.averageConfidence - facts.map(\.confidence).reduce(0, +) / 2) < 1e-12)
        let json = statistics.responseJSON(textLength: 65)
        #expect(json["by_type"] == ["decision": 1, "statement": 1])
        #expect(json["text_length"] == 65)
        #expect(statistics.chunkJSON["total"] == 2)
        #expect(FactExtractor.statistics(of: []).chunkJSON == ["total": 0])

        let analysis = extractor.analyze("We decided to use Redis; we will use it. I think so. There is an error.")
        #expect(analysis.estimatedFacts == 5)  // decided + will use, think, will, error
        #expect(analysis.likelyTypes == [.decision, .preference, .actionItem, .errorFact])
        #expect(abs(analysis.factDensity - 5.0 / 16.0) < 1e-12)
        #expect(analysis.json["likely_types"] == ["decision", "preference", "action_item", "error_fact"])
        #expect(extractor.analyze("").factDensity == 0)
    }

    @Test func thereAreTwelveDescribedTypes() {
        #expect(FactType.allCases.count == 12)
        #expect(FactType.errorFact.rawValue == "error_fact")
        #expect(FactType.actionItem.typeDescription == "Tasks or actions to be taken")
        #expect(extractor.extract("  \n ").isEmpty)
    }
}
