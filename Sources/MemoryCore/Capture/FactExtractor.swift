/// The kinds of fact `/api/memory/facts` reports (KnowledgeHub's 12). Rule, goal and constraint
/// have no cues and never occur.
package enum FactType: String, CaseIterable, Sendable {
    case statement
    case decision
    case preference
    case actionItem = "action_item"
    case requirement
    case observation
    case rule
    case configuration
    case errorFact = "error_fact"
    case solution
    case goal
    case constraint

    /// What `GET /api/memory/facts/fact-types` says about the type (KnowledgeHub's words).
    package var typeDescription: String {
        switch self {
        case .statement: "General factual statements"
        case .decision: "Decisions that were made"
        case .preference: "User preferences and choices"
        case .actionItem: "Tasks or actions to be taken"
        case .requirement: "Requirements or constraints"
        case .observation: "Observations or findings"
        case .rule: "Rules or guidelines"
        case .configuration: "Configuration or settings"
        case .errorFact: "Facts about errors or issues"
        case .solution: "Solutions or fixes"
        case .goal: "Goals or objectives"
        case .constraint: "Limitations or constraints"
        }
    }

    /// Where a fact's importance starts.
    package var baseImportance: Double {
        switch self {
        case .decision: 0.9
        case .requirement: 0.85
        case .actionItem, .solution, .goal: 0.8
        case .errorFact, .configuration, .constraint: 0.75
        case .preference, .rule: 0.7
        case .observation: 0.6
        case .statement: 0.5
        }
    }

    /// The cue families in the order of API-more.md's table: when cues of several families
    /// match in one sentence, the earliest family here types the sentence.
    static let cueFamilies: [FactType] = [
        .decision, .preference, .actionItem, .requirement, .configuration, .errorFact, .solution, .observation,
    ]
}

/// One fact found in a text. Offsets count Unicode scalars (Python's string indexing), the end
/// exclusive.
package struct ExtractedFact: Sendable, Equatable {
    /// The fact: a cue's X (or X through Y), or a whole statement sentence.
    package var content: String
    package var factType: FactType
    /// 0...1, how sure the extraction is that this is a fact of this type.
    package var confidence: Double
    /// 0.9, 0.7, 0.6 or 0.3: how sure the text itself sounds.
    package var certaintyLevel: Double
    /// 0...1, see `FactExtractor.importance`.
    package var importance: Double
    /// Cue facts: the cue's first word to the content's end, or to the end of a closing cue
    /// ("… is better"); a stop word or the sentence's closing punctuation is not included.
    /// Statements: the sentence without its closing punctuation.
    package var sourceSpan: Range<Int>
    /// Up to 100 scalars either side of `sourceSpan`, with it.
    package var context: String
    /// The request's entities that occur in `content` as whole terms, any case, in request order.
    package var entities: [String]
    /// The first time expression in the cue's match or the statement (see `FactSignals`).
    package var temporalInfo: String?
    /// Cue facts: `pattern_match: true`, `original_text` (the text of `sourceSpan`); statements:
    /// `general_statement: true`; all: `sentence_context`, `fact_length` (scalars), `word_count`,
    /// and `session_id`/`user_id` when the extraction context has them.
    package var metadata: JSONObject

    package init(
        content: String, factType: FactType, confidence: Double, certaintyLevel: Double, importance: Double,
        sourceSpan: Range<Int>, context: String, entities: [String], temporalInfo: String?, metadata: JSONObject
    ) {
        self.content = content
        self.factType = factType
        self.confidence = confidence
        self.certaintyLevel = certaintyLevel
        self.importance = importance
        self.sourceSpan = sourceSpan
        self.context = context
        self.entities = entities
        self.temporalInfo = temporalInfo
        self.metadata = metadata
    }
}

