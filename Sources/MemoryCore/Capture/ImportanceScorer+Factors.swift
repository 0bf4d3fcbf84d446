/// How the importance factors read text: one pass over the Unicode scalars into words, one pass over
/// the UTF-8 bytes for markup, and a phrase index matched word by word. No regular expressions, so
/// every scan is linear in the text (KH's `services/importance_scoring.py` used `re` patterns; these
/// reproduce what they match, whole words only).
struct ImportanceText: Sendable {
    /// A maximal run of letters, digits and underscores (Python's `\w`), with what stands between it
    /// and the word before, so that phrases can require a space (`stack trace`) or an apostrophe
    /// (`don't`).
    struct Word: Sendable {
        enum Gap: Sendable {
            /// The first word of the text.
            case start
            /// Only white space (one or more scalars).
            case whitespace
            /// A single `'` or `’`.
            case apostrophe
            /// A single `-`.
            case hyphen
            case other
        }

        /// Lower-cased.
        var text: String
        var gapBefore: Gap
        var scalarCount: Int
        /// Every scalar is a letter (Python's `str.isalpha()`).
        var isAlphabetic: Bool
        /// Two or more ASCII capitals and nothing else (KH's `\b[A-Z]{2,}\b`).
        var isAllCaps: Bool
        /// ASCII letters only, starting with a capital, two or more capitals (KH's
        /// `\b[A-Z][a-zA-Z]*[A-Z][a-zA-Z]*\b`, which also takes all-caps words).
        var isCamelCase: Bool
        /// Directly followed by `()`.
        var isCall: Bool
        /// Directly followed by `:`.
        var isMarker: Bool
    }

    let utf8: [UInt8]
    let words: [Word]
    /// The distinct lower-cased words, for "word present" bonuses.
    let wordSet: Set<String>
    /// The distinct lower-cased white-space-separated chunks (Python's `content.lower().split()`),
    /// punctuation included: what repetition compares.
    let chunkSet: Set<String>
    /// How many white-space-separated chunks the text has: KH's `word_count`.
    let chunkCount: Int
    let scalarCount: Int

    /// Only white space (or nothing): such content has no importance.
    var isBlank: Bool { chunkCount == 0 }

