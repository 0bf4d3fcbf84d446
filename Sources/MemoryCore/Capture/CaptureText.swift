/// A turn's text as the pipeline cuts it: Unicode scalars (offsets are scalar indexes), units of
/// code blocks and sentences.
struct CaptureText {
    let scalars: [Unicode.Scalar]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    func string(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }

    struct Unit {
        enum Kind {
            /// A fenced block: its language word and its body (between the fence lines).
            case code(language: String, body: Range<Int>)
            case sentence
        }

        var kind: Kind
        var range: Range<Int>
    }

    /// The lines of `range` (without their line breaks).
    func lines(in range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        for index in range where scalars[index] == "\n" {
            if index > start { result.append(start..<index) }
            start = index + 1
        }
        if start < range.upperBound { result.append(start..<range.upperBound) }
        return result
    }

    /// Fenced code blocks (``` to ```), and the sentences (or, with `paragraphs`, the paragraphs)
    /// and list items of everything else.
    func units(paragraphs: Bool = false) -> [Unit] {
        var units: [Unit] = []
        let all = lines(in: 0..<scalars.count)
        var index = 0
        var prose: [Range<Int>] = []
        func flushProse() {
            units += paragraphs ? self.paragraphs(of: prose) : sentences(of: prose)
            prose.removeAll()
        }
        while index < all.count {
            let line = all[index]
            let text = string(line).trimmedWhitespace
            if text.hasPrefix("```") {
                flushProse()
                let language = String(text.dropFirst(3).prefix { !$0.isWhitespace }).lowercased()
                var end = index + 1
                while end < all.count, !string(all[end]).trimmedWhitespace.hasPrefix("```") { end += 1 }
                let bodyStart = index + 1 < all.count ? all[index + 1].lowerBound : line.upperBound
                let bodyEnd = end < all.count ? all[end].lowerBound : scalars.count
                let blockEnd = end < all.count ? all[end].upperBound : scalars.count
                units.append(Unit(kind: .code(language: language, body: bodyStart..<max(bodyStart, bodyEnd)), range: line.lowerBound..<blockEnd))
                index = end + 1
                continue
            }
            prose.append(line)
            index += 1
        }
        flushProse()
        return units
    }

    /// Runs of non-blank lines; list items are their own units.
    func paragraphs(of lines: [Range<Int>]) -> [Unit] {
        var units: [Unit] = []
        var start: Int?
        var end = 0
        for line in lines {
            let text = string(line).trimmedWhitespace
            if text.isEmpty || Self.isListOrTableRow(text) {
                if let open = start { units.append(Unit(kind: .sentence, range: open..<end)) }
                start = nil
                if !text.isEmpty { units.append(Unit(kind: .sentence, range: line)) }
                continue
            }
            if start == nil { start = line.lowerBound }
            end = line.upperBound
        }
        if let open = start { units.append(Unit(kind: .sentence, range: open..<end)) }
        return units
    }

    /// `- item`, `* item`, `1. item`, `| cell |`.
    static func isListOrTableRow(_ line: String) -> Bool {
        line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("|") || line.hasPrefix("+ ")
            || (line.first?.isNumber == true && line.drop(while: \.isNumber).hasPrefix(". "))
    }

    /// The last character of each sentence of `text` (`.`, `!`, `?` or another for the last).
    static func sentenceEnds(_ text: String) -> [Character] {
        var ends: [Character] = []
        var previous: Character?
        for character in text {
            if let mark = previous, ".!?".contains(mark), character == " " || character == "\n" { ends.append(mark) }
            previous = character
        }
        if let last = text.last { ends.append(last) }
        return ends
    }

