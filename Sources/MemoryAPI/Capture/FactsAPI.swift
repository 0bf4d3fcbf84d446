package import MemoryCore

/// `/api/memory/facts` (API-more.md "Facts"): cue- and statement-based fact extraction, and the
/// importance model applied to facts; pure computation on the request.
package enum FactsAPI {
    static let extractor = FactExtractor()

    /// POST `/extract`: `text`*, `context`, `entities`.
    package static func extract(_ fields: JSONFields) throws -> JSONValue {
        let clock = ContinuousClock(), start = clock.now
        let text = try CaptureInput.text(fields, "text")
        let facts = extractor.extract(text, context: try fields.object("context") ?? [:], entities: try CaptureInput.strings(fields, "entities"))
        return .object([
            "facts": .array(facts.map { fact($0) }),
            "total_facts": .int(Int64(facts.count)),
            "processing_time_ms": .double(APIRepresentation.milliseconds(clock.now - start)),
            "statistics": .object(FactExtractor.statistics(of: facts).responseJSON(textLength: text.unicodeScalars.count)),
        ])
    }

    /// POST `/enrich-chunks`: each chunk with `facts` (contents), `fact_details` and
    /// `metadata.fact_stats`; the chunk's `entities` and `metadata` feed extraction.
    package static func enrichChunks(_ fields: JSONFields) throws -> JSONValue {
        let chunks = try CaptureInput.contentChunks(fields)
        var total = 0, withFacts = 0
        let enriched = try chunks.map { chunk -> JSONValue in
            let facts = extractor.extract(
                chunk.content, context: chunk.metadata, entities: try CaptureInput.terms(chunk.object["entities"], field: "chunks"))
            total += facts.count
            if !facts.isEmpty { withFacts += 1 }
            var result = chunk.object
            var metadata = chunk.metadata
            metadata["fact_stats"] = .object(FactExtractor.statistics(of: facts).chunkJSON)
            result["metadata"] = .object(metadata)
            result["facts"] = .array(facts.map { .string($0.content) })
            result["fact_details"] = .array(facts.map { fact($0, typeKey: "type") })
            return .object(result)
        }
        return .object([
            "enriched_chunks": .array(enriched), "total_chunks": .int(Int64(chunks.count)),
            "total_facts": .int(Int64(total)), "chunks_with_facts": .int(Int64(withFacts)),
        ])
    }

    /// GET `/fact-types`.
    package static func factTypes() -> JSONValue {
        .object([
            "fact_types": .object(Dictionary(uniqueKeysWithValues: FactType.allCases.map { ($0.rawValue, .string($0.typeDescription)) })),
            "total_types": .int(Int64(FactType.allCases.count)),
        ])
    }

    /// POST `/analyze-facts`: `text` from the query (KnowledgeHub) or the body.
    package static func analyze(text: String) throws -> JSONValue {
        .object(extractor.analyze(try CaptureInput.checked(text, "text")).json)
    }

    /// POST `/extract-by-type`: `text` (query or body), `fact_types`* (each a known type, else
    /// 422), `context`, `entities`.
    package static func extractByType(text: String, _ fields: JSONFields) throws -> JSONValue {
        guard let names = try fields.strings("fact_types"), !names.isEmpty else {
            throw MemoryHubError.invalidField("fact_types", "fact_types is required: one or more of \(FactType.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let types = try names.map { name in
            guard let type = FactType(rawValue: name) else {
                throw MemoryHubError.invalidField("fact_types", "\(name) is not a fact type; the types are \(FactType.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return type
        }
        let facts = extractor.extract(
            try CaptureInput.checked(text, "text"), types: Set(types), context: try fields.object("context") ?? [:],
            entities: try CaptureInput.strings(fields, "entities"))
        var found: JSONObject = [:]
        for type in types { found[type.rawValue] = .int(Int64(facts.count(where: { $0.factType == type }))) }
        return .object([
            "facts": .array(facts.map { fact($0) }), "total_facts": .int(Int64(facts.count)),
            "requested_types": .array(names.map(JSONValue.string)), "facts_found_by_type": .object(found),
        ])
    }

    /// POST `/extract-from-chunks`: a bare array of `{content, entities, metadata}`; empty chunks
    /// are skipped, keeping indexes.
    package static func extractFromChunks(_ body: JSONValue?) throws -> JSONValue {
        let (count, chunks) = try CaptureInput.bareChunks(body)
        var total = 0, withFacts = 0
        let results = try chunks.map { chunk -> JSONValue in
            let facts = extractor.extract(
                chunk.content, context: chunk.metadata, entities: try CaptureInput.terms(chunk.object["entities"], field: "chunks"))
            total += facts.count
            if !facts.isEmpty { withFacts += 1 }
            return .object([
                "chunk_index": .int(Int64(chunk.index)),
                "facts": .array(facts.map { fact in
                    .object([
                        "content": .string(fact.content), "type": .string(fact.factType.rawValue), "confidence": .double(fact.confidence),
                        "certainty_level": .double(fact.certaintyLevel), "importance": .double(fact.importance),
                        "source_span": [.int(Int64(fact.sourceSpan.lowerBound)), .int(Int64(fact.sourceSpan.upperBound))],
                        "entities": .array(fact.entities.map(JSONValue.string)),
                        "temporal_info": fact.temporalInfo.map(JSONValue.string) ?? .null,
                    ])
                }),
                "fact_count": .int(Int64(facts.count)),
                "chunk_metadata": .object(chunk.metadata),
            ])
        }
        return .object([
            "results": .array(results), "total_chunks": .int(Int64(count)), "total_facts": .int(Int64(total)),
            "chunks_with_facts": .int(Int64(withFacts)),
        ])
    }

    /// POST `/fact-importance`: each string scored by the importance model (with `context`), typed
    /// by its most important extracted fact (else by keywords, confidence 0.5), by importance.
    package static func factImportance(_ fields: JSONFields, now: Timestamp = .now()) throws -> JSONValue {
        guard let facts = try fields.strings("facts"), !facts.isEmpty else {
            throw MemoryHubError.invalidField("facts", "facts is required: one or more strings.")
        }
        guard facts.count <= CaptureInput.maximumItems else {
            throw MemoryHubError.invalidField("facts", "facts may hold at most \(CaptureInput.maximumItems) items.")
        }
        let context = try fields.object("context") ?? [:]
        let scorer = ImportanceScorer()
        var ranked: [(fact: String, score: ImportanceScore, type: String, extraction: Double)] = try facts.map { text in
            let checked = try CaptureInput.checked(text, "facts")
            let score = scorer.score(ImportanceInput(content: checked, context: context), now: now)
            let best = extractor.extract(checked, context: context).first
            return (checked, score, best?.factType.rawValue ?? keywordType(checked), best?.confidence ?? 0.5)
        }
        ranked.sort { $0.score.normalizedScore > $1.score.normalizedScore }
        let scores = ranked.map(\.score)
        let normalized = scores.map(\.normalizedScore)
        let analysis: [(factor: ImportanceFactor, mean: Double, max: Double, active: Int)] = ImportanceFactor.allCases.map { factor in
            let raws = scores.map { $0.factorScores[factor] ?? 0 }
            return (factor, raws.reduce(0, +) / Double(raws.count), raws.max() ?? 0, raws.count(where: { $0 > 0 }))
        }
        func stats(_ entry: (factor: ImportanceFactor, mean: Double, max: Double, active: Int)) -> JSONValue {
            .object(["avg_contribution": .double(entry.mean), "max_contribution": .double(entry.max), "active_facts": .int(Int64(entry.active))])
        }
        return .object([
            "ranked_facts": .array(ranked.map { item in
                .object([
                    "fact": .string(item.fact), "importance": .double(item.score.normalizedScore), "confidence": .double(item.score.confidence),
                    "extraction_confidence": .double(item.extraction), "fact_type": .string(item.type),
                    "factor_breakdown": .object(Dictionary(uniqueKeysWithValues: item.score.factorScores.map { ($0.key.rawValue, .double($0.value)) })),
                    "reasoning": .array(item.score.reasoning.prefix(3).map(JSONValue.string)),
                    "metadata": .object([
                        "total_score": .double(item.score.totalScore), "content_length": .int(Int64(item.score.contentLength)),
                        "word_count": .int(Int64(item.score.wordCount)),
                    ]),
                ])
            }),
            "total_facts": .int(Int64(facts.count)),
            "statistics": .object([
                "avg_importance": .double(normalized.reduce(0, +) / Double(normalized.count)),
                "max_importance": .double(normalized.max() ?? 0), "min_importance": .double(normalized.min() ?? 0),
                "avg_confidence": .double(scores.reduce(0) { $0 + $1.confidence } / Double(scores.count)),
                "high_importance_facts": .int(Int64(normalized.count(where: { $0 >= 0.8 }))),
                "medium_importance_facts": .int(Int64(normalized.count(where: { $0 >= 0.5 && $0 < 0.8 }))),
                "low_importance_facts": .int(Int64(normalized.count(where: { $0 < 0.5 }))),
            ]),
            "factor_analysis": .object(Dictionary(uniqueKeysWithValues: analysis.map { ($0.factor.rawValue, stats($0)) })),
            "top_factors": .array(analysis.sorted { $0.mean > $1.mean }.prefix(5).map { .array([.string($0.factor.rawValue), stats($0)]) }),
        ])
    }

    /// KnowledgeHub's fallback type for a string no cue matches (whole words, any case).
    static func keywordType(_ text: String) -> String {
        let words = Set(text.lowercased().split { !$0.isLetter }.map(String.init))
        if !words.isDisjoint(with: ["decision", "decided", "chose"]) { return FactType.decision.rawValue }
        if !words.isDisjoint(with: ["need", "must", "should", "todo"]) { return FactType.actionItem.rawValue }
        if !words.isDisjoint(with: ["prefer", "like", "think"]) { return FactType.preference.rawValue }
        return FactType.statement.rawValue
    }

    static func fact(_ fact: ExtractedFact, typeKey: String = "fact_type") -> JSONValue {
        .object([
            "content": .string(fact.content), typeKey: .string(fact.factType.rawValue), "confidence": .double(fact.confidence),
            "certainty_level": .double(fact.certaintyLevel), "importance": .double(fact.importance),
            "source_span": [.int(Int64(fact.sourceSpan.lowerBound)), .int(Int64(fact.sourceSpan.upperBound))],
            "context": .string(fact.context), "entities": .array(fact.entities.map(JSONValue.string)),
            "temporal_info": fact.temporalInfo.map(JSONValue.string) ?? .null, "metadata": .object(fact.metadata),
        ])
    }
}
