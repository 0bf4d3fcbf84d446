/// Scalar-level scans shared by ``TextChunker`` and ``TextChunker/analyze(_:)``. All are one pass.
enum ChunkScan {
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20: true
        case 0..<0x80: false
        default: scalar.properties.isWhitespace
        }
    }

    /// Letters, digits, marks and `_`: what Python's `\w` matches.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x30 && value <= 0x39) || (value | 0x20 >= 0x61 && value | 0x20 <= 0x7A) || value == 0x5F
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    static func endsSentence(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "." || scalar == "!" || scalar == "?"
    }

    static func string(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range]))
    }

    /// Lines as an editor shows them: none for empty text, and a final line feed ends the last line
    /// rather than starting another.
    static func lineCount(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        var count = 0
        for index in range where scalars[index] == "\n" { count += 1 }
        return scalars[range.upperBound - 1] == "\n" ? count : count + 1
    }

    /// Words (runs of non-whitespace, as Python's `split()`), their mean length, and words per
    /// sentence, a sentence ending at a `.!?` run followed by whitespace or the end. Zeros without words.
    static func readability(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> (words: Int, wordsPerSentence: Double, averageWordLength: Double) {
        var words = 0
        var wordScalars = 0
        var sentences = 0
        var textSinceSentenceEnd = false
        var inWord = false
        for index in range {
            let scalar = scalars[index]
            if isWhitespace(scalar) {
                if inWord, endsSentence(scalars[index - 1]), textSinceSentenceEnd {
                    sentences += 1
                    textSinceSentenceEnd = false
                }
                inWord = false
            } else {
                if !inWord { words += 1 }
                inWord = true
                wordScalars += 1
                textSinceSentenceEnd = true
            }
        }
        if textSinceSentenceEnd { sentences += 1 }
        guard words > 0 else { return (0, 0, 0) }
        return (words, Double(words) / Double(sentences), Double(wordScalars) / Double(words))
    }

    /// Inline code spans in `range`, fenced blocks left out: on one line, a backtick, at least one
    /// other scalar, the next backtick (KnowledgeHub's `` `[^`]+` ``, kept to a line). The contents'
    /// ranges, in order.
    static func inlineCodeSpans(_ scalars: [Unicode.Scalar], in range: Range<Int>, skipping fences: [Range<Int>]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var open: Int?
        var fence = 0
        var index = range.lowerBound
        while index < range.upperBound {
            while fence < fences.count, fences[fence].upperBound <= index { fence += 1 }
            if fence < fences.count, fences[fence].lowerBound <= index {
                index = fences[fence].upperBound
                open = nil
                continue
            }
            let scalar = scalars[index]
            if scalar == "\n" {
                open = nil
            } else if scalar == "`" {
                if let start = open, index > start + 1 {
                    spans.append(start + 1..<index)
                    open = nil
                } else {
                    open = index
                }
            }
            index += 1
        }
        return spans
    }

    /// Rule 5's question: a line opening with a question word (whole word, any case) whose visible
    /// text ends with `?`.
    static func hasQuestionLine(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Bool {
        var lineStart = range.lowerBound
        while lineStart < range.upperBound {
            var lineEnd = lineStart
            while lineEnd < range.upperBound, scalars[lineEnd] != "\n" { lineEnd += 1 }
            var first = lineStart
            while first < lineEnd, isWhitespace(scalars[first]) { first += 1 }
            var last = lineEnd
            while last > first, isWhitespace(scalars[last - 1]) { last -= 1 }
            if last > first, scalars[last - 1] == "?" {
                var wordEnd = first
                while wordEnd < lineEnd, isWordCharacter(scalars[wordEnd]) { wordEnd += 1 }
                let word = first..<wordEnd
                if ChunkRules.questionWords.contains(where: { ChunkWords.equals(scalars, word, $0, ignoringCase: true) }) { return true }
            }
            lineStart = lineEnd + 1
        }
        return false
    }
}

/// The words of a stretch of text, for the word-list rules: runs of word characters (an apostrophe
/// between two of them joins, so `let's` is one word), each knowing whether only whitespace
/// separates it from the previous word (phrases need that) and whether it opens a sentence.
struct ChunkWords {
    struct Word {
        var range: Range<Int>
        /// Only whitespace (at least one scalar) lies between the previous word and this one.
        var followsWhitespace: Bool
        /// First in the text, or first after a line feed or a `.!?` run and whitespace.
        var opensSentence: Bool
    }

    let scalars: [Unicode.Scalar]
    let range: Range<Int>
    private(set) var words: [Word] = []

    init(scalars: [Unicode.Scalar], range: Range<Int>) {
        self.scalars = scalars
        self.range = range
        var index = range.lowerBound
        var cleanGap = false
        var opening = true
        while index < range.upperBound {
            let scalar = scalars[index]
            if ChunkScan.isWordCharacter(scalar) {
                let start = index
                index += 1
                while index < range.upperBound {
                    if ChunkScan.isWordCharacter(scalars[index]) {
                        index += 1
                    } else if Self.isApostrophe(scalars[index]), index + 1 < range.upperBound, ChunkScan.isWordCharacter(scalars[index + 1]) {
                        index += 2
                    } else {
                        break
                    }
                }
                words.append(Word(range: start..<index, followsWhitespace: cleanGap && start > (words.last?.range.upperBound ?? start), opensSentence: opening))
                cleanGap = true
                opening = false
                continue
            }
            if ChunkScan.isWhitespace(scalar) {
                if scalar == "\n" || (index > range.lowerBound && ChunkScan.endsSentence(scalars[index - 1])) { opening = true }
            } else {
                cleanGap = false
                opening = false
            }
            index += 1
        }
    }

    static func isApostrophe(_ scalar: Unicode.Scalar) -> Bool { scalar == "'" || scalar == "\u{2019}" }

    /// Whether `range` of `scalars` spells `word` (ASCII bytes, lower case when `ignoringCase`);
    /// a typographic apostrophe counts as `'`.
    static func equals(_ scalars: [Unicode.Scalar], _ range: Range<Int>, _ word: [UInt8], ignoringCase: Bool) -> Bool {
        guard range.count == word.count else { return false }
        var offset = 0
        for index in range {
            var value = scalars[index].value
            if value == 0x2019 { value = 0x27 }
            if ignoringCase, value >= 0x41, value <= 0x5A { value += 0x20 }
            if value != UInt32(word[offset]) { return false }
            offset += 1
        }
        return true
    }

    func word(_ index: Int, is word: [UInt8], ignoringCase: Bool = true) -> Bool {
        Self.equals(scalars, words[index].range, word, ignoringCase: ignoringCase)
    }

    /// Word `index` is followed, across whitespace only, by a word spelled `next`.
    func word(_ index: Int, isFollowedBy next: [UInt8], ignoringCase: Bool = true) -> Bool {
        index + 1 < words.count && words[index + 1].followsWhitespace && word(index + 1, is: next, ignoringCase: ignoringCase)
    }

    /// Whether one of `phrases` (each a list of words) occurs, its words separated by whitespace only.
    func containsPhrase(_ phrases: [[[UInt8]]]) -> Bool {
        for index in words.indices {
            for phrase in phrases where index + phrase.count <= words.count {
                var matched = true
                for (offset, part) in phrase.enumerated() {
                    if !word(index + offset, is: part) || (offset > 0 && !words[index + offset].followsWhitespace) {
                        matched = false
                        break
                    }
                }
                if matched { return true }
            }
        }
        return false
    }

    /// Rule 2's transition cues, or step/phase/part followed by a number.
    var hasTransitionCue: Bool {
        if containsPhrase(ChunkRules.transitionWords) { return true }
        for index in words.indices where ChunkRules.numberedSteps.contains(where: { word(index, is: $0) }) {
            if index + 1 < words.count, words[index + 1].followsWhitespace,
                scalars[words[index + 1].range].allSatisfy({ $0.value >= 0x30 && $0.value <= 0x39 })
            {
                return true
            }
        }
        return false
    }

    /// Rule 5's error: error, exception, failed, traceback or warning (any case), or a CamelCase name
    /// ending in `Error` or `Exception` (`TypeError`), followed by `:` or whitespace.
    var hasErrorCue: Bool {
        for (index, word) in words.enumerated() {
            let end = word.range.upperBound
            guard end < range.upperBound else { continue }
            let next = scalars[end]
            guard next == ":" || next == "\u{FF1A}" || ChunkScan.isWhitespace(next) else { continue }
            if ChunkRules.errorWords.contains(where: { self.word(index, is: $0) }) { return true }
            for suffix in ChunkRules.errorNameSuffixes where word.range.count > suffix.count {
                let tail = word.range.upperBound - suffix.count..<word.range.upperBound
                if Self.equals(scalars, tail, suffix, ignoringCase: false) { return true }
            }
        }
        return false
    }

    /// Rule 5's fact: "the X is/are/was/were/has/have/contains/includes" anywhere, a sentence
    /// opening "X is/are/was/were", or "contains/includes/has/have <word>" anywhere.
    var hasFactPattern: Bool {
        for index in words.indices {
            if word(index, is: ChunkRules.the), index + 2 < words.count, words[index + 1].followsWhitespace,
                words[index + 2].followsWhitespace, ChunkRules.theFactVerbs.contains(where: { word(index + 2, is: $0) })
            {
                return true
            }
            if words[index].opensSentence, ChunkRules.openingFactVerbs.contains(where: { word(index, isFollowedBy: $0) }) {
                return true
            }
            if ChunkRules.possessionVerbs.contains(where: { word(index, is: $0) }), index + 1 < words.count,
                words[index + 1].followsWhitespace
            {
                return true
            }
        }
        return false
    }
}

/// The word lists and small rules of ``TextChunker`` (KnowledgeHub's patterns, as API-more.md words
/// them), spelled in lower-case ASCII bytes for ``ChunkWords``.
enum ChunkRules {
    static func phrases(_ phrases: [String]) -> [[[UInt8]]] {
        phrases.map { $0.split(separator: " ").map { Array($0.utf8) } }
    }

    static func words(_ words: [String]) -> [[UInt8]] { words.map { Array($0.utf8) } }

    static let transitionWords = phrases([
        "now", "next", "then", "however", "meanwhile", "in contrast", "on the other hand", "first", "second",
        "third", "finally", "lastly", "let's", "moving on",
    ])
    static let numberedSteps = words(["step", "phase", "part"])
    static let errorWords = words(["error", "exception", "failed", "traceback", "warning"])
    static let errorNameSuffixes = words(["Error", "Exception"])
    static let questionWords = words([
        "what", "how", "why", "when", "where", "who", "can", "should", "would", "could", "is", "are", "do", "does", "did",
    ])
    /// The decision words with their plain inflections ("we decided", "chosen"): whole-word matching
    /// would otherwise miss the commonest way of recording a decision.
    static let decisionWords = phrases([
        "decide", "decided", "decides", "chose", "chosen", "selected", "will use", "going with", "prefer", "prefers",
        "preferred",
    ])
    /// Rule 7 scores every decision word but prefer.
    static let weightedDecisionWords = phrases(["decide", "decided", "decides", "chose", "chosen", "selected", "will use", "going with"])
    static let instructionWords = phrases(["should", "must", "need to", "please", "make sure", "remember"])
    static let the = Array("the".utf8)
    static let theFactVerbs = words(["is", "are", "was", "were", "has", "have", "contains", "includes"])
    static let openingFactVerbs = words(["is", "are", "was", "were"])
    static let possessionVerbs = words(["contains", "includes", "has", "have"])


    /// Rule 6's guess from code text only: java (`public class`, `import java`; before python, whose
    /// `import` + `class` Java code also has), python (`import` with `def` or `class`), javascript
    /// (`function`, `const`, `let`), c (`#include`, `int main`), php (`<?php`), sql (SELECT or INSERT,
    /// any case), bash (`curl`, `wget`). Keywords are whole words, case-sensitive but for SQL.
    static func guessLanguage(_ scalars: [Unicode.Scalar], in regions: [Range<Int>]) -> String? {
        var imports = false, definesOrClasses = false, java = false, javascript = false, c = false
        var php = false, sql = false, bash = false
        for region in regions {
            let text = ChunkWords(scalars: scalars, range: region)
            for index in text.words.indices {
                let start = text.words[index].range.lowerBound
                func isWord(_ word: [UInt8]) -> Bool { text.word(index, is: word, ignoringCase: false) }
                func isFollowed(by word: [UInt8]) -> Bool { text.word(index, isFollowedBy: word, ignoringCase: false) }
                if isWord(Code.import) {
                    imports = true
                    if isFollowed(by: Code.java) { java = true }
                } else if isWord(Code.public) {
                    if isFollowed(by: Code.class) { java = true }
                } else if isWord(Code.def) || isWord(Code.class) {
                    definesOrClasses = true
                } else if isWord(Code.function) || isWord(Code.const) || isWord(Code.let) {
                    javascript = true
                } else if isWord(Code.int) {
                    if isFollowed(by: Code.main) { c = true }
                } else if isWord(Code.include) {
                    if start > region.lowerBound, scalars[start - 1] == "#" { c = true }
                } else if isWord(Code.php) {
                    if start >= region.lowerBound + 2, scalars[start - 2] == "<", scalars[start - 1] == "?" { php = true }
                } else if isWord(Code.curl) || isWord(Code.wget) {
                    bash = true
                } else if text.word(index, is: Code.select) || text.word(index, is: Code.insert) {
                    sql = true
                }
            }
        }
        if java { return "java" }
        if imports && definesOrClasses { return "python" }
        if javascript { return "javascript" }
        if c { return "c" }
        if php { return "php" }
        if sql { return "sql" }
        if bash { return "bash" }
        return nil
    }

    /// The keywords ``guessLanguage(_:in:)`` looks for.
    private enum Code {
        static let `import` = Array("import".utf8), java = Array("java".utf8), `public` = Array("public".utf8)
        static let `class` = Array("class".utf8), def = Array("def".utf8), function = Array("function".utf8)
        static let const = Array("const".utf8), `let` = Array("let".utf8), int = Array("int".utf8)
        static let main = Array("main".utf8), include = Array("include".utf8), php = Array("php".utf8)
        static let curl = Array("curl".utf8), wget = Array("wget".utf8), select = Array("select".utf8)
        static let insert = Array("insert".utf8)
    }

    /// Up to 10 key phrases, first seen first: double-quoted strings, then CamelCase words (an
    /// upper-case first letter, another upper-case letter and a lower-case one, letters only), then
    /// `name()` calls.
    static func keyPhrases(_ text: ChunkWords) -> [String] {
        let scalars = text.scalars
        var phrases: [String] = []
        var seen = Set<String>()
        func add(_ range: Range<Int>) -> Bool {
            let phrase = ChunkScan.string(scalars, range)
            if seen.insert(phrase).inserted { phrases.append(phrase) }
            return phrases.count == 10
        }

        var openQuote: Int?
        for index in text.range where scalars[index] == "\"" {
            if let start = openQuote, index > start + 1 {
                if add(start + 1..<index) { return phrases }
                openQuote = nil
            } else {
                openQuote = index
            }
        }
        for word in text.words {
            var end = word.range.lowerBound
            while end < word.range.upperBound, !ChunkWords.isApostrophe(scalars[end]) { end += 1 }
            let letters = scalars[word.range.lowerBound..<end]
            guard letters.count >= 2, letters.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }),
                letters.first!.properties.isUppercase, letters.dropFirst().contains(where: { $0.properties.isUppercase }),
                letters.contains(where: { $0.properties.isLowercase })
            else { continue }
            if add(word.range.lowerBound..<end) { return phrases }
        }
        for word in text.words {
            let end = word.range.upperBound
            if end + 1 < text.range.upperBound, scalars[end] == "(", scalars[end + 1] == ")" {
                if add(word.range.lowerBound..<end + 2) { return phrases }
            }
        }
        return phrases
    }
}