    /// Each prose line is split at sentence ends (`.`, `!`, `?` followed by a space); list items,
    /// headings and table rows are their own units.
    func sentences(of lines: [Range<Int>]) -> [Unit] {
        var units: [Unit] = []
        for line in lines {
            var start = line.lowerBound
            while start < line.upperBound, scalars[start] == " " || scalars[start] == "\t" { start += 1 }
            var index = start
            while index < line.upperBound {
                let scalar = scalars[index]
                if scalar == "." || scalar == "!" || scalar == "?", index + 1 < line.upperBound, scalars[index + 1] == " " {
                    // Not after a one-letter abbreviation or a number ("e.g. ", "v1. ").
                    let previous = index > start ? scalars[index - 1] : " "
                    let beforePrevious = index - 1 > start ? scalars[index - 2] : " "
                    let abbreviation = scalar == "." && previous.properties.isAlphabetic && (beforePrevious == " " || beforePrevious == ".")
                    if !abbreviation {
                        units.append(Unit(kind: .sentence, range: start..<(index + 1)))
                        start = index + 1
                        while start < line.upperBound, scalars[start] == " " { start += 1 }
                        index = start
                        continue
                    }
                }
                index += 1
            }
            if start < line.upperBound { units.append(Unit(kind: .sentence, range: start..<line.upperBound)) }
        }
        return units
    }

    /// Lower-case words of letters and digits; apostrophes are dropped ("let's" → "lets").
    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if character == "'" || character == "’" {
                continue
            } else if !current.isEmpty {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func contains(_ words: [String], _ phrase: [String]) -> Bool {
        guard !phrase.isEmpty, phrase.count <= words.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
            if Array(words[start..<(start + phrase.count)]) == phrase { return true }
        }
        return false
    }

    static func starts(_ words: [String], with phrase: [String]) -> Bool {
        phrase.count <= words.count && Array(words.prefix(phrase.count)) == phrase
    }

    /// An environment variable (`ALL_CAPS_NAME`), host:port, a path or a `key=value`: a statement
    /// of configuration.
    static func hasConfigurationToken(_ text: String) -> Bool {
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\n" }) {
            let word = token.trimmingPunctuation
            if word.count >= 4, word.contains("_"), word.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) { return true }
            if word.contains("/") || word.contains("=") { return true }
            if let colon = word.lastIndex(of: ":"), word[word.index(after: colon)...].allSatisfy(\.isNumber), colon != word.startIndex,
                word.index(after: colon) != word.endIndex
            {
                return true
            }
        }
        return false
    }

    /// Whether the only technical detail of redacted `text` was a secret ("here's the test key:
    /// [REDACTED:stripe_key]"): nothing worth keeping is left.
    static func containsOnlySecretDetail(_ text: String) -> Bool {
        var rest = text
        for kind in SecretKind.allCases { rest = rest.replacing(kind.replacement, with: "") }
        guard rest.utf8.count < text.utf8.count else { return false }
        return !hasConfigurationToken(rest) && !hasTechnicalToken(rest)
    }

    /// A code span, a path, host:port, a number, a version, a file name, an identifier with `_`
    /// or an ALL_CAPS name: what makes a sentence about this project rather than small talk.
    static func hasTechnicalToken(_ text: String) -> Bool {
        if text.contains("`") { return true }
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" || $0 == ")" || $0 == "," }) {
            let word = token.trimmingPunctuation
            guard word.count >= 2 else { continue }
            if word.contains(where: \.isNumber) { return true }
            if word.contains("/") || word.contains("_") || word.contains("::") { return true }
            if word.contains("."), word.first?.isLetter == true, word.last?.isLetter == true { return true }
            if word.count >= 3, word.allSatisfy({ $0.isUppercase || $0 == "_" }), word.contains(where: \.isLetter) { return true }
            if word.contains("-"), word.first?.isLetter == true, word.contains(where: \.isUppercase) == false, word.split(separator: "-").count >= 2,
                word.count >= 6
            {
                return true
            }
        }
        return false
    }
}

extension Substring {
    /// Without the sentence punctuation and quotes at either end.
    fileprivate var trimmingPunctuation: Substring {
        let punctuation: Set<Character> = [".", ";", ":", "!", "?", "\"", "'"]
        var result = self
        while let first = result.first, punctuation.contains(first) { result = result.dropFirst() }
        while let last = result.last, punctuation.contains(last) { result = result.dropLast() }
        return result
    }
}