/// KnowledgeHub's fact extraction (`services/fact_extraction.py`) as API-more.md specifies it,
/// its bugs fixed, without regular expressions: the text is tokenized once (`FactText`), each
/// cue of `cues` is a sequence of whole-word alternatives matched over the tokens
/// (`CueFinder`), and X is read up to the end of its sentence, its line, or a stop word. Time
/// is linear in the text.
///
/// A sentence (ended by `.!?` and white space, or by a line break) gets one type: when cues of
/// several families match in it, the earliest family in the table's order (decision,
/// preference, action_item, requirement, configuration, error_fact, solution, observation)
/// whose match is a fact claims it, and the other families' matches there are dropped. Of that
/// family's matches, overlapping ones keep the most confident (then the earliest). A sentence
/// with no cue fact may be a `statement`.
package struct FactExtractor: Sendable {
    package init() {}

    /// Scalars either side of a fact in its `context`.
    package static let contextRadius = 100

    /// The facts of `text`, by importance, then confidence, descending (then by position).
    /// `context` supplies `session_id`, `user_id` (copied into metadata) and `is_critical`
    /// (truthy as in Python: +0.15 importance); `entities` are the request's entities.
    package func extract(_ text: String, context: JSONObject = [:], entities: [String] = []) -> [ExtractedFact] {
        let document = FactText(text)
        guard !document.tokens.isEmpty else { return [] }
        var drafts = cueDrafts(document)
        let claimed = Set(drafts.map(\.sentence))
        for sentence in document.sentences.indices where !claimed.contains(sentence) {
            if let statement = statementDraft(document, sentence: sentence) { drafts.append(statement) }
        }
        let requestEntities = RequestEntities(entities, text: text)
        let isCritical = context["is_critical"]?.isTruthy ?? false
        return Self.withoutDuplicates(drafts, in: document)
            .map { fact($0, in: document, entities: requestEntities, context: context, isCritical: isCritical) }
            .sorted { a, b in
                if a.importance != b.importance { return a.importance > b.importance }
                if a.confidence != b.confidence { return a.confidence > b.confidence }
                return a.sourceSpan.lowerBound < b.sourceSpan.lowerBound
            }
    }

    /// `extract-by-type`: the facts of `extract` whose type is in `types`, in the same order.
    /// A sentence typed otherwise by `extract` is not re-read as a requested type.
    package func extract(_ text: String, types: Set<FactType>, context: JSONObject = [:], entities: [String] = []) -> [ExtractedFact] {
        extract(text, context: context, entities: entities).filter { types.contains($0.factType) }
    }

    /// The statistics of an extraction (`statistics` of `/extract`, `fact_stats` of enrich-chunks).
    package static func statistics(of facts: [ExtractedFact]) -> FactStatistics {
        FactStatistics(facts)
    }

    /// importance = type base + 0.2 × (confidence − 0.5) + 0.1 × (certainty − 0.5)
    /// + min(0.1, 0.02 × entities) + 0.05 with temporal info + min(0.1, 0.01 × (words − 10))
    /// above 10 words + 0.15 when critical, clamped to 0...1.
    package static func importance(
        type: FactType, confidence: Double, certainty: Double, entityCount: Int, hasTemporalInfo: Bool, wordCount: Int,
        isCritical: Bool
    ) -> Double {
        var importance = type.baseImportance + 0.2 * (confidence - 0.5) + 0.1 * (certainty - 0.5)
        importance += min(0.1, 0.02 * Double(entityCount))
        if hasTemporalInfo { importance += 0.05 }
        if wordCount > 10 { importance += min(0.1, 0.01 * Double(wordCount - 10)) }
        if isCritical { importance += 0.15 }
        return min(1, max(0, importance))
    }

    /// `drafts` without repeats of a content (case and white space folded): in text order, the
    /// first occurrence stays unless a later one is strictly more confident.
    private static func withoutDuplicates(_ drafts: [Draft], in document: FactText) -> [Draft] {
        let ordered = drafts.sorted {
            $0.span.lowerBound != $1.span.lowerBound ? $0.span.lowerBound < $1.span.lowerBound : $0.span.count > $1.span.count
        }
        var unique: [Draft] = []
        var seen: [String: Int] = [:]
        for draft in ordered {
            let key = ContentFingerprint.normalized(document.string(draft.content))
            if let existing = seen[key] {
                if draft.confidence > unique[existing].confidence { unique[existing] = draft }
            } else {
                seen[key] = unique.count
                unique.append(draft)
            }
        }
        return unique
    }

    /// The request's entities, each once, with a matcher over the text.
    private struct RequestEntities {
        let names: [String]
        let matcher: TermMatcher
        let text: FoldedText?

        init(_ entities: [String], text: String) {
            var seen = Set<String>()
            names = entities.filter { seen.insert($0).inserted }
            matcher = TermMatcher(names)
            self.text = matcher.isEmpty ? nil : FoldedText(text)
        }

        /// The entities occurring in `range` as whole terms, in request order.
        func found(in range: Range<Int>) -> [String] {
            guard let text else { return [] }
            return matcher.terms(in: text, range: range).map { names[$0] }
        }
    }

    /// A draft's signals, entities, importance and metadata.
    private func fact(
        _ draft: Draft, in document: FactText, entities: RequestEntities, context: JSONObject, isCritical: Bool
    ) -> ExtractedFact {
        let content = document.string(draft.content)
        let foundEntities = entities.found(in: draft.content)
        let signalTokens = document.tokenIndices(of: draft.span, inSentence: draft.sentence)
        let temporal = FactSignals.temporalInfo(signalTokens, of: document)
        let certainty = FactSignals.certainty(signalTokens, of: document)
        let wordCount = FoldedText.whitespaceSeparatedWordCount(content.unicodeScalars)
        let sentence = document.sentences[draft.sentence]
        let sentenceEnd = sentence.closing.isEmpty ? sentence.range.upperBound : sentence.closing.upperBound
        var metadata: JSONObject = [
            "sentence_context": .string(document.string(sentence.range.lowerBound..<sentenceEnd)),
            "fact_length": .int(Int64(content.unicodeScalars.count)),
            "word_count": .int(Int64(wordCount)),
        ]
        if draft.type == .statement {
            metadata["general_statement"] = true
        } else {
            metadata["pattern_match"] = true
            metadata["original_text"] = .string(document.string(draft.span))
        }
        for key in ["session_id", "user_id"] { if let value = context[key] { metadata[key] = value } }
        let count = document.scalars.count
        let contextRange = max(0, draft.span.lowerBound - Self.contextRadius)..<min(count, draft.span.upperBound + Self.contextRadius)
        return ExtractedFact(
            content: content, factType: draft.type, confidence: draft.confidence, certaintyLevel: certainty,
            importance: Self.importance(
                type: draft.type, confidence: draft.confidence, certainty: certainty, entityCount: foundEntities.count,
                hasTemporalInfo: temporal != nil, wordCount: wordCount, isCritical: isCritical),
            sourceSpan: draft.span, context: document.string(contextRange), entities: foundEntities, temporalInfo: temporal,
            metadata: metadata)
    }

    // MARK: Cue facts

    /// A fact before its signals are read.
    struct Draft {
        var type: FactType
        var confidence: Double
        var span: Range<Int>
        var content: Range<Int>
        var sentence: Int
    }

    /// The cue facts, one family per sentence (see the type's documentation).
    private func cueDrafts(_ document: FactText) -> [Draft] {
        let finder = CueFinder(text: document)
        var bySentence: [Int: [Draft]] = [:]
        for cueIndex in Self.cues.indices {
            let cue = Self.cues[cueIndex]
            for match in finder.matches(of: cueIndex) where Self.isFactContent(match.content, of: document) {
                let tokens = document.tokenIndices(of: match.span, inSentence: match.sentence)
                var confidence = cue.confidence + (match.span.count > 50 ? 0.05 : 0)
                confidence = min(1, confidence + FactSignals.confidenceAdjustment(tokens, of: document))
                bySentence[match.sentence, default: []].append(
                    Draft(type: cue.type, confidence: confidence, span: match.span, content: match.content, sentence: match.sentence))
            }
        }
        var drafts: [Draft] = []
        // One cue's matches never overlap, so marking kept spans costs at most the text's length
        // per cue.
        var occupied = [Bool](repeating: false, count: document.scalars.count)
        for (_, matches) in bySentence {
            let family = matches.map { FactType.cueFamilies.firstIndex(of: $0.type)! }.min()!
            let ranked = matches.filter { $0.type == FactType.cueFamilies[family] }.sorted { a, b in
                if a.confidence != b.confidence { return a.confidence > b.confidence }
                if a.span.lowerBound != b.span.lowerBound { return a.span.lowerBound < b.span.lowerBound }
                return a.span.count > b.span.count
            }
            for draft in ranked where !occupied[draft.span].contains(true) {
                for index in draft.span { occupied[index] = true }
                drafts.append(draft)
            }
        }
        return drafts
    }

    /// X is a fact with at least 5 scalars, a letter or digit among them.
    private static func isFactContent(_ range: Range<Int>, of document: FactText) -> Bool {
        range.count >= 5 && document.scalars[range].contains(where: FoldedText.isLetterOrDigit)
    }

    // MARK: Statements

    private static let factualVerbs: Set<String> = [
        "is", "are", "was", "were", "has", "have", "contains", "includes", "provides", "supports", "enables", "allows",
        "requires", "uses", "implemented", "configured", "designed", "built", "created",
    ]
    private static let strongVerbs: Set<String> = ["is", "are", "was", "were", "has", "have"]
    private static let technicalWords: Set<String> = ["system", "application", "database", "server", "code", "function"]
    private static let uncertainWords: Set<String> = ["maybe", "perhaps", "might", "could", "possibly"]

    /// A sentence with no cue fact is a statement when it has at least 10 scalars and 4 words,
    /// isn't a question, has at most 2 of `( { [` and a factual verb; confidence 0.4, +0.2 with
    /// is/are/was/were/has/have, +0.15 with a technical word, −0.2 when uncertain, clamped to
    /// 0.1...1 and kept from 0.3.
    private func statementDraft(_ document: FactText, sentence index: Int) -> Draft? {
        let sentence = document.sentences[index]
        let scalars = document.scalars[sentence.range]
        guard scalars.count >= 10, !sentence.isQuestion, FoldedText.whitespaceSeparatedWordCount(scalars) >= 4,
            scalars.filter({ $0 == "(" || $0 == "{" || $0 == "[" }).count <= 2,
            FactSignals.contains(Self.factualVerbs, in: sentence.tokens, of: document)
        else { return nil }
        var confidence = 0.4
        if FactSignals.contains(Self.strongVerbs, in: sentence.tokens, of: document) { confidence += 0.2 }
        if FactSignals.contains(Self.technicalWords, in: sentence.tokens, of: document) { confidence += 0.15 }
        if FactSignals.contains(Self.uncertainWords, in: sentence.tokens, of: document) { confidence -= 0.2 }
        confidence = min(1, max(0.1, confidence))
        guard confidence >= 0.3 else { return nil }
        return Draft(type: .statement, confidence: confidence, span: sentence.range, content: sentence.range, sentence: index)
    }

    // MARK: Analysis

    /// KnowledgeHub's substring estimate for `analyze-facts` (any case, inside words too): +1
    /// per decision indicator present (decided, chose, selected, will use, going with) and per
    /// action indicator (need to, should, must, will, todo, action); +1 per type with any
    /// indicator for preference, error_fact, solution, configuration and observation.
    /// `likely_types` in KnowledgeHub's order: decision, preference, action_item, error_fact,
    /// solution, configuration, observation.
    package func analyze(_ text: String) -> FactAnalysis {
        let document = FoldedText(text)
        let indicators: [(FactType, [String], countsEach: Bool)] = [
            (.decision, ["decided", "chose", "selected", "will use", "going with"], true),
            (.preference, ["prefer", "like", "favor", "think", "believe"], false),
            (.actionItem, ["need to", "should", "must", "will", "todo", "action"], true),
            (.errorFact, ["error", "issue", "problem", "bug", "failure", "exception"], false),
            (.solution, ["solution", "fix", "resolved", "workaround"], false),
            (.configuration, ["config", "setting", "parameter", "environment", "configured"], false),
            (.observation, ["noticed", "observed", "found", "discovered", "appears", "seems"], false),
        ]
        var estimate = 0
        var likelyTypes: [FactType] = []
        for (type, words, countsEach) in indicators {
            let present = words.filter { document.containsFolded($0) }.count
            guard present > 0 else { continue }
            likelyTypes.append(type)
            estimate += countsEach ? present : 1
        }
        let words = document.whitespaceSeparatedWordCount
        return FactAnalysis(
            textLength: document.scalars.count, estimatedFacts: estimate, likelyTypes: likelyTypes,
            factDensity: words == 0 ? 0 : Double(estimate) / Double(words))
    }
}