    init(_ content: String) {
        let scalars = Array(content.unicodeScalars)
        scalarCount = scalars.count
        utf8 = Array(content.utf8)

        var words: [Word] = []
        var previousEnd: Int?
        var index = 0
        while index < scalars.count {
            guard Self.isWordScalar(scalars[index]) else {
                index += 1
                continue
            }
            let start = index
            var view = String.UnicodeScalarView()
            var capitals = 0
            var asciiLettersOnly = true
            var alphabetic = true
            while index < scalars.count, Self.isWordScalar(scalars[index]) {
                let scalar = scalars[index]
                view.append(scalar)
                switch scalar.value {
                case 0x41...0x5A: capitals += 1
                case 0x61...0x7A: break
                default: asciiLettersOnly = false
                }
                if !scalar.properties.isAlphabetic { alphabetic = false }
                index += 1
            }
            let length = index - start
            let startsWithCapital = (0x41...0x5A).contains(scalars[start].value)
            words.append(Word(
                text: String(view).lowercased(),
                gapBefore: previousEnd.map { Self.gap(scalars[$0..<start]) } ?? .start,
                scalarCount: length,
                isAlphabetic: alphabetic,
                isAllCaps: asciiLettersOnly && capitals == length && length >= 2,
                isCamelCase: asciiLettersOnly && startsWithCapital && capitals >= 2,
                isCall: index + 1 < scalars.count && scalars[index] == "(" && scalars[index + 1] == ")",
                isMarker: index < scalars.count && scalars[index] == ":"
            ))
            previousEnd = index
        }
        self.words = words
        wordSet = Set(words.map(\.text))

        var chunks = Set<String>()
        var chunkCount = 0
        var chunk = String.UnicodeScalarView()
        for scalar in scalars {
            if scalar.properties.isWhitespace {
                if !chunk.isEmpty {
                    chunks.insert(String(chunk).lowercased())
                    chunkCount += 1
                    chunk = String.UnicodeScalarView()
                }
            } else {
                chunk.append(scalar)
            }
        }
        if !chunk.isEmpty {
            chunks.insert(String(chunk).lowercased())
            chunkCount += 1
        }
        chunkSet = chunks
        self.chunkCount = chunkCount
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    private static func gap(_ between: ArraySlice<Unicode.Scalar>) -> Word.Gap {
        if between.count == 1, let only = between.first {
            if only == "'" || only == "\u{2019}" { return .apostrophe }
            if only == "-" { return .hyphen }
        }
        return between.allSatisfy(\.properties.isWhitespace) ? .whitespace : .other
    }

    /// Key terms for the frequency pattern: distinct lower-cased alphabetic words longer than four
    /// letters.
    var keyTerms: Set<String> {
        Set(words.lazy.filter { $0.isAlphabetic && $0.scalarCount > 4 }.map(\.text))
    }

    // MARK: Markup, on UTF-8 (the delimiters are ASCII, which never occurs inside a multi-byte scalar)

    /// Spans of two `marker` bytes, one or more other bytes, two `marker` bytes: `**bold**` or
    /// `__underlined__` (KH's `\*\*([^*]+)\*\*`, matched left to right without overlap).
    func delimitedSpans(marker: UInt8) -> Int {
        var count = 0
        var index = 0
        while index + 1 < utf8.count {
            guard utf8[index] == marker, utf8[index + 1] == marker else {
                index += 1
                continue
            }
            var close = index + 2
            while close < utf8.count, utf8[close] != marker { close += 1 }
            if close == utf8.count { break }
            if close == index + 2 {
                index += 1
            } else if close + 1 < utf8.count, utf8[close + 1] == marker {
                count += 1
                index = close + 2
            } else {
                index = close
            }
        }
        return count
    }

    /// Runs of two or more `!`.
    func exclamationRuns() -> Int {
        var count = 0
        var run = 0
        for byte in utf8 {
            if byte == UInt8(ascii: "!") {
                run += 1
            } else {
                if run >= 2 { count += 1 }
                run = 0
            }
        }
        return run >= 2 ? count + 1 : count
    }

    /// Fenced code blocks: a ```` ``` ````, anything, the next ```` ``` ````.
    func fencedBlocks() -> [Range<Int>] {
        func fence(from start: Int) -> Int? {
            var index = start
            while index + 2 < utf8.count {
                if utf8[index] == UInt8(ascii: "`"), utf8[index + 1] == UInt8(ascii: "`"), utf8[index + 2] == UInt8(ascii: "`") {
                    return index
                }
                index += 1
            }
            return nil
        }
        var blocks: [Range<Int>] = []
        var from = 0
        while let open = fence(from: from), let close = fence(from: open + 3) {
            blocks.append(open..<(close + 3))
            from = close + 3
        }
        return blocks
    }

    /// Inline code outside fenced blocks: a backtick, one or more other bytes, a backtick.
    func inlineCodeSpans(outside blocks: [Range<Int>]) -> Int {
        let tick = UInt8(ascii: "`")
        var count = 0
        var segmentStart = 0
        for segment in blocks + [utf8.count..<utf8.count] {
            var index = segmentStart
            let end = segment.lowerBound
            while index < end {
                guard utf8[index] == tick else {
                    index += 1
                    continue
                }
                var close = index + 1
                while close < end, utf8[close] != tick { close += 1 }
                if close == end { break }
                if close == index + 1 {
                    index += 1
                } else {
                    count += 1
                    index = close + 1
                }
            }
            segmentStart = segment.upperBound
        }
        return count
    }
}

/// What the history factors need of one earlier item, computed once per item.
struct ImportanceHistoryEntry: Sendable {
    /// Its white-space-separated chunks, lower-cased (repetition's Jaccard set).
    var chunkSet: Set<String>
    /// How often each alphabetic word longer than four letters occurs (frequency pattern).
    var termCounts: [String: Int]

