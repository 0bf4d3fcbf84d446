#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A change to a memory. Nil fields are left as they are.
package struct MemoryChange: Sendable {
    package var content: String?
    /// `.some(nil)` clears the summary.
    package var summary: String??
    package var importance: Double?
    package var confidence: Double?
    /// Replaces the entities.
    package var entities: [String]?
    /// Replaces the tags.
    package var tags: [String]?
    /// Merged key by key; a `.null` value removes the key.
    package var metadataPatch: JSONObject = [:]
    /// `.some(id)` marks the memory superseded by `id`; `.some(nil)` reverses that.
    package var supersededBy: UUID??
    /// The de-duplication hash of `content` (``ContentFingerprint``), set by the service whenever
    /// `content` is; stores keep it so a later identical write finds this memory.
    package var contentHash: String?

    package init(
        content: String? = nil, summary: String?? = nil, importance: Double? = nil, confidence: Double? = nil,
        entities: [String]? = nil, tags: [String]? = nil, metadataPatch: JSONObject = [:]
    ) {
        self.content = content
        self.summary = summary
        self.importance = importance
        self.confidence = confidence
        self.entities = entities
        self.tags = tags
        self.metadataPatch = metadataPatch
    }

    /// Applies the change to a memory value: the reference semantics every store must match.
    /// A change to the embedded text (content, summary, entities or tags) drops the embedding so
    /// the memory is embedded again.
    package func applied(to memory: Memory, at now: Timestamp) -> Memory {
        var result = memory
        if let content, content != memory.content { result.content = content }
        if let summary { result.summary = summary }
        if let importance { result.importance = importance }
        if let confidence { result.confidence = confidence }
        if let entities { result.entities = entities }
        if let tags { result.tags = tags }
        if let supersededBy { result.supersededBy = supersededBy }
        if result.content != memory.content || result.summary != memory.summary || result.entities != memory.entities
            || result.tags != memory.tags
        {
            result.hasEmbedding = false
        }
        result.metadata = memory.metadata.merging(patch: metadataPatch)
        result.updatedAt = now
        result.version = memory.version + 1
        return result
    }
}
