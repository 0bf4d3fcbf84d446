/// A session's memories compressed into a token budget (API-more.md "Compression"): the memories
/// kept whole, and what stands in for the others.
package struct CompressedContext: Sendable, Hashable {
    /// The memories kept whole, each at most once, in the order the strategy chose them.
    package var memories: [Memory]
    /// Plain text about the memories not kept ("Contains 3 fact, 2 decision memories. Key topics: ...").
    package var summary: String
    /// Entities worth knowing about (uncovered ones, or the most frequent), first-seen or by frequency.
    package var keyEntities: [String]
    /// One line per fact, group, entity or cluster the strategy condensed.
    package var importantFacts: [String]
    /// Lines about decisions ("Decisions made: ...").
    package var recentDecisions: [String]
    package var strategy: CompressionStrategy
    /// How many memories the session had.
    package var originalMemoryCount: Int
    /// The session's memories' tokens (content + summary each, by ``TokenEstimate``).
    package var originalTokens: Int
    /// 1 − output characters / input characters (Unicode scalars of content + summary); 0 without
    /// input. Negative when the stand-in text is longer than what it replaced.
    package var compressionRatio: Double
    /// Tokens of the output: kept memories (content + summary), summary, facts, decisions and key
    /// entities, each piece estimated by ``TokenEstimate``. Never above the target.
    package var tokenEstimate: Int

    /// The compression of a session without memories: nothing kept, empty lists, ratio 0.
    package static func empty(strategy: CompressionStrategy) -> CompressedContext {
        CompressedContext(
            memories: [], summary: "", keyEntities: [], importantFacts: [], recentDecisions: [], strategy: strategy,
            originalMemoryCount: 0, originalTokens: 0, compressionRatio: 0, tokenEstimate: 0)
    }
}