    init(_ text: ImportanceText) {
        chunkSet = text.chunkSet
        var counts: [String: Int] = [:]
        for word in text.words where word.isAlphabetic && word.scalarCount > 4 {
            counts[word.text, default: 0] += 1
        }
        termCounts = counts
    }
}

/// The phrase lists of the text factors (the factor table of API-more.md, KH's `ImportancePatterns`),
/// all indexed by first word so that a text is matched in one pass: each list counts its matches
/// left to right without overlap, the longest phrase winning where several start at a word.
///
/// Phrase syntax: words separated by a space need white space between them; `'` inside a word
/// needs an apostrophe (`don't`); `-` needs a hyphen or white space (`high-priority`); `*` is
/// any word (`by *`).
struct ImportancePhraseIndex: Sendable {
    enum Joint: Sendable {
        case whitespace, apostrophe, whitespaceOrHyphen

        func admits(_ gap: ImportanceText.Word.Gap) -> Bool {
            switch (self, gap) {
            case (.whitespace, .whitespace), (.apostrophe, .apostrophe), (.whitespaceOrHyphen, .whitespace),
                (.whitespaceOrHyphen, .hyphen):
                true
            default:
                false
            }
        }
    }

    struct Part: Sendable {
        /// Lower-cased; nil for any word.
        var word: String?
        /// What must separate it from the part before (unused for the first).
        var joint: Joint
    }

    struct Phrase: Sendable {
        var list: Int
        var parts: [Part]
    }

    /// The lists of each factor, as ranges into the flat list numbering.
    let lists: [ImportanceFactor: Range<Int>]
    let listCount: Int
    private let phrasesByFirstWord: [String: [Phrase]]

    init(_ table: [(ImportanceFactor, [[String]])]) {
        var lists: [ImportanceFactor: Range<Int>] = [:]
        var byFirstWord: [String: [Phrase]] = [:]
        var number = 0
        for (factor, factorLists) in table {
            lists[factor] = number..<(number + factorLists.count)
            for list in factorLists {
                for text in list {
                    let parts = Self.parts(of: text)
                    guard let first = parts.first?.word else { preconditionFailure("a phrase starts with a word: \(text)") }
                    byFirstWord[first, default: []].append(Phrase(list: number, parts: parts))
                }
                number += 1
            }
        }
        self.lists = lists
        listCount = number
        phrasesByFirstWord = byFirstWord
    }

    private static func parts(of phrase: String) -> [Part] {
        var parts: [Part] = []
        var current = ""
        var joint = Joint.whitespace
        func flush(then next: Joint) {
            if !current.isEmpty { parts.append(Part(word: current == "*" ? nil : current, joint: joint)) }
            current = ""
            joint = next
        }
        for character in phrase {
            switch character {
            case " ": flush(then: .whitespace)
            case "'": flush(then: .apostrophe)
            case "-": flush(then: .whitespaceOrHyphen)
            default: current.append(character)
            }
        }
        flush(then: .whitespace)
        return parts
    }

    /// Every combination of one phrase from each slot, separated by white space:
    /// `[["will", "going to"], ["use"]]` is "will use", "going to use".
    static func combinations(_ slots: [[String]]) -> [String] {
        slots.reduce([""]) { prefixes, slot in
            prefixes.flatMap { prefix in slot.map { prefix.isEmpty ? $0 : prefix + " " + $0 } }
        }
    }

    /// The number of matches of each list in `words`, indexed by list number.
    func counts(in words: [ImportanceText.Word]) -> [Int] {
        var counts = [Int](repeating: 0, count: listCount)
        var nextFree = [Int](repeating: 0, count: listCount)
        var longest = [Int](repeating: 0, count: listCount)
        for index in words.indices {
            guard let phrases = phrasesByFirstWord[words[index].text] else { continue }
            for phrase in phrases where nextFree[phrase.list] <= index {
                if let length = Self.length(of: phrase.parts, at: index, in: words) {
                    longest[phrase.list] = max(longest[phrase.list], length)
                }
            }
            for phrase in phrases where longest[phrase.list] > 0 {
                counts[phrase.list] += 1
                nextFree[phrase.list] = index + longest[phrase.list]
                longest[phrase.list] = 0
            }
        }
        return counts
    }

