/// The text as the fact extractor reads it: Unicode scalars, word and punctuation tokens with
/// their scalar offsets, and sentences. Built in one pass.
///
/// A sentence ends at a run of `.`, `!` or `?` (with any closing quotes or brackets after it)
/// followed by white space or the end of the text, which is how KnowledgeHub splits statements
/// (`[.!?]+\s+`), and also at every line break, which is where KnowledgeHub's `$` was meant to
/// end a fact. A dot inside `2.5` or `db.example.com` ends nothing.
struct FactText {
    struct Token {
        var start: Int
        var end: Int
        /// The word lower-cased (`’` read as `'`), or the punctuation scalar.
        var text: String
        var isWord: Bool
        /// Index into `sentences`.
        var sentence: Int
    }

    struct Sentence {
        /// From the first token's start to the last token's end: no surrounding white space and
        /// no closing punctuation.
        var range: Range<Int>
        /// The closing `.!?` run and closers, empty when a line break or the text's end closed it.
        var closing: Range<Int>
        /// Indices into `tokens`.
        var tokens: Range<Int>
        var isQuestion: Bool
    }

    let scalars: [Unicode.Scalar]
    let tokens: [Token]
    let sentences: [Sentence]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        (tokens, sentences) = Self.scan(scalars)
    }

    func string(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }

    /// The tokens inside `range` (scalar offsets) of sentence `sentence`, found by binary search.
    func tokenIndices(of range: Range<Int>, inSentence sentence: Int) -> Range<Int> {
        let all = sentences[sentence].tokens
        let lower = firstToken(in: all) { $0.start >= range.lowerBound }
        let upper = firstToken(in: lower..<all.upperBound) { $0.end > range.upperBound }
        return lower..<upper
    }

    /// The first index of `indices` whose token satisfies `predicate`, which must be false then
    /// true along the tokens; `indices.upperBound` when none does.
    private func firstToken(in indices: Range<Int>, where predicate: (Token) -> Bool) -> Int {
        var (low, high) = (indices.lowerBound, indices.upperBound)
        while low < high {
            let middle = (low + high) / 2
            if predicate(tokens[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    // MARK: Scanning

    static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        if FoldedText.isLetterOrDigit(scalar) { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    private static func isApostrophe(_ scalar: Unicode.Scalar) -> Bool { scalar == "'" || scalar == "\u{2019}" }
    private static func isSentenceEnd(_ scalar: Unicode.Scalar) -> Bool { scalar == "." || scalar == "!" || scalar == "?" }
    private static func isCloser(_ scalar: Unicode.Scalar) -> Bool {
        "\"')]}\u{201D}\u{2019}".unicodeScalars.contains(scalar)
    }

    private static func scan(_ scalars: [Unicode.Scalar]) -> ([Token], [Sentence]) {
        var tokens: [Token] = []
        var sentences: [Sentence] = []
        var firstToken = 0
        let count = scalars.count

        func closeSentence(closing: Range<Int>) {
            guard tokens.count > firstToken else { return }
            let id = sentences.count
            for index in firstToken..<tokens.count { tokens[index].sentence = id }
            let isQuestion = scalars[closing].contains("?")
            sentences.append(
                Sentence(
                    range: tokens[firstToken].start..<tokens[tokens.count - 1].end, closing: closing,
                    tokens: firstToken..<tokens.count, isQuestion: isQuestion))
            firstToken = tokens.count
        }

        var index = 0
        while index < count {
            let scalar = scalars[index]
            if isLineBreak(scalar) {
                closeSentence(closing: index..<index)
                index += 1
            } else if scalar.properties.isWhitespace {
                index += 1
            } else if isSentenceEnd(scalar) {
                var runEnd = index
                while runEnd < count, isSentenceEnd(scalars[runEnd]) { runEnd += 1 }
                var closersEnd = runEnd
                while closersEnd < count, isCloser(scalars[closersEnd]) { closersEnd += 1 }
                if closersEnd == count || scalars[closersEnd].properties.isWhitespace {
                    closeSentence(closing: index..<closersEnd)
                    index = closersEnd
                } else {
                    for position in index..<runEnd {
                        tokens.append(Token(start: position, end: position + 1, text: String(scalars[position]), isWord: false, sentence: -1))
                    }
                    index = runEnd
                }
            } else if isWordScalar(scalar) {
                var end = index + 1
                var word = String.UnicodeScalarView([scalar])
                while end < count {
                    let next = scalars[end]
                    if isWordScalar(next) {
                        word.append(next)
                        end += 1
                    } else if isApostrophe(next), end + 1 < count, scalars[end + 1].properties.isAlphabetic,
                        scalars[end - 1].properties.isAlphabetic
                    {
                        word.append("'")
                        end += 1
                    } else {
                        break
                    }
                }
                tokens.append(Token(start: index, end: end, text: String(word).lowercased(), isWord: true, sentence: -1))
                index = end
            } else {
                tokens.append(Token(start: index, end: index + 1, text: String(scalar), isWord: false, sentence: -1))
                index += 1
            }
        }
        closeSentence(closing: count..<count)
        return (tokens, sentences)
    }
}