/// `statistics` of `/api/memory/facts/extract` and `fact_stats` of enrich-chunks.
package struct FactStatistics: Sendable, Equatable {
    package var total: Int
    package var byType: [FactType: Int]
    /// The averages are 0 without facts.
    package var averageConfidence: Double
    package var averageCertainty: Double
    package var averageImportance: Double
    package var factsWithEntities: Int
    package var factsWithTemporalInfo: Int
    package var uniqueFactTypes: Int

    package init(_ facts: [ExtractedFact]) {
        func average(_ value: (ExtractedFact) -> Double) -> Double {
            facts.isEmpty ? 0 : facts.reduce(0) { $0 + value($1) } / Double(facts.count)
        }
        total = facts.count
        byType = facts.reduce(into: [:]) { $0[$1.factType, default: 0] += 1 }
        averageConfidence = average(\.confidence)
        averageCertainty = average(\.certaintyLevel)
        averageImportance = average(\.importance)
        factsWithEntities = facts.filter { !$0.entities.isEmpty }.count
        factsWithTemporalInfo = facts.filter { $0.temporalInfo != nil }.count
        uniqueFactTypes = byType.count
    }

    /// `{by_type, avg_confidence, avg_certainty, avg_importance, facts_with_entities,
    /// facts_with_temporal_info, unique_fact_types, text_length}`; `textLength` counts the
    /// request text's Unicode scalars.
    package func responseJSON(textLength: Int) -> JSONObject {
        [
            "by_type": .counts(byType),
            "avg_confidence": .double(averageConfidence),
            "avg_certainty": .double(averageCertainty),
            "avg_importance": .double(averageImportance),
            "facts_with_entities": .int(Int64(factsWithEntities)),
            "facts_with_temporal_info": .int(Int64(factsWithTemporalInfo)),
            "unique_fact_types": .int(Int64(uniqueFactTypes)),
            "text_length": .int(Int64(textLength)),
        ]
    }

    /// `{total, by_type, average_confidence, average_certainty, average_importance,
    /// facts_with_entities, facts_with_temporal_info, unique_fact_types}`, or `{total: 0}`
    /// without facts: a chunk's `metadata.fact_stats`.
    package var chunkJSON: JSONObject {
        guard total > 0 else { return ["total": 0] }
        return [
            "total": .int(Int64(total)),
            "by_type": .counts(byType),
            "average_confidence": .double(averageConfidence),
            "average_certainty": .double(averageCertainty),
            "average_importance": .double(averageImportance),
            "facts_with_entities": .int(Int64(factsWithEntities)),
            "facts_with_temporal_info": .int(Int64(factsWithTemporalInfo)),
            "unique_fact_types": .int(Int64(uniqueFactTypes)),
        ]
    }
}

/// The answer of `analyze-facts`.
package struct FactAnalysis: Sendable, Equatable {
    /// Unicode scalars.
    package var textLength: Int
    package var estimatedFacts: Int
    package var likelyTypes: [FactType]
    /// `estimatedFacts` per whitespace-separated word; 0 without words.
    package var factDensity: Double

    /// `{text_length, estimated_facts, likely_types, fact_density}`.
    package var json: JSONObject {
        [
            "text_length": .int(Int64(textLength)),
            "estimated_facts": .int(Int64(estimatedFacts)),
            "likely_types": .array(likelyTypes.map { .string($0.rawValue) }),
            "fact_density": .double(factDensity),
        ]
    }
}
