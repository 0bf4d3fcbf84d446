/// One position of a cue: alternatives of one or more lower-case words (or the punctuation `:`
/// or `,`), possibly optional. Written `"will|need to"`, or `"(that|to)"` when optional.
struct CueSlot: Sendable {
    var phrases: [[String]]
    var isOptional: Bool

    init(_ spec: String) {
        isOptional = spec.hasPrefix("(") && spec.hasSuffix(")")
        let body = isOptional ? spec.dropFirst().dropLast() : Substring(spec)
        phrases = body.split(separator: "|").map { $0.split(separator: " ").map(String.init) }
    }
}

/// What follows a cue's words.
enum CueCapture: Sendable {
    /// X runs to the end of its sentence or to the first stop phrase.
    case upTo(stops: [[String]])
    /// X, the first `middle` after it, then Y to the end of the sentence; the content is X
    /// through Y (KnowledgeHub kept X only).
    case through(middle: [CueSlot])
    /// X, then `suffix`, which must close the sentence; the content is X.
    case before(suffix: [CueSlot])
}

/// A cue of API-more.md's table: words, then the fact.
struct Cue: Sendable {
    var type: FactType
    var prefix: [CueSlot]
    var capture: CueCapture
    /// The base confidence.
    var confidence: Double
    /// The first words the first slot accepts, for a quick test at each token.
    var firstWords: Set<String>

    init(_ type: FactType, _ prefix: [String], stops: String = "", _ confidence: Double) {
        self.init(type, prefix, capture: .upTo(stops: stops.isEmpty ? [] : CueSlot(stops).phrases), confidence)
    }

    init(_ type: FactType, _ prefix: [String], through middle: [String], _ confidence: Double) {
        self.init(type, prefix, capture: .through(middle: middle.map(CueSlot.init)), confidence)
    }

    init(_ type: FactType, _ prefix: [String], suffix: [String], _ confidence: Double) {
        self.init(type, prefix, capture: .before(suffix: suffix.map(CueSlot.init)), confidence)
    }

    private init(_ type: FactType, _ prefix: [String], capture: CueCapture, _ confidence: Double) {
        self.type = type
        self.prefix = prefix.map(CueSlot.init)
        self.capture = capture
        self.confidence = confidence
        firstWords = Set(self.prefix[0].phrases.map { $0[0] })
    }
}

