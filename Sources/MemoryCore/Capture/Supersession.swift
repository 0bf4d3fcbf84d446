#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Whether a new memory updates an older one about the same subject, so the older is marked
/// `superseded_by` the newer (kept, labelled, ranked below it). Deterministic rules, each named in
/// the verdict's reason so `explain` can say why:
///
/// 1. **Value change** (no cue needed): both name the same single-valued attribute with different
///    values. Either a number next to the same word ("8 workers" → "4 workers", "port 8443" →
///    "port 9443"), or the same subject before *is/are/was/were* whose last word is an attribute
///    noun (port, host, url, version, path, database, region, timeout, branch, …) and a different
///    value after it ("the staging DB is db-staging-2" → "… is db-staging-3").
/// 2. **Update with a cue**: the new text says it changes something (*now*, *actually*, *instead*,
///    *switch to*, *moved to*, *no longer*, *from now on*, *rather*, *drop*, *anymore*, …) and
///    shares its topic with the older one: the same verb and preposition ("we deploy with make run"
///    → "we now deploy with the release script"), or two significant words, or, in the same
///    session, one.
/// 3. **Reversal in a conversation**: in the same session, a strong cue (*actually*, *instead*,
///    *switch to*, *rather*, *scratch that*) reverses the most recent memory of a compatible type
///    even when they share no word ("go with zerolog" → "actually, switch to slog").
///
/// Only facts, decisions, preferences and patterns take part; a decision and a preference may
/// supersede each other, other types only their own. At most one older memory is superseded per
/// write: the newest that qualifies.
///
/// The rules read statements: a memory of more than ``maximumStatementWords`` words (a pasted
/// document, a whole chat turn) neither supersedes nor is superseded. Such a text holds many
/// statements, and a cue word or a number somewhere in it says nothing about the whole: on the
/// LongMemEval files, chat turns stored whole marked one turn in six superseded, and the halved
/// scores cost hybrid search 0.18–0.20 of turn recall@10 (BENCHMARKS.md, "Recall").
package enum Supersession {
    /// An older memory that a new one may supersede.
    /// An older memory that a new one may supersede, its text already read by the rules (so a
    /// write path may keep candidates between writes instead of reading their text again).
    package struct Candidate: Sendable {
        package let id: UUID
        package let content: String
        package let memoryType: MemoryType
        package let sessionID: UUID
        let statement: Statement

        /// ``Supersession/mayUpdate(_:)`` of the content.
        package var mayUpdate: Bool { statement.mayUpdate }

        package init(id: UUID, content: String, memoryType: MemoryType, sessionID: UUID) {
            self.id = id
            self.content = content
            self.memoryType = memoryType
            self.sessionID = sessionID
            self.statement = Statement(content)
        }
    }

    /// Which memory is superseded, and the rule that decided it (one sentence).
    package struct Verdict: Sendable, Equatable {
        package var supersededID: UUID
        package var reason: String
    }

    /// The types that take part.
    package static let types: Set<MemoryType> = [.fact, .decision, .preference, .pattern]

    /// The longest text, in words (``Statement/words(_:)``), that the rules read as one statement.
    package static let maximumStatementWords = 60

    /// Whether `content` could supersede anything at all (it has an update cue, a numbered
    /// attribute or an attribute frame): the write path looks for candidates only then.
    package static func mayUpdate(_ content: String) -> Bool {
        Statement(content).mayUpdate
    }

    /// The older memory (of `candidates`, newest first) that `content` supersedes, if any.
    package static func find(
        content: String, memoryType: MemoryType, sessionID: UUID, candidates: [Candidate]
    ) -> Verdict? {
        find(new: Candidate(id: UUID(), content: content, memoryType: memoryType, sessionID: sessionID), candidates: candidates)
    }

    /// ``find(content:memoryType:sessionID:candidates:)`` for a new memory already read as a
    /// candidate (its `id` is not used).
    package static func find(new candidate: Candidate, candidates: [Candidate]) -> Verdict? {
        let (memoryType, sessionID, new) = (candidate.memoryType, candidate.sessionID, candidate.statement)
        guard types.contains(memoryType), new.isStatement else { return nil }
        var latestInSession = true
        for candidate in candidates where compatible(memoryType, candidate.memoryType) {
            let old = candidate.statement
            // A document between statements is not one of them; it does not end the session's run.
            guard old.isStatement else { continue }
            let sameSession = candidate.sessionID == sessionID
            defer { if sameSession { latestInSession = false } }
            if let attribute = new.changedValue(from: old) {
                return Verdict(supersededID: candidate.id, reason: "Its \(attribute) changed in a newer memory.")
            }
            if let cue = new.cue {
                if let frame = new.sharedFrame(with: old) {
                    return Verdict(supersededID: candidate.id, reason: "A newer memory says '\(cue)' about '\(frame)'.")
                }
                let shared = new.significant.intersection(old.significant)
                if shared.count >= 2 || (sameSession && shared.count >= 1) {
                    let topic = shared.sorted().prefix(3).joined(separator: ", ")
                    return Verdict(supersededID: candidate.id, reason: "A newer memory says '\(cue)' about \(topic).")
                }
                if sameSession, latestInSession, new.isStrongCue {
                    return Verdict(supersededID: candidate.id, reason: "The conversation reversed it ('\(cue)') in the next decision.")
                }
            }
        }
        return nil
    }

    static func compatible(_ new: MemoryType, _ old: MemoryType) -> Bool {
        guard types.contains(old) else { return false }
        if new == old { return true }
        let choices: Set<MemoryType> = [.decision, .preference]
        return choices.contains(new) && choices.contains(old)
    }

    /// Words that say a statement changes something; the first found names the cue.
    static let cues: [[String]] = [
        ["switch", "to"], ["switched", "to"], ["switching", "to"], ["moved", "to"], ["move", "to"], ["migrate", "to"],
        ["migrated", "to"], ["changed", "to"], ["change", "to"], ["no", "longer"], ["from", "now", "on"], ["going", "forward"],
        ["scratch", "that"], ["rather", "than"], ["actually"], ["instead"], ["rather"], ["anymore"], ["now"], ["currently"],
        ["drop"], ["dropped"], ["replace"], ["replaced"], ["updated"], ["nowadays"],
    ]
    /// Cues strong enough to reverse the latest decision of a conversation on their own.
    static let strongCues: Set<String> = ["switch to", "switched to", "switching to", "actually", "instead", "rather", "scratch that", "rather than"]

    /// Nouns naming attributes that hold one value at a time.
    static let attributeNouns: Set<String> = [
        "port", "host", "hostname", "url", "endpoint", "address", "version", "path", "directory", "folder", "dir", "name",
        "region", "database", "db", "server", "timeout", "ttl", "limit", "size", "default", "branch", "image", "tag",
        "runner", "key", "bucket", "domain", "schedule", "interval", "deadline", "owner", "count", "workers", "replicas",
    ]
    /// Attributes and units whose number is a setting: a new number replaces the old one.
    static let quantities: Set<String> = attributeNouns.union([
        "workers", "worker", "replicas", "threads", "cores", "connections", "retries", "seconds", "secs", "ms", "milliseconds",
        "minutes", "mins", "hours", "days", "weeks", "gb", "mb", "kb", "gib", "mib", "percent", "max", "min", "maximum", "minimum",
        "pool", "batch", "shards", "partitions", "nodes", "instances", "attempts", "v", "node", "python", "go", "java", "swift",
    ])
    static let copulas: Set<String> = ["is", "are", "was", "were"]
    static let prepositions: Set<String> = ["with", "using", "via", "on", "in", "to", "through", "at", "from", "into", "for"]
    static let cueWords: Set<String> = Set(cues.flatMap { $0 })

    /// One memory's text as the rules read it: lower-case words, the first cue, significant words,
    /// verb–preposition frames, number–word pairs and copula frames.
    struct Statement: Sendable {
        var words: [String]
        var cue: String?
        var significant: Set<String>

        init(_ text: String) {
            words = Self.words(text)
            cue = nil
            for cue in Supersession.cues where Self.contains(words, cue) {
                self.cue = cue.joined(separator: " ")
                break
            }
            significant = Set(words.filter { word in
                word.count >= 3 && word.contains(where: \.isLetter) && !SearchText.stopWords.contains(word)
                    && !Supersession.cueWords.contains(word) && !["let", "lets", "use", "go", "going", "ok", "okay", "yeah"].contains(word)
            })
        }

        /// Whether the statement could supersede anything at all (a cue, a numbered attribute or
        /// an attribute frame).
        var mayUpdate: Bool { isStatement && (cue != nil || !numberedWords.isEmpty || !copulaFrames.isEmpty) }

        /// Short enough to be read as one statement (``Supersession/maximumStatementWords``).
        var isStatement: Bool { words.count <= Supersession.maximumStatementWords }

        var isStrongCue: Bool { cue.map { Supersession.strongCues.contains($0) } ?? false }

        /// Lower-case runs of letters, digits and `.`/`-`/`_`/`/` inside a word ("t3.large",
        /// "db-staging-2", "8443"); `'` joins contractions ("let's" → "lets").
        static func words(_ text: String) -> [String] {
            if let words = asciiWords(text) { return words }
            return unicodeWords(text)
        }

        /// ``words(_:)`` for any text, by `Character`.
        static func unicodeWords(_ text: String) -> [String] {
            var result: [String] = []
            var current = ""
            func flush() {
                while let last = current.last, ".-_/".contains(last) { current.removeLast() }
                if !current.isEmpty { result.append(current) }
                current = ""
            }
            for character in text.lowercased() {
                if character.isLetter || character.isNumber {
                    current.append(character)
                } else if !current.isEmpty, ".-_/".contains(character) {
                    current.append(character)
                } else if character == "'" || character == "’" {
                    continue
                } else {
                    flush()
                }
            }
            flush()
            return result
        }

        /// ``words(_:)`` for all-ASCII text, byte by byte (every write reads its own text
        /// through here): in ASCII the letters are A–Z and a–z and the numbers 0–9, so the words are
        /// the same. Nil when `text` is not ASCII.
        static func asciiWords(_ text: String) -> [String]? {
            var text = text
            return text.withUTF8 { bytes -> [String]? in
                var result: [String] = []
                var current: [UInt8] = []
                func flush() {
                    while let last = current.last, last == UInt8(ascii: ".") || last == UInt8(ascii: "-") || last == UInt8(ascii: "_") || last == UInt8(ascii: "/") {
                        current.removeLast()
                    }
                    if !current.isEmpty { result.append(String(decoding: current, as: UTF8.self)) }
                    current.removeAll(keepingCapacity: true)
                }
                for byte in bytes {
                    guard byte < 0x80 else { return nil }
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                        current.append(byte)
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                        current.append(byte | 0x20)
                    case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "/"):
                        if current.isEmpty { flush() } else { current.append(byte) }
                    case UInt8(ascii: "'"):
                        continue
                    default:
                        flush()
                    }
                }
                flush()
                return result
            }
        }

        static func contains(_ words: [String], _ phrase: [String]) -> Bool {
            guard phrase.count <= words.count else { return false }
            for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
                if Array(words[start..<(start + phrase.count)]) == phrase { return true }
            }
            return false
        }

        static func isNumber(_ word: String) -> Bool {
            word.first?.isNumber == true && word.allSatisfy { $0.isNumber || $0 == "." || $0.isLetter }
                && word.filter(\.isNumber).count * 2 >= word.count
        }

        /// "4 workers", "port 8443", "ttl 60s": the attribute or unit next to each number, with the
        /// number. Only words that hold one value at a time count ("note 1" and "note 2" are two
        /// notes, "port 8443" and "port 9443" one port).
        var numberedWords: [String: String] {
            var pairs: [String: String] = [:]
            for (index, word) in words.enumerated() where Self.isNumber(word) {
                if index + 1 < words.count, Supersession.quantities.contains(words[index + 1]) { pairs[words[index + 1]] = word }
                if index > 0, Supersession.quantities.contains(words[index - 1]) { pairs[words[index - 1]] = word }
            }
            return pairs
        }

        func significantWord(_ word: String) -> Bool {
            word.count >= 2 && word.allSatisfy(\.isLetter) && !SearchText.stopWords.contains(word) && !Supersession.cueWords.contains(word)
        }

        /// "<subject words> is <value>" where the subject ends with an attribute noun.
        var copulaFrames: [String: String] {
            var frames: [String: String] = [:]
            for (index, word) in words.enumerated() where Supersession.copulas.contains(word) && index > 0 && index + 1 < words.count {
                let attribute = words[index - 1]
                guard Supersession.attributeNouns.contains(attribute) else { continue }
                var subject = [attribute]
                var back = index - 2
                while back >= 0, subject.count < 3, significantWord(words[back]) || Self.isNumber(words[back]) {
                    subject.insert(words[back], at: 0)
                    back -= 1
                }
                var value = index + 1
                while value < words.count, Supersession.cueWords.contains(words[value]) || ["set", "still"].contains(words[value]) { value += 1 }
                if value < words.count { frames[subject.joined(separator: " ")] = words[value] }
            }
            return frames
        }

        /// The attribute whose value differs between `old` and this statement, if any.
        func changedValue(from old: Statement) -> String? {
            let mine = numberedWords, theirs = old.numberedWords
            for (word, number) in mine.sorted(by: { $0.key < $1.key }) where theirs[word].map({ $0 != number }) == true {
                return word
            }
            let myFrames = copulaFrames, theirFrames = old.copulaFrames
            for (subject, value) in myFrames.sorted(by: { $0.key < $1.key }) where theirFrames[subject].map({ $0 != value }) == true {
                return subject
            }
            return nil
        }

        /// Verb–preposition pairs ("deploy with") both statements use.
        func sharedFrame(with old: Statement) -> String? {
            let mine = frames, theirs = old.frames
            return mine.first { theirs.contains($0) }
        }

        var frames: [String] {
            var result: [String] = []
            for index in 1..<max(1, words.count) where Supersession.prepositions.contains(words[index]) {
                let verb = Self.stem(words[index - 1])
                if verb.count >= 3, significantWord(words[index - 1]) { result.append(verb + " " + words[index]) }
            }
            return result
        }

        /// deploys, deployed, deploying → deploy (enough to compare two statements' verbs).
        static func stem(_ word: String) -> String {
            for suffix in ["ing", "ed", "es", "s"] where word.count > suffix.count + 3 && word.hasSuffix(suffix) {
                return String(word.dropLast(suffix.count))
            }
            return word
        }
    }
}
