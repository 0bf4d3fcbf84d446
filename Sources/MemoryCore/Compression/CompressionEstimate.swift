/// What compressing a session would give, without compressing it (API-more.md "Compression",
/// `GET /api/memory/compression/stats/{session_id}`).
package struct CompressionEstimate: Sendable, Hashable {
    /// One level's nominal outcome.
    package struct LevelEstimate: Sendable, Hashable {
        package var level: CompressionLevel
        /// ⌊original × (1 − ratio)⌋.
        package var estimatedTokens: Int
        /// The level's nominal ratio (light 0.15, moderate 0.4, aggressive 0.7, extreme 0.85).
        package var compressionRatio: Double
        package var timeEstimate: String
    }

    package var memoryCount: Int
    /// Tokens of all the session's memories (content + summary each, by ``TokenEstimate``).
    package var originalTokens: Int
    /// Every level, light to extreme.
    package var levels: [LevelEstimate]
    /// Which level and strategies suit the session, as sentences.
    package var recommendations: [String]

    /// The estimate for a session's memories (zeros and a light recommendation for none).
    package init(memories: [Memory]) {
        memoryCount = memories.count
        originalTokens = memories.reduce(0) { $0 + ContextCompressor.tokens(of: $1) }
        let tokens = originalTokens
        levels = CompressionLevel.allCases.map { level in
            LevelEstimate(
                level: level, estimatedTokens: Int((Double(tokens) * (1 - level.nominalRatio)).rounded(.down)),
                compressionRatio: level.nominalRatio, timeEstimate: level.timeEstimate)
        }
        var advice: [String] = []
        if tokens > 8000 {
            advice.append("Use aggressive compression: the session's memories hold \(tokens) tokens (more than 8000).")
        } else if tokens > 4000 {
            advice.append("Use moderate compression: the session's memories hold \(tokens) tokens (more than 4000).")
        } else {
            advice.append("Use light compression: the session's memories hold \(tokens) tokens (4000 or fewer).")
        }
        if memories.count > 100 {
            advice.append("Consider entity_consolidation: the session has \(memories.count) memories (more than 100).")
        }
        let decisions = memories.count { $0.memoryType == .decision }
        if decisions > 20 {
            advice.append("Consider hierarchical: the session has \(decisions) decisions (more than 20).")
        }
        let errors = memories.count { $0.memoryType == .error }
        if errors > 10 {
            advice.append("Consider importance_based: the session has \(errors) errors (more than 10).")
        }
        recommendations = advice
    }
}