extension FactExtractor {
    /// API-more.md's cue table, family by family in its order (which is also the order in which
    /// families claim a sentence), each family's cues in the table's order. Base confidences:
    /// decision 0.9 for the decided/chose cues and 0.85 for "we will use", preference 0.8,
    /// action_item and requirement 0.85 for their first two cues, everything else 0.7.
    static let cues: [Cue] = [
        Cue(.decision, ["i|we|team|project", "decided|chose|selected|picked|went with|settled on"], stops: "because|since", 0.9),
        Cue(.decision, ["after|following", "discussion|consideration|analysis|review", "(,)", "we|i|team", "decided|chose"], 0.9),
        Cue(.decision, ["decision|choice", "is|was|will be", "to"], 0.7),
        Cue(.decision, ["final|ultimate|main|primary", "decision|choice|selection", "is|was"], 0.7),
        Cue(.decision, ["we|i", "will|should|must", "use|implement|go with|choose"], stops: "for|because", 0.85),

        Cue(.preference, ["i|we|team", "prefer|like|favor|would rather|want"], stops: "over|than|because", 0.8),
        Cue(.preference, ["preference|choice", "is|was", "for|to use|to go with"], 0.8),
        Cue(.preference, ["i|we", "think|believe|feel"], suffix: ["is|would be", "better|best|ideal|preferred"], 0.8),
        Cue(.preference, ["i|we|team", "don't|do not", "like|want|prefer"], stops: "because", 0.8),
        Cue(.preference, ["personally|in my opinion|i think", "(,)"], suffix: ["is|would be", "better|preferable|ideal"], 0.8),

        Cue(.actionItem, ["need to|should|must|have to|will|plan to|going to"], stops: "before|after|by|when", 0.85),
        Cue(.actionItem, ["i|we|team", "will|should|need to|must|have to"], stops: "before|after|by|when", 0.85),
        Cue(.actionItem, ["action|task|todo|next step", "is|was|will be", "(to)"], 0.7),
        Cue(.actionItem, ["remember to|don't forget to|make sure to"], 0.7),
        Cue(.actionItem, ["todo|fixme|note", ":"], 0.7),
        Cue(.actionItem, ["next|upcoming|planned", "step|action|task", "is|will be", "(to)"], 0.7),

        Cue(.requirement, ["must|required to|necessary to|essential to"], stops: "in order|to ensure", 0.85),
        Cue(.requirement, ["system|application|code|project", "must|should|needs to|requires"], 0.85),
        Cue(.requirement, ["requirement|constraint|condition", "is|was", "(that)"], 0.7),
        Cue(.requirement, ["it|this|that", "is|was", "required|mandatory|necessary", "(that|to)"], 0.7),
        Cue(.requirement, ["business|functional|technical", "requirement", ":"], 0.7),

        Cue(.configuration, ["configuration|config|setting|parameter", "is|was|will be", "(set to)"], 0.7),
        Cue(.configuration, ["configured|set up|setup"], through: ["to|as|with"], 0.7),
        Cue(.configuration, ["environment|env", "variable|var"], through: ["is|was|set to"], 0.7),
        Cue(.configuration, ["database|db|server|host", "is|was|configured|set", "to|as|at"], 0.7),
        Cue(.configuration, ["port|url|endpoint|address", "is|was|set to"], 0.7),

        Cue(.errorFact, ["error|issue|problem|bug|failure", "is|was|occurs|happens"], 0.7),
        Cue(.errorFact, ["getting|seeing|encountering|facing", "(a|an)", "error|issue|problem", "with|in|when"], 0.7),
        Cue(.errorFact, ["fails|failing|broken|not working", "when|if|because"], 0.7),
        Cue(.errorFact, ["exception|error message|stack trace", ":"], 0.7),
        Cue(.errorFact, ["root cause|cause|reason", "is|was|seems to be"], 0.7),

        Cue(.solution, ["solution|fix|workaround|resolution", "is|was", "(to)"], 0.7),
        Cue(.solution, ["fixed|resolved|solved", "by|through|using|with"], 0.7),
        Cue(.solution, ["to fix|to resolve|to solve", "this|the issue|the problem", "(,)"], 0.7),
        Cue(.solution, ["way to|method to|approach to", "fix|resolve|solve", "this|it", "is|was"], 0.7),
        Cue(.solution, ["workaround|temporary fix", "is|was", "(to)"], 0.7),

        Cue(.observation, ["noticed|observed|found|discovered", "(that)"], 0.7),
        Cue(.observation, ["it|this|that", "appears|seems", "(that|to)"], 0.7),
        Cue(.observation, ["based on|according to|from"], through: ["(,)", "it|we|i", "can see|observed|found", "(that)"], 0.7),
        Cue(.observation, ["evidence|data|results", "show|shows|indicate|indicates|suggest|suggests", "(that)"], 0.7),
        Cue(.observation, ["analysis|investigation|research", "reveal|reveals|show|shows", "(that)"], 0.7),
    ]
}

/// A cue found in the text, before it is judged a fact.
struct CueMatch {
    var cue: Int
    var sentence: Int
    /// From the cue's first word to the end of the content, or of a closing suffix ("is
    /// better"); stop words and sentence ends are left out (scalars).
    var span: Range<Int>
    /// The fact (scalars): X, or X through Y.
    var content: Range<Int>
}

/// Finds the cues of `FactExtractor.cues` over a `FactText`'s tokens. Words match whole tokens,
/// any case; words of a cue are separated by white space (`:` touches the word before it), and
/// a cue, its X and its Y lie in one sentence. Like Python's `finditer`, one cue's matches never
/// overlap: after a match the search goes on where it ended. Each cue's pass is linear in the
/// tokens: X stops at a stop phrase or the sentence end, and a two-part cue's middle is looked
/// up in a table built backwards once.
struct CueFinder {
    let text: FactText

    private var tokens: [FactText.Token] { text.tokens }

    func matches(of cueIndex: Int) -> [CueMatch] {
        let cue = FactExtractor.cues[cueIndex]
        var middleTable: [Int] = []
        if case .through(let middle) = cue.capture { middleTable = nextMiddle(middle) }
        var found: [CueMatch] = []
        var index = 0
        while index < tokens.count {
            guard cue.firstWords.contains(tokens[index].text),
                let (match, resume) = match(cue, cueIndex: cueIndex, at: index, middleTable: middleTable)
            else {
                index += 1
                continue
            }
            found.append(match)
            index = max(resume, index + 1)
        }
        return found
    }

