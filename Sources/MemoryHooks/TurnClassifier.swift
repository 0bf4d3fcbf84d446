package import MemoryCore

/// What kind of memory a conversation turn makes, and how important it is: plain keyword rules,
/// explained here so a user can predict them (the capture issue will bring a real extractor).
///
/// - The user stating a preference ("I prefer", "always", "never", "from now on") → preference, 0.8
/// - Either side deciding ("we decided", "let's go with", "decided to", "instead of") → decision, 0.75
/// - An error, a failure, a stack trace → error, 0.7
/// - An answer carrying a fenced code block → code, 0.6
/// - Talk of conventions and recurring patterns → pattern, 0.6
/// - Anything else → fact: 0.55 for what the user says, 0.5 for the assistant's answers
package enum TurnClassifier {
    package static func classify(_ turn: TranscriptTurn) -> (type: MemoryType, importance: Double) {
        let text = turn.text.lowercased()
        func mentions(_ phrases: [String]) -> Bool { phrases.contains { text.contains($0) } }
        if turn.role == .user, mentions(preferencePhrases) { return (.preference, 0.8) }
        if mentions(decisionPhrases) { return (.decision, 0.75) }
        if mentions(errorPhrases) { return (.error, 0.7) }
        if turn.role == .assistant, text.contains("```") { return (.code, 0.6) }
        if mentions(patternPhrases) { return (.pattern, 0.6) }
        return (.fact, turn.role == .user ? 0.55 : 0.5)
    }

    static let preferencePhrases = [
        "i prefer", "i'd prefer", "i would prefer", "please always", "always use", "never use", "don't ever", "do not ever",
        "from now on", "i like it when", "i don't like", "i want you to", "please don't", "please do not",
    ]
    static let decisionPhrases = [
        "we decided", "i decided", "decided to", "let's go with", "let's use", "we'll use", "we will use", "going with",
        "instead of", "we chose", "i chose", "the decision",
    ]
    static let errorPhrases = [
        "error:", "exception", "traceback", "stack trace", "failed with", "panic:", "segmentation fault", "fatal:",
        "crash", "does not compile", "doesn't compile", "build failed", "test failed", "tests failed",
    ]
    static let patternPhrases = ["convention", "pattern", "whenever", "every time", "as a rule"]
}
