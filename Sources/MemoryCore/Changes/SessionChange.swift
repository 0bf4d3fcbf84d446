#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A change to a session, applied atomically by the store.
package struct SessionChange: Sendable {
    /// Merged key by key; a `.null` value removes the key.
    package var metadataPatch: JSONObject = [:]
    /// Added to the tags, without duplicates, in order.
    package var addTags: [String] = []
    package var state: SessionState?
    /// When set, the change applies only if the session's current state is one of these.
    package var requiredStates: Set<SessionState>?
    package var endedAt: Timestamp?
    package var endReason: String?
    package var summary: String?
    /// Links the session under this parent (a chain merge).
    package var parentSessionID: UUID?
    /// When true, the change applies only if the session has no parent (is a chain's root);
    /// otherwise the store answers `stateMismatch`.
    package var requireRoot = false

    package init(
        metadataPatch: JSONObject = [:], addTags: [String] = [], state: SessionState? = nil,
        requiredStates: Set<SessionState>? = nil, endedAt: Timestamp? = nil, endReason: String? = nil,
        summary: String? = nil
    ) {
        self.metadataPatch = metadataPatch
        self.addTags = addTags
        self.state = state
        self.requiredStates = requiredStates
        self.endedAt = endedAt
        self.endReason = endReason
        self.summary = summary
    }

    /// Applies the change to a session value: the reference semantics every store must match.
    package func applied(to session: Session, at now: Timestamp) -> Session {
        var result = session
        result.metadata = session.metadata.merging(patch: metadataPatch)
        result.tags = session.tags.addingUnique(addTags)
        if let state { result.state = state }
        if let endedAt { result.endedAt = endedAt }
        if let endReason { result.endReason = endReason }
        if let summary { result.summary = summary }
        if let parentSessionID { result.parentSessionID = parentSessionID }
        result.updatedAt = now
        result.version = session.version + 1
        return result
    }
}