    private static func length(of parts: [Part], at start: Int, in words: [ImportanceText.Word]) -> Int? {
        guard start + parts.count <= words.count else { return nil }
        for offset in parts.indices.dropFirst() {
            let word = words[start + offset]
            guard parts[offset].joint.admits(word.gapBefore) else { return nil }
            if let expected = parts[offset].word, expected != word.text { return nil }
        }
        return parts.count
    }

    /// The lists of API-more.md's factor table, in its order.
    static let standard = ImportancePhraseIndex([
        (.explicitness, [
            ["important", "critical", "crucial", "essential", "vital", "key", "significant", "major"],
            ["must", "required", "necessary", "urgent", "priority", "high-priority"],
            ["note", "remember", "don't forget", "keep in mind", "pay attention"],
            ["warning", "caution", "attention", "alert"],
        ]),
        (.userEmphasis, [
            combinations([["i", "we"], ["really", "definitely", "absolutely", "strongly"], ["need", "want", "think", "believe"]]),
            combinations([["this is", "that's", "it's"], ["very", "extremely", "really", "quite"], ["important", "significant"]]),
        ]),
        (.errorSeverity, [
            combinations([["critical", "fatal", "severe", "major"], ["error", "issue", "problem", "bug"]]),
            ["crash", "failure", "exception", "stack trace"],
            ["security", "vulnerability", "exploit", "breach"],
            ["data loss", "corruption", "integrity"],
        ]),
        (.decisionWeight, [
            ["decided", "chose", "selected", "picked", "determined"],
            ["decision", "choice", "selection", "option"],
            combinations([["will", "shall", "going to", "plan to"], ["use", "implement", "adopt"]]),
            ["approved", "accepted", "agreed", "confirmed"],
        ]),
        (.actionUrgency, [
            ["deadline", "due", "expire", "urgent", "asap", "immediately"],
            ["today", "tomorrow", "this week", "next week", "by *"],
            combinations([["before", "after", "during", "while", "until"], ["*"]]),
            ["schedule", "timeline", "milestone", "release"],
        ]),
        (.temporalProximity, [
            ["today", "tomorrow", "yesterday", "now", "currently", "at the moment"],
            combinations([["this", "next", "last"], ["week", "month", "year", "quarter"]]),
            ["deadline", "due", "expire", "schedule"],
            combinations([["by", "before", "after", "until", "during"], ["*"]]),
        ]),
        (.technicalComplexity, [
            ["algorithm", "architecture", "implementation", "optimization", "performance"],
            ["database", "query", "index", "transaction", "concurrency"],
            ["security", "authentication", "authorization", "encryption"],
            ["scalability", "reliability", "availability", "consistency"],
            ["api", "endpoint", "protocol", "framework", "library"],
        ]),
    ])
}

/// A factor's raw score (0...1) and the sentences saying what was found.
struct ImportanceFactorResult {
    var raw: Double
    var reasons: [String] = []

    /// `hundredths` / 100, capped at 1: the list sums are kept in integer hundredths so that raw
    /// scores come out as the nearest doubles to their decimal values (0.35, not 0.35000000000000003).
    init(hundredths: Int, reasons: [String] = []) {
        raw = Double(min(100, hundredths)) / 100
        self.reasons = reasons
    }

    init(raw: Double, reasons: [String] = []) {
        self.raw = raw
        self.reasons = reasons
    }
}

/// The raw score of each factor, as API-more.md's factor table and the bullet list under it give
/// them: "each min(c, s·n)" adds min(c, s × n) for every list or signal with n matches; "word
/// present" bonuses count each listed word once, as a whole word.
struct ImportanceFactorEvaluation {
    let text: ImportanceText
    let listCounts: [Int]

    init(_ text: ImportanceText) {
        self.text = text
        listCounts = ImportancePhraseIndex.standard.counts(in: text.words)
    }

