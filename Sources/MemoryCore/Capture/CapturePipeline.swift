/// One turn of a conversation, as the capture pipeline reads it.
package struct CaptureTurn: Sendable, Hashable {
    package enum Role: String, Sendable {
        case user, assistant
    }

    /// Stable across reads (the transcript entry); every memory the turn yields carries it.
    package var id: String
    package var role: Role
    package var text: String

    package init(id: String, role: Role, text: String) {
        self.id = id
        self.role = role
        self.text = text
    }
}

/// A memory the pipeline would keep, with its provenance.
package struct CapturedMemory: Sendable, Equatable {
    package var content: String
    package var memoryType: MemoryType
    /// 0...1: the type's base moved by the 12-factor importance model (see ``CapturePipeline``).
    package var importance: Double
    package var entities: [String]
    /// The turn it came from, and where in the turn's redacted text (Unicode scalars, end exclusive).
    package var turnID: String
    package var span: Range<Int>
    /// Which rule kept it, for `metadata.capture_rule` (e.g. "decision cue 'switch to'").
    package var rule: String
}

/// Conversations become curated memories, deterministically and without an LLM. Each turn is
/// first redacted (``SecretRedactor``: private spans gone, secrets replaced), so every unit,
/// content and span is of the text as it would be stored; then it is cut into units (fenced code
/// blocks; the assistant's sentences, the user's paragraphs, list items), and each unit is kept
/// only when a rule says it is worth remembering a week later:
///
/// - **skip**: acknowledgements and chit-chat ("thanks, that worked!"), questions, and the
///   assistant's narration of what it is about to do ("Let me look at the file", "Here's …");
/// - **preference**: the user saying how they want things ("I prefer", "I'd rather", "please
///   always/never/stop", "from now on", "no more", "I don't like");
/// - **decision**: a choice made ("let's use/switch to/go with/keep/drop …", "we'll use",
///   "decided", "instead", "standardizing on", "make it", "set it to");
/// - **error**: a failure with its technical detail (the error lines of pasted output, fenced or
///   not, or a sentence naming an error, an exception or a failure);
/// - **pattern**: the user's conventions ("always", "never", "whenever", "convention", "naming",
///   "the rule", "must", "don't touch");
/// - also skipped: a paragraph whose only detail was a secret ("here's my key: [REDACTED…]");
/// - **fact**: configuration and how things work: a declarative sentence (not a question, not
///   narration) of at least six words holding a technical token (code span, path, host:port,
///   number, version, an identifier with `_` or `.`), or a fact the ``FactExtractor`` finds;
/// - **code**: a fenced block of the assistant's, three lines or more, in a named language that is
///   not a shell session, output or a diff.
///
/// Importance = the type's base (preference 0.8, decision 0.75, error 0.7, pattern 0.65, code
/// 0.6, fact 0.55) + 0.3 × (the ``ImportanceScorer`` normalized score − 0.065, its no-signal
/// value), clamped to 0...1. Entities come from the ``EntityExtractor``. Within one call, a unit
/// whose content (case and whitespace folded) was already kept is not kept again.
package struct CapturePipeline: Sendable {
    /// Applied to each turn before anything else (with the operator's allow-list, in the hooks).
    package var redactor: SecretRedactor

    package init(redactor: SecretRedactor = SecretRedactor()) {
        self.redactor = redactor
    }

    static let entityExtractor = EntityExtractor()
    static let factExtractor = FactExtractor()
    static let scorer = ImportanceScorer()

    /// The memories worth keeping from `turns`, in order.
    package func capture(_ turns: [CaptureTurn], now: Timestamp = .now()) -> [CapturedMemory] {
        var seen: Set<String> = []
        var result: [CapturedMemory] = []
        for turn in turns {
            for memory in capture(turn, now: now) where seen.insert(ContentFingerprint.normalized(memory.content)).inserted {
                result.append(memory)
            }
        }
        return result
    }

    /// The memories worth keeping from one turn.
    package func capture(_ turn: CaptureTurn, now: Timestamp = .now()) -> [CapturedMemory] {
        let text = CaptureText(redactor.redact(turn.text).text)
        var result: [CapturedMemory] = []
        // "A few things about how I like code in this repo:" makes the list below it preferences.
        var listUnderPreference = false
        for unit in text.units(paragraphs: turn.role == .user) {
            let unitText = text.string(unit.range).trimmedWhitespace
            let kept = classify(unit, in: text, role: turn.role, listUnderPreference: listUnderPreference)
            if !CaptureText.isListOrTableRow(unitText) {
                listUnderPreference = turn.role == .user && unitText.hasSuffix(":")
                    && Self.firstCue(Self.preferenceCues, in: CaptureText.words(unitText)) != nil
            }
            guard let kept else { continue }
            let content = text.string(kept.range).trimmedWhitespace
            guard !content.isEmpty else { continue }
            let score = Self.scorer.score(ImportanceInput(content: content), now: now)
            let importance = min(1, max(0, Self.base(kept.type) + 0.3 * (score.normalizedScore - 0.065)))
            var entities: [String] = []
            for entity in Self.entityExtractor.extract(content) where !entities.contains(entity.text) && entity.text.count <= 255 {
                entities.append(entity.text)
                if entities.count == 10 { break }
            }
            result.append(CapturedMemory(
                content: content, memoryType: kept.type, importance: (importance * 1000).rounded() / 1000, entities: entities,
                turnID: turn.id, span: kept.range, rule: kept.rule))
        }
        return result
    }

    static func base(_ type: MemoryType) -> Double {
        switch type {
        case .preference: 0.8
        case .decision: 0.75
        case .error: 0.7
        case .pattern: 0.65
        case .code: 0.6
        default: 0.55
        }
    }

    // MARK: Rules

    struct Kept {
        var type: MemoryType
        var range: Range<Int>
        var rule: String
    }

    func classify(_ unit: CaptureText.Unit, in text: CaptureText, role: CaptureTurn.Role, listUnderPreference: Bool = false) -> Kept? {
        switch unit.kind {
        case .code(let language, let body):
            let lines = text.string(body).split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
            if role == .user || ["text", "console", "output", "log", "plaintext", "txt"].contains(language) {
                // Pasted output: its error lines are worth keeping, the rest is not. The first and
                // the last (a Python traceback ends with the exception) make one memory.
                let errorLines = text.lines(in: body).filter { Self.isErrorLine(text.string($0)) && !Self.isDecoration(text.string($0)) }
                guard let first = errorLines.first, let last = errorLines.last else { return nil }
                return Kept(type: .error, range: first.lowerBound..<last.upperBound, rule: "error lines in pasted output")
            }
            // Blocks worth keeping are code and configuration in a named language, three lines or
            // more; shell sessions, diffs and untagged blocks are mostly transient.
            guard lines.count >= 3, !language.isEmpty, !Self.transientLanguages.contains(language) else { return nil }
            return Kept(type: .code, range: unit.range, rule: "code block (\(language))")
        case .sentence:
            // Terminal output pasted without a fence: like fenced output, only its error lines.
            if role == .user {
                let lines = text.lines(in: unit.range)
                let errorLines = lines.filter { Self.isErrorLine(text.string($0)) && !Self.isDecoration(text.string($0)) }
                let words = CaptureText.words(text.string(unit.range))
                if lines.count >= 3, let first = errorLines.first, let last = errorLines.last,
                    Self.firstCue(Self.preferenceCues, in: words) == nil, Self.firstCue(Self.decisionCues, in: words) == nil
                {
                    return Kept(type: .error, range: first.lowerBound..<last.upperBound, rule: "error lines in pasted output")
                }
            }
            return classifySentence(text.string(unit.range), range: unit.range, role: role, listUnderPreference: listUnderPreference)
        }
    }

    func classifySentence(_ sentence: String, range: Range<Int>, role: CaptureTurn.Role, listUnderPreference: Bool = false) -> Kept? {
        let words = CaptureText.words(sentence)
        guard !words.isEmpty else { return nil }
        let trimmed = sentence.trimmedWhitespace
        let technical = CaptureText.hasTechnicalToken(sentence)
        if words.allSatisfy(Self.chitChat.contains) || (words.count < 3 && !technical) { return nil }
        switch role {
        case .user:
            // A user's paragraph: kept unless every sentence in it is a question.
            let ends = CaptureText.sentenceEnds(trimmed)
            if ends.allSatisfy({ $0 == "?" }) { return nil }
            // A request for help ("ci takes 14 minutes per push. can we speed it up?") is the
            // task, not a memory, unless it states configuration on the way.
            if ends.last == "?", !CaptureText.hasConfigurationToken(trimmed) { return nil }
            if CaptureText.containsOnlySecretDetail(trimmed) { return nil }
            if trimmed.hasSuffix(":"), !Self.isErrorLine(trimmed) || words.count < 8 { return nil }
            if let cue = Self.firstCue(Self.preferenceCues, in: words) {
                return Kept(type: .preference, range: range, rule: "preference cue '\(cue)'")
            }
            if listUnderPreference, CaptureText.isListOrTableRow(trimmed) {
                return Kept(type: .preference, range: range, rule: "item of a list of preferences")
            }
            if let cue = Self.firstCue(Self.decisionCues, in: words) {
                return Kept(type: .decision, range: range, rule: "decision cue '\(cue)'")
            }
            if Self.isErrorLine(trimmed), technical || words.count >= 5 {
                return Kept(type: .error, range: range, rule: "error reported")
            }
            if let cue = Self.firstCue(Self.patternCues, in: words), words.count >= 5 {
                return Kept(type: .pattern, range: range, rule: "convention cue '\(cue)'")
            }
            if technical, words.count >= 5 {
                return Kept(type: .fact, range: range, rule: "technical statement")
            }
            return nil
        case .assistant:
            if trimmed.hasSuffix("?") || trimmed.hasPrefix("#") || trimmed.hasPrefix("**") { return nil }
            // "Let's publish … instead" is a decision, not narration: only the listed openings narrate.
            if Self.narration.contains(where: { CaptureText.starts(words, with: $0) }) { return nil }
            if let cue = Self.firstCue(Self.fixCues, in: words) {
                return Kept(type: .fact, range: range, rule: "solution cue '\(cue)'")
            }
            if CaptureText.isListOrTableRow(trimmed) { return nil }
            if technical, words.count >= 6, let cue = Self.firstCue(Self.factCues, in: words) {
                return Kept(type: .fact, range: range, rule: "technical statement with '\(cue)'")
            }
            return nil
        }
    }

    /// An assistant's sentence that says how to fix something.
    static let fixCues: [[String]] = [
        ["the", "fix", "is"], ["fix", "is", "to"], ["the", "solution", "is"], ["simplest", "fix"], ["robust", "fix"],
        ["quickest", "fix"], ["the", "workaround"], ["root", "cause"],
    ]

    /// An assistant's sentence that states how the project works.
    static let factCues: [[String]] = [
        ["because"], ["so", "that"], ["which", "is", "why"], ["requires"], ["require"], ["need"], ["needs"], ["must"], ["only"],
        ["reads"], ["listens"], ["is", "on"], ["are", "on"], ["uses"], ["stored", "in"], ["lives", "in"], ["defaults", "to"],
        ["default"], ["controlled", "by"], ["points", "at"], ["is", "set"], ["still"], ["always"], ["never"], ["means"],
        ["note", "that"], ["each", "time"], ["instead", "of"], ["now"], ["should", "be"], ["enabled"], ["at", "startup"], ["once"],
        ["has", "to"], ["have", "to"],
    ]

    static func firstCue(_ cues: [[String]], in words: [String]) -> String? {
        cues.first { CaptureText.contains(words, $0) }?.joined(separator: " ")
    }

    /// A line that reports a failure: an error word, or `Error:`/`Exception`/`***` detail.
    package static func isErrorLine(_ line: String) -> Bool {
        let words = CaptureText.words(line)
        return words.contains { errorWords.contains($0) } || line.contains("Error:") || line.contains("Exception")
            || line.contains("error[") || line.contains("ERROR") || line.contains("***")
    }

    /// `==== errors ====`, `Traceback (most recent call last):`: frames around an error, not one.
    static func isDecoration(_ line: String) -> Bool {
        let trimmed = line.trimmedWhitespace
        return trimmed.hasPrefix("===") || trimmed.hasPrefix("---") || trimmed.lowercased().hasPrefix("traceback (most recent call last)")
    }

    static let transientLanguages: Set<String> = [
        "text", "console", "output", "log", "plaintext", "txt", "bash", "sh", "shell", "zsh", "diff", "markdown", "md", "terminal",
    ]

    static let errorWords: Set<String> = [
        "error", "errors", "exception", "failed", "failure", "fails", "failing", "traceback", "panic", "panicked", "fatal",
        "segfault", "refused", "denied", "undefined", "timeout", "crash", "crashed", "crashes", "broken", "conflict", "unbound",
        "missing", "invalid", "unexpected", "cannot", "cant", "notfound", "killed", "oomkilled",
    ]

    static let chitChat: Set<String> = [
        "thanks", "thank", "you", "ty", "thx", "ok", "okay", "k", "great", "cool", "nice", "perfect", "awesome", "sounds", "good",
        "yes", "yeah", "yep", "yup", "sure", "got", "it", "that", "worked", "works", "lgtm", "all", "for", "now", "done", "np",
        "no", "problem", "welcome", "glad", "to", "help", "hi", "hello", "hey", "alright", "right", "makes", "sense", "so", "much",
        "a", "lot", "wow", "fine", "agreed", "exactly", "indeed", "the", "is", "up", "and", "this", "one", "again",
    ]

    /// Openings of the assistant's narration of its own next step.
    static let narration: [[String]] = [
        ["let", "me"], ["lets", "check"], ["lets", "look"], ["lets", "see"], ["lets", "verify"], ["lets", "find"], ["lets", "confirm"],
        ["lets", "inspect"], ["lets", "start"], ["ill"], ["i", "will"], ["im", "going"], ["i", "am", "going"], ["now", "i"],
        ["here", "is"], ["heres"], ["here", "are"], ["sure"], ["great"], ["good", "question"], ["great", "question"], ["noted"],
        ["done"], ["i", "see"], ["looking", "at"], ["first", "let"], ["hope"], ["youre", "welcome"], ["happy", "to"],
        ["i", "also"], ["ive"], ["i", "added"], ["i", "updated"], ["i", "changed"], ["i", "ran"], ["i", "re-ran"], ["i", "reran"],
    ]

    static let preferenceCues: [[String]] = [
        ["i", "prefer"], ["id", "prefer"], ["i", "would", "prefer"], ["id", "rather"], ["i", "would", "rather"], ["i", "like"],
        ["i", "dont", "like"], ["i", "hate"], ["i", "want"], ["i", "dont", "want"], ["please", "always"], ["please", "never"],
        ["please", "stop"], ["please", "dont"], ["please", "do", "not"], ["always", "use"], ["never", "use"], ["dont", "ever"],
        ["from", "now", "on"], ["no", "more"], ["i", "find", "them"], ["stop", "doing"], ["i", "always", "want"], ["keep", "it"],
        ["my", "preference"], ["dont", "use"], ["do", "not", "use"], ["dont", "add"], ["stop", "using"], ["stop", "adding"],
    ]

    static let decisionCues: [[String]] = [
        ["lets", "use"], ["lets", "go"], ["lets", "do"], ["lets", "switch"], ["lets", "keep"], ["lets", "drop"], ["lets", "stick"],
        ["lets", "try"], ["lets", "move"], ["lets", "pin"], ["lets", "bump"], ["lets", "set"], ["lets", "make"], ["lets", "add"],
        ["lets", "publish"], ["lets", "put"], ["lets", "just"], ["lets", "not"], ["lets", "remove"], ["lets", "rename"],
        ["lets", "split"], ["lets", "store"], ["lets", "pick"], ["lets", "migrate"], ["go", "with"],
        ["going", "with"], ["switch", "to"], ["switching", "to"], ["well", "use"], ["we", "will", "use"], ["decided"],
        ["decision"], ["we", "chose"], ["i", "chose"], ["standardizing"], ["standardize"], ["standardise"], ["instead"],
        ["settled", "on"], ["make", "it"], ["set", "it", "to"], ["drop", "the"], ["pin", "it"], ["bump", "it"], ["use", "it"],
        ["we", "use"], ["we", "are", "using"], ["were", "using"], ["do", "it"], ["keep", "the"], ["rather", "than"],
        ["stick", "with"], ["move", "to"], ["moving", "to"],
    ]

    static let patternCues: [[String]] = [
        ["convention"], ["conventions"], ["always"], ["every", "time"], ["whenever"], ["naming"], ["as", "a", "rule"], ["the", "rule"],
        ["must"], ["should", "always"], ["never"], ["by", "default"], ["for", "all"], ["dont", "touch"], ["do", "not", "touch"],
    ]
}
