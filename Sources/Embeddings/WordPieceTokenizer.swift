import Foundation

/// The BERT uncased tokenizer: basic tokenization (clean, split CJK ideographs, strip accents,
/// lowercase, split on whitespace and punctuation), then greedy longest-match-first WordPiece.
///
/// It gives the same ids as Hugging Face's `BertNormalizer` + `BertPreTokenizer` + `WordPiece`
/// with the all-MiniLM-L6-v2 settings, including their treatment of the special tokens:
/// `[CLS]`, `[SEP]`, `[PAD]`, `[UNK]` and `[MASK]` written literally in the text (case-sensitive)
/// become those tokens.
package struct WordPieceTokenizer: Sendable {
    /// Words longer than this many Unicode scalars become a single `[UNK]`.
    static let maximumWordLength = 100

    /// Vocabulary entries as their UTF-8 bytes. Not `String` keys: `String` equality is canonical
    /// equivalence, which would match the decomposed Hangul jamo the tokenizer produces against
    /// precomposed syllables in the vocabulary, where the reference does not.
    private let vocabulary: [[UInt8]: Int32]
    private let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
    let classifierID: Int32
    let separatorID: Int32
    let unknownID: Int32
    /// The number of entries in the vocabulary file.
    package let vocabularySize: Int

    /// Loads a BERT `vocab.txt`: one token per line, the line number (from 0) is its id.
    package init(vocabularyPath: String) throws {
        guard let data = FileManager.default.contents(atPath: vocabularyPath) else {
            throw EmbeddingError.modelMissing("the tokenizer vocabulary (vocab.txt) cannot be read", path: vocabularyPath)
        }
        try self.init(vocabularyFile: Array(data), path: vocabularyPath)
    }

    init(vocabularyFile bytes: [UInt8], path: String) throws {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var vocabulary: [[UInt8]: Int32] = [:]
        vocabulary.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            var token = Array(line)
            // Like the reference, ignore trailing whitespace (a CRLF file's "\r" among it).
            while let last = token.last, last == 0x0D || last == 0x20 || last == 0x09 { token.removeLast() }
            vocabulary[token] = Int32(index)
        }
        func id(_ token: String) -> Int32? { vocabulary[Array(token.utf8)] }
        guard let classifier = id("[CLS]"), let separator = id("[SEP]"), let unknown = id("[UNK]") else {
            throw EmbeddingError.modelCorrupt(
                "the tokenizer vocabulary lacks [CLS], [SEP] or [UNK]", path: path, detail: "\(lines.count) lines")
        }
        self.vocabulary = vocabulary
        self.classifierID = classifier
        self.separatorID = separator
        self.unknownID = unknown
        self.vocabularySize = lines.count
        self.specialTokens = ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"].compactMap { token in
            id(token).map { (Array(token.unicodeScalars), $0) }
        }
    }

    /// BERT uncased: [CLS] ids [SEP], truncated to maxLength tokens in all (256 default).
    package func encode(_ text: String, maxLength: Int = 256) -> [Int32] {
        let budget = max(maxLength, 2) - 2
        var ids: [Int32] = [classifierID]
        ids.reserveCapacity(min(budget, text.utf8.count) + 2)
        var pieces = PieceSink(budget: budget)
        let scalars = Array(text.unicodeScalars)
        var segmentStart = 0
        var index = 0
        while index < scalars.count, !pieces.isFull {
            if scalars[index] == "[", let special = specialToken(in: scalars, at: index) {
                appendWords(of: scalars[segmentStart..<index], to: &pieces)
                pieces.append(special.id)
                index += special.length
                segmentStart = index
            } else {
                index += 1
            }
        }
        if !pieces.isFull { appendWords(of: scalars[segmentStart..<scalars.count], to: &pieces) }
        ids.append(contentsOf: pieces.ids)
        ids.append(separatorID)
        return ids
    }

    private func specialToken(in scalars: [Unicode.Scalar], at index: Int) -> (id: Int32, length: Int)? {
        for special in specialTokens where index + special.scalars.count <= scalars.count {
            if scalars[index..<(index + special.scalars.count)].elementsEqual(special.scalars) {
                return (special.id, special.scalars.count)
            }
        }
        return nil
    }

    /// Normalizes a stretch of raw text word by word and appends the word pieces, stopping once
    /// the budget is full (long texts cost only what fits). Cutting the raw text at whitespace
    /// before normalizing is exact: whitespace has combining class 0 and never composes.
    private func appendWords(of raw: ArraySlice<Unicode.Scalar>, to pieces: inout PieceSink) {
        var chunk: [Unicode.Scalar] = []
        for scalar in raw {
            if pieces.isFull { return }
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                if !chunk.isEmpty { appendNormalized(chunk, to: &pieces); chunk.removeAll(keepingCapacity: true) }
            } else {
                chunk.append(scalar)
            }
        }
        if !chunk.isEmpty, !pieces.isFull { appendNormalized(chunk, to: &pieces) }
    }

    /// One whitespace-free stretch of cleaned text: space out CJK ideographs, strip accents
    /// (NFD, drop nonspacing marks), lowercase, then split on punctuation and WordPiece each word.
    private func appendNormalized(_ chunk: [Unicode.Scalar], to pieces: inout PieceSink) {
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(chunk.count)
        if chunk.allSatisfy(\.isASCII) {
            for scalar in chunk {
                let value = scalar.value
                normalized.append((0x41...0x5A).contains(value) ? Unicode.Scalar(value + 0x20)! : scalar)
            }
        } else {
            var spaced = String.UnicodeScalarView()
            for scalar in chunk {
                if Self.isCJKIdeograph(scalar) {
                    spaced.append(" ")
                    spaced.append(scalar)
                    spaced.append(" ")
                } else {
                    spaced.append(scalar)
                }
            }
            let decomposed = String(spaced).decomposedStringWithCanonicalMapping
            for scalar in decomposed.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
                if scalar.properties.changesWhenLowercased {
                    normalized.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                } else {
                    normalized.append(scalar)
                }
            }
        }
        var wordStart = 0
        for (index, scalar) in normalized.enumerated() {
            if pieces.isFull { return }
            if Self.isWhitespace(scalar) || Self.isPunctuation(scalar) {
                if wordStart < index { appendWordPieces(normalized[wordStart..<index], to: &pieces) }
                if !Self.isWhitespace(scalar) { appendWordPieces(normalized[index...index], to: &pieces) }
                wordStart = index + 1
            }
        }
        if wordStart < normalized.count { appendWordPieces(normalized[wordStart...], to: &pieces) }
    }

    /// Greedy longest-match-first WordPiece; a word with an unmatchable stretch is one `[UNK]`.
    private func appendWordPieces(_ word: ArraySlice<Unicode.Scalar>, to pieces: inout PieceSink) {
        guard word.count <= Self.maximumWordLength else {
            pieces.append(unknownID)
            return
        }
        var found: [Int32] = []
        var start = word.startIndex
        var key: [UInt8] = []
        while start < word.endIndex {
            var end = word.endIndex
            var match: Int32?
            while end > start {
                key.removeAll(keepingCapacity: true)
                if start > word.startIndex { key.append(contentsOf: [0x23, 0x23]) }  // "##"
                for scalar in word[start..<end] { key.append(contentsOf: UTF8.encode(scalar)!) }
                if let id = vocabulary[key] {
                    match = id
                    break
                }
                end -= 1
            }
            guard let match else {
                pieces.append(unknownID)
                return
            }
            found.append(match)
            start = end
        }
        for id in found { pieces.append(id) }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value)
        {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT treats as words of their own (not Hangul or kana).
    static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}

/// Collects word-piece ids up to a budget.
private struct PieceSink {
    let budget: Int
    var ids: [Int32] = []
    var isFull: Bool { ids.count >= budget }

    init(budget: Int) { self.budget = budget }

    mutating func append(_ id: Int32) {
        if ids.count < budget { ids.append(id) }
    }
}