    private func counts(_ factor: ImportanceFactor) -> ArraySlice<Int> {
        listCounts[ImportancePhraseIndex.standard.lists[factor] ?? 0..<0]
    }

    /// Σ min(cap, step × n) over `counts`, in hundredths.
    private static func cappedSum(_ counts: some Sequence<Int>, step: Int, cap: Int) -> Int {
        counts.reduce(0) { $0 + min(cap, step * $1) }
    }

    /// How many of `words` occur in the text, each counted once.
    private func present(_ words: [String]) -> Int {
        words.count { text.wordSet.contains($0) }
    }

    func explicitness() -> ImportanceFactorResult {
        let lists = counts(.explicitness)
        let found = lists.reduce(0, +)
        return ImportanceFactorResult(
            hundredths: Self.cappedSum(lists, step: 10, cap: 30),
            reasons: found > 0 ? ["Found \(found) explicit importance markers"] : []
        )
    }

    func userEmphasis() -> ImportanceFactorResult {
        let markers = text.words.count {
            $0.isMarker && ($0.text == "todo" || $0.text == "fixme" || $0.text == "important" || $0.text == "note")
        }
        let signals = Array(counts(.userEmphasis)) + [
            text.delimitedSpans(marker: UInt8(ascii: "*")),
            text.delimitedSpans(marker: UInt8(ascii: "_")),
            text.exclamationRuns(),
            markers,
        ]
        var hundredths = Self.cappedSum(signals, step: 10, cap: 25)
        var found = signals.reduce(0, +)
        // A few capitalised words are emphasis; five or more is shouting (or an acronym-heavy text).
        let capitalised = text.words.count(where: \.isAllCaps)
        if (1...4).contains(capitalised) {
            hundredths += min(10, 2 * capitalised)
            found += capitalised
        }
        return ImportanceFactorResult(hundredths: hundredths, reasons: found > 0 ? ["Found \(found) user emphasis indicators"] : [])
    }

    func errorSeverity() -> ImportanceFactorResult {
        let lists = counts(.errorSeverity)
        let words = present(["error", "exception", "failure", "bug", "issue", "problem"])
        let found = lists.reduce(0, +) + words
        return ImportanceFactorResult(
            hundredths: Self.cappedSum(lists, step: 20, cap: 40) + 3 * words,
            reasons: found > 0 ? ["Found \(found) error severity indicators"] : []
        )
    }

    func decisionWeight() -> ImportanceFactorResult {
        let lists = counts(.decisionWeight)
        let found = lists.reduce(0, +)
        return ImportanceFactorResult(
            hundredths: Self.cappedSum(lists, step: 15, cap: 40),
            reasons: found > 0 ? ["Found \(found) decision indicators"] : []
        )
    }

    func actionUrgency() -> ImportanceFactorResult {
        let lists = counts(.actionUrgency)
        let words = present(["must", "need", "should", "required", "todo", "fixme"])
        let found = lists.reduce(0, +) + words
        return ImportanceFactorResult(
            hundredths: Self.cappedSum(lists, step: 10, cap: 30) + 5 * words,
            reasons: found > 0 ? ["Found \(found) urgency indicators"] : []
        )
    }

    func temporalProximity() -> ImportanceFactorResult {
        let lists = counts(.temporalProximity)
        let found = lists.reduce(0, +)
        return ImportanceFactorResult(
            hundredths: Self.cappedSum(lists, step: 10, cap: 20),
            reasons: found > 0 ? ["Found \(found) temporal proximity indicators"] : []
        )
    }

    func technicalComplexity() -> ImportanceFactorResult {
        let lists = counts(.technicalComplexity)
        let fences = text.fencedBlocks()
        let code = [
            fences.count,
            text.inlineCodeSpans(outside: fences),
            text.words.count(where: \.isCall),
            text.words.count(where: \.isCamelCase),
        ]
        let found = lists.reduce(0, +) + code.reduce(0, +)
        return ImportanceFactorResult(
            hundredths: Self.cappedSum(lists, step: 5, cap: 20) + Self.cappedSum(code, step: 3, cap: 15),
            reasons: found > 0 ? ["Found \(found) technical complexity indicators"] : []
        )
    }

