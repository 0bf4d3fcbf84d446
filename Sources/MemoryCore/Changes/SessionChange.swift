/// A change to a session, applied atomically by the store.
public struct SessionChange: Sendable {
    /// Merged key by key; a `.null` value removes the key.
    public var metadataPatch: JSONObject = [:]
    /// Added to the tags, without duplicates, in order.
    public var addTags: [String] = []
    public var state: SessionState?
    /// When set, the change applies only if the session's current state is one of these.
    public var requiredStates: Set<SessionState>?
    public var endedAt: Timestamp?
    public var endReason: String?
    public var summary: String?

    public init(
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
    public func applied(to session: Session, at now: Timestamp) -> Session {
        var result = session
        result.metadata = session.metadata.merging(patch: metadataPatch)
        result.tags = session.tags.addingUnique(addTags)
        if let state { result.state = state }
        if let endedAt { result.endedAt = endedAt }
        if let endReason { result.endReason = endReason }
        if let summary { result.summary = summary }
        result.updatedAt = now
        result.version = session.version + 1
        return result
    }
}
