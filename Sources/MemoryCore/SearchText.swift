/// How query text becomes search terms: lower-cased runs of letters and digits, without common
/// English function words, each once. The stores stem them as they stem the indexed text.
package enum SearchText {
    /// Words too common to say anything about which memory is meant.
    package static let stopWords: Set<String> = [
        "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
        "before", "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done", "for", "from",
        "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into",
        "is", "it", "its", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
        "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some",
        "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those",
        "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which",
        "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
    ]

    /// The distinct search terms of `text`, in order of first appearance, at most `limit`.
    package static func terms(_ text: String, limit: Int = 64) -> [String] {
        var terms: [String] = []
        var seen = Set<String>()
        for word in words(text) where !stopWords.contains(word) && seen.insert(word).inserted {
            terms.append(word)
            if terms.count == limit { break }
        }
        return terms
    }

    /// True for the scripts written without spaces between words (Han, Hiragana, Katakana, Hangul):
    /// each of their characters is indexed as a word of its own, and a query's run of them is
    /// matched as a phrase of its characters, so a word inside an unspaced run is found.
    package static func isUnspacedScript(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF,  // Hiragana, Katakana
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F,  // Han
             0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF:  // Hangul
            true
        default:
            false
        }
    }

    /// `text` with a space on each side of every character of an unspaced script (see
    /// `isUnspacedScript`): what the stores index, and how a query term becomes a phrase.
    package static func spacingUnspacedScripts(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnspacedScript) else { return text }
        var spaced = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnspacedScript(scalar) {
                spaced.append(" ")
                spaced.append(scalar)
                spaced.append(" ")
            } else {
                spaced.append(scalar)
            }
        }
        return String(spaced)
    }

    /// Lower-cased runs of letters and digits.
    package static func words(_ text: String) -> [String] {
        if let words = asciiWords(text) { return words }
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(scalar)
            } else if !current.isEmpty {
                words.append(String(current).lowercased())
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current).lowercased()) }
        return words
    }

    /// ``words(_:)`` for all-ASCII text, byte by byte (the Unicode property lookups cost more
    /// than the rest of a write's capture pass): in ASCII the letters are A–Z and a–z and the
    /// only numeric characters are 0–9, so the result is the same. Nil when `text` is not ASCII.
    private static func asciiWords(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            var words: [String] = []
            var word: [UInt8] = []
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    word.append(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    word.append(byte | 0x20)
                default:
                    if !word.isEmpty {
                        words.append(String(decoding: word, as: UTF8.self))
                        word.removeAll(keepingCapacity: true)
                    }
                }
            }
            if !word.isEmpty { words.append(String(decoding: word, as: UTF8.self)) }
            return words
        }
    }
}

extension String {
    /// The string without leading and trailing white space and line breaks.
    package var trimmedWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
