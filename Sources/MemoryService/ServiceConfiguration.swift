package import MemoryCore

/// The behaviour knobs of the service layer, with the defaults of DESIGN.md.
package struct ServiceConfiguration: Sendable {
    /// A new session links to the user's active session of the same project updated this recently.
    package var linkWindow: Duration = .seconds(30 * 60)
    /// Active sessions idle longer than this are ended by cleanup with reason `timeout`.
    package var staleAfter: Duration = .seconds(24 * 3600)
    /// Ended sessions older than this are archived by cleanup.
    package var archiveAfter: Duration = .seconds(30 * 24 * 3600)
    /// How often the cleanup service runs.
    package var cleanupInterval: Duration = .seconds(3600)
    /// Largest memory content, in UTF-8 bytes.
    package var maxContentBytes: Int = 64 * 1024
    /// Most memories in one batch request.
    package var maxBatchSize: Int = 500
    /// How search ranks and what it caches.
    package var search: SearchConfiguration = .init()
    /// How the background embedding service batches and polls.
    package var embedding: EmbeddingService.Configuration = .init()
    /// How API keys are cached and their use recorded.
    package var keys: KeyManager.Configuration = .init()
    /// Whether a write whose content equals (case and whitespace folded) a memory the user already
    /// has in the same project returns that memory instead of storing a copy. Off only to measure it.
    package var deduplicateWrites = true
    /// Near-duplicates (``NearDuplicate``): a write that adds nothing to a similar memory of the
    /// same user and project returns it; a similar one that adds something is linked to it. Nil
    /// turns this off.
    package var nearDuplicates: NearDuplicate.Thresholds? = .init()
    /// Whether a new fact, decision, preference or pattern that updates an older one marks it
    /// superseded (``Supersession``). Off only to measure it.
    package var supersession = true
    /// Which secrets writes redact, and which exact values they let through.
    package var redaction: SecretRedaction.Configuration = .init()

    package init() {}
}

extension Duration {
    /// The duration in seconds, as a Double.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
