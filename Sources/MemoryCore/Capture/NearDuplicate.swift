/// Whether a new memory says again what an existing one says (token similarity: the Jaccard
/// index of the two texts' word sets, stop words left out, after ``SearchText/terms(_:limit:)``).
///
/// - **same**: the new text adds no word the existing one lacks, holds the same numbers in the
///   same order (numbers identify: "memory 1" is not a restatement of "memory 11"), and the two
///   overlap at least ``Thresholds/same`` (default 0.6): "We deploy with make run!" again, or a
///   shorter restatement. The write returns the existing memory, as an exact duplicate does.
/// - **related**: they overlap at least ``Thresholds/related`` (default 0.5) but the new one adds
///   something: it is stored, linked to the existing one in `related_memories`.
/// - otherwise unrelated.
///
/// Texts of fewer than three such words are never near-duplicates (too little to compare).
package enum NearDuplicate {
    package struct Thresholds: Sendable, Equatable {
        /// Least similarity for a text that adds nothing to count as the same memory.
        package var same = 0.6
        /// Least similarity for two memories to be linked as related.
        package var related = 0.5

        package init(same: Double = 0.6, related: Double = 0.5) {
            self.same = same
            self.related = related
        }
    }

    package enum Verdict: Sendable, Equatable {
        case same
        case related(similarity: Double)
        case unrelated
    }

    /// What a comparison reads of a text: its words (stop words left out) and its numbers in order.
    package struct Text: Sendable, Equatable {
        package var words: Set<String>
        package var numbers: [String]

        package init(_ text: String) {
            // One pass over the text: the first 256 distinct non-stop words, and every number.
            let all = SearchText.words(text)
            var words = Set<String>()
            for word in all where words.count < 256 && !SearchText.stopWords.contains(word) { words.insert(word) }
            self.words = words
            numbers = all.filter { word in
                word.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
                    || (!word.utf8.allSatisfy { $0 < 0x80 } && word.unicodeScalars.allSatisfy { $0.properties.numericType != nil })
            }
        }
    }

    /// Jaccard index of two word sets: |A ∩ B| / |A ∪ B|, 0 when both are empty. Counts the
    /// intersection by looking the smaller set's words up in the larger (no set is built).
    package static func similarity(_ a: Set<String>, _ b: Set<String>) -> Double {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        var shared = 0
        for word in small where large.contains(word) { shared += 1 }
        let union = a.count + b.count - shared
        return union == 0 ? 0 : Double(shared) / Double(union)
    }

    /// How `new` relates to `existing`.
    package static func compare(new: Text, existing: Text, thresholds: Thresholds = .init()) -> Verdict {
        guard new.words.count >= 3, existing.words.count >= 3 else { return .unrelated }
        let similarity = similarity(new.words, existing.words)
        if new.words.isSubset(of: existing.words), new.numbers == existing.numbers, similarity >= thresholds.same { return .same }
        if similarity >= thresholds.related { return .related(similarity: similarity) }
        return .unrelated
    }
}