    /// The match of `cue` starting at token `start`, and the token where the search goes on.
    private func match(_ cue: Cue, cueIndex: Int, at start: Int, middleTable: [Int]) -> (CueMatch, Int)? {
        let sentence = tokens[start].sentence
        let sentenceEnd = text.sentences[sentence].tokens.upperBound
        for x in ends(of: cue.prefix[...], at: start, sentence: sentence, isCueStart: true) {
            guard x < sentenceEnd, tokens[x - 1].text == ":" || !touches(x) else { continue }
            // The content ends before `contentEnd`, the match before `resume` (a closing suffix
            // is part of the match; a stop word or the sentence's end is not).
            let contentEnd: Int
            let resume: Int
            switch cue.capture {
            case .upTo(let stops):
                var end = x
                while end < sentenceEnd, !stops.contains(where: { phraseEnd($0, at: end, sentence: sentence, spaced: false) != nil }) {
                    end += 1
                }
                guard end > x else { continue }
                (contentEnd, resume) = (end, end)
            case .through:
                guard x + 1 < sentenceEnd, middleTable[x + 1] >= 0 else { continue }
                (contentEnd, resume) = (sentenceEnd, sentenceEnd)
            case .before(let suffix):
                // The suffix closes the sentence, so it starts at most its longest length before the end.
                let longest = suffix.reduce(0) { $0 + ($1.phrases.map(\.count).max() ?? 0) }
                guard let suffixStart = (max(x + 1, sentenceEnd - longest)..<max(x + 1, sentenceEnd)).first(where: {
                    ends(of: suffix[...], at: $0, sentence: sentence, isCueStart: false).contains(sentenceEnd)
                }) else { continue }
                (contentEnd, resume) = (suffixStart, sentenceEnd)
            }
            // Punctuation left before a stop word ("Redis, because") is not part of the fact.
            var last = contentEnd - 1
            while last > x, [",", ";", ":"].contains(tokens[last].text) { last -= 1 }
            let content = tokens[x].start..<tokens[last].end
            let spanEnd = resume > contentEnd ? tokens[resume - 1].end : content.upperBound
            return (CueMatch(cue: cueIndex, sentence: sentence, span: tokens[start].start..<spanEnd, content: content), resume)
        }
        return nil
    }

    /// Whether token `index` touches the token before it (no white space between).
    private func touches(_ index: Int) -> Bool {
        index > 0 && tokens[index].start == tokens[index - 1].end
    }

    /// The token after `words` matched from `index` within `sentence`. When `spaced`, a word must
    /// have white space before it and a `:` must touch the word before it.
    private func phraseEnd(_ words: [String], at index: Int, sentence: Int, spaced: Bool) -> Int? {
        var position = index
        for word in words {
            guard position < tokens.count, tokens[position].sentence == sentence, tokens[position].text == word else { return nil }
            if spaced {
                if word == ":" {
                    guard touches(position) else { return nil }
                } else if word != ",", touches(position) {
                    return nil
                }
            }
            position += 1
        }
        return position
    }

    /// Where `slots` can end when matched from `index`, in the order a regular expression would
    /// try them (alternatives in order, an optional slot taken before it is skipped).
    private func ends(of slots: ArraySlice<CueSlot>, at index: Int, sentence: Int, isCueStart: Bool) -> [Int] {
        guard let slot = slots.first else { return [index] }
        var result: [Int] = []
        for phrase in slot.phrases {
            // The cue's first word needs nothing before it; every later one is spaced.
            if let end = phraseEnd(phrase, at: index, sentence: sentence, spaced: !isCueStart) {
                result += ends(of: slots.dropFirst(), at: end, sentence: sentence, isCueStart: false)
            }
        }
        if slot.isOptional { result += ends(of: slots.dropFirst(), at: index, sentence: sentence, isCueStart: isCueStart) }
        return result
    }

    /// For each token, the first token at or after it in its sentence where `middle` matches with
    /// a spaced, non-empty Y after it; -1 when there is none.
    private func nextMiddle(_ middle: [CueSlot]) -> [Int] {
        var table = [Int](repeating: -1, count: tokens.count + 1)
        var index = tokens.count - 1
        while index >= 0 {
            let sentence = tokens[index].sentence
            let sentenceEnd = text.sentences[sentence].tokens.upperBound
            let matchesHere = ends(of: middle[...], at: index, sentence: sentence, isCueStart: false).contains {
                $0 < sentenceEnd && !touches($0)
            }
            if matchesHere {
                table[index] = index
            } else if index + 1 < sentenceEnd {
                table[index] = table[index + 1]
            }
            index -= 1
        }
        return table
    }
}