    static func contextualRelevance(_ context: JSONObject) -> ImportanceFactorResult {
        var hundredths = 50
        var reasons: [String] = []
        func truthy(_ key: String) -> Bool { context[key]?.isTruthy ?? false }
        if truthy("project_id") || truthy("project") {
            hundredths += 10
            reasons.append("Content has project context")
        }
        if truthy("session_id") { hundredths += 5 }
        if truthy("user_id") { hundredths += 5 }
        if truthy("topic") || truthy("category") {
            hundredths += 10
            reasons.append("Content has topic/category context")
        }
        if truthy("is_critical") {
            hundredths += 20
            reasons.append("Marked as critical content")
        }
        return ImportanceFactorResult(hundredths: hundredths, reasons: reasons)
    }

    /// The age of `timestamp` (or, when that is absent or falsy, `created_at`), an ISO 8601 string;
    /// without a zone it is UTC, and a future instant counts as now.
    static func recency(_ context: JSONObject, now: Timestamp) -> ImportanceFactorResult {
        let value = [context["timestamp"], context["created_at"]].lazy.compactMap { $0 }.first(where: \.isTruthy)
        guard let text = value?.stringValue, let instant = Timestamp(iso8601: text) else {
            return ImportanceFactorResult(raw: 0.5)
        }
        let age = max(0, instant.seconds(until: now))
        let day = 86_400.0
        return switch age {
        case ..<3600: ImportanceFactorResult(raw: 1.0, reasons: ["Very recent content (< 1 hour)"])
        case ..<day: ImportanceFactorResult(raw: 0.8, reasons: ["Recent content (< 1 day)"])
        case ..<(7 * day): ImportanceFactorResult(raw: 0.6, reasons: ["Relatively recent content (< 1 week)"])
        case ..<(30 * day): ImportanceFactorResult(raw: 0.4, reasons: ["Moderately recent content (< 1 month)"])
        default: ImportanceFactorResult(raw: 0.2, reasons: ["Older content (> 1 month)"])
        }
    }

    func entityDensity(entityCount: Int) -> ImportanceFactorResult {
        guard entityCount > 0, text.chunkCount > 0 else { return ImportanceFactorResult(raw: 0) }
        let density = Double(entityCount) / Double(text.chunkCount)
        return ImportanceFactorResult(
            raw: min(1, density * 10),
            reasons: ["Entity density: \(entityCount) entities in \(text.chunkCount) words"]
        )
    }

    /// `history` is at most the last `ImportanceScorer.repetitionWindow` items.
    func repetition(history: some Collection<ImportanceHistoryEntry>) -> ImportanceFactorResult {
        let mine = text.chunkSet
        let similar = history.count { entry in
            let (small, large) = mine.count <= entry.chunkSet.count ? (mine, entry.chunkSet) : (entry.chunkSet, mine)
            let overlap = small.count(where: large.contains)
            let union = mine.count + entry.chunkSet.count - overlap
            return union > 0 && Double(overlap) / Double(union) > 0.3
        }
        guard similar > 0 else { return ImportanceFactorResult(raw: 0) }
        return ImportanceFactorResult(hundredths: 20 * similar, reasons: ["Found \(similar) similar items in history"])
    }

    /// `history` is at most the last `ImportanceScorer.frequencyWindow` items.
    func frequencyPattern(history: some Collection<ImportanceHistoryEntry>) -> ImportanceFactorResult {
        guard !history.isEmpty else { return ImportanceFactorResult(raw: 0) }
        var largest = 0
        for term in text.keyTerms {
            largest = max(largest, history.reduce(0) { $0 + ($1.termCounts[term] ?? 0) })
        }
        guard largest > 2 else { return ImportanceFactorResult(raw: 0) }
        return ImportanceFactorResult(
            hundredths: 10 * largest,
            reasons: ["Key terms appear frequently in history (max: \(largest) times)"]
        )
    }
}
