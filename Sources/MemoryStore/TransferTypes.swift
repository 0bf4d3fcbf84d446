package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A memory as an export reads it: the row and, when asked for and present, its vector.
package struct ExportedMemory: Sendable {
    package var memory: Memory
    package var embedding: [Float]?

    package init(memory: Memory, embedding: [Float]?) {
        self.memory = memory
        self.embedding = embedding
    }
}

/// A memory as an import writes it: every field as the file has it (`hasEmbedding` is ignored:
/// a vector is stored exactly when `embedding` is given), with the content hash that
/// de-duplication keys on (nil stores none; a hash another memory of the user and project already
/// has is stored as none, as an explicit edit is).
package struct ImportedMemory: Sendable {
    package var memory: Memory
    package var contentHash: String?
    package var embedding: [Float]?

    package init(memory: Memory, contentHash: String?, embedding: [Float]?) {
        self.memory = memory
        self.contentHash = contentHash
        self.embedding = embedding
    }
}

/// What an import did with one record.
package enum ImportOutcome: Sendable {
    /// The store had no record with this id: it was written.
    case inserted
    /// The store's record was replaced by the file's (per the conflict policy).
    case updated
    /// The store's record was kept: the policy said so, or it was already identical.
    case unchanged
    /// Not written, and why (another user's id, a missing session, a duplicate client session id).
    case refused(MemoryHubError)

    /// True when the record was written.
    package var wroteRecord: Bool {
        switch self {
        case .inserted, .updated: true
        case .unchanged, .refused: false
        }
    }
}

/// Who owns what an import is about to write, read before anything is written so that a refusal
/// is known before the first batch commits.
package struct TransferOwnership: Sendable {
    /// Existing sessions by id: their user.
    package var sessionUsers: [UUID: String] = [:]
    /// Existing memories by id: their user and session.
    package var memoryOwners: [UUID: (userID: String, sessionID: UUID)] = [:]
    /// Existing sessions by user and client session id (joined by U+0000): their id.
    package var clientSessions: [String: UUID] = [:]

    package init() {}

    /// The key of `clientSessions`.
    package static func clientKey(userID: String, clientSessionID: String) -> String {
        userID + "\u{0}" + clientSessionID
    }
}

extension ConflictPolicy {
    /// The version to write the incoming record with, or nil to keep the stored one. `identical`
    /// says whether the two records agree on every field but the version (and, for sessions,
    /// the memory count, which the store derives). Replacing a different record at a version not
    /// above the stored one moves the version past it, so every cache sees the change.
    package func resolution(
        storedVersion: Int64, storedUpdatedAt: Timestamp, incomingVersion: Int64, incomingUpdatedAt: Timestamp, identical: Bool
    ) -> Int64? {
        switch self {
        case .skip:
            return nil
        case .newer:
            let newer = incomingVersion > storedVersion || (incomingVersion == storedVersion && storedUpdatedAt < incomingUpdatedAt)
            guard newer, !(identical && incomingVersion == storedVersion) else { return nil }
            return max(incomingVersion, storedVersion + 1)
        case .replace:
            guard !identical else { return nil }
            return max(incomingVersion, storedVersion + 1)
        }
    }
}

/// What an import does with a record whose id the store already has.
package enum ImportDecision: Sendable {
    /// Refuse it (another user's id, a memory of another session).
    case refuse(MemoryHubError)
    /// Keep the stored record.
    case keep
    /// Write the file's record with this version.
    case write(version: Int64)
}

extension ConflictPolicy {
    /// The decision for an incoming session whose id the store holds as `stored`.
    package func decision(for session: Session, stored: Session) -> ImportDecision {
        guard stored.userID == session.userID else { return .refuse(TransferRefusal.otherUsersSession(session.id)) }
        let version = resolution(
            storedVersion: stored.version, storedUpdatedAt: stored.updatedAt, incomingVersion: session.version,
            incomingUpdatedAt: session.updatedAt, identical: session.agreesForImport(with: stored))
        return version.map { .write(version: $0) } ?? .keep
    }

    /// The decision for an incoming memory (with a vector or not) whose id the store holds as
    /// `stored`. A file's vector for a memory the store has none for counts as a difference.
    package func decision(for memory: Memory, bringsVector: Bool, stored: Memory) -> ImportDecision {
        guard stored.userID == memory.userID else { return .refuse(TransferRefusal.otherUsersMemory(memory.id)) }
        guard stored.sessionID == memory.sessionID else { return .refuse(TransferRefusal.memoryInOtherSession(memory.id, stored.sessionID)) }
        let version = resolution(
            storedVersion: stored.version, storedUpdatedAt: stored.updatedAt, incomingVersion: memory.version,
            incomingUpdatedAt: memory.updatedAt, identical: memory.agreesForImport(with: stored) && (!bringsVector || stored.hasEmbedding))
        return version.map { .write(version: $0) } ?? .keep
    }
}

extension Session {
    /// Equal to `other` in every field but the version and the memory count.
    package func agreesForImport(with other: Session) -> Bool {
        var left = self
        left.version = other.version
        left.memoryCount = other.memoryCount
        return left == other
    }
}

extension Memory {
    /// Equal to `other` in every field but the version and whether a vector exists.
    package func agreesForImport(with other: Memory) -> Bool {
        var left = self
        left.version = other.version
        left.hasEmbedding = other.hasEmbedding
        return left == other
    }
}

/// The refusals an import reports for a record the store will not take.
package enum TransferRefusal {
    package static func otherUsersSession(_ id: UUID) -> MemoryHubError {
        .conflict("Session \(id.lowercased) exists in this store and belongs to another user.")
    }

    package static func otherUsersMemory(_ id: UUID) -> MemoryHubError {
        .conflict("Memory \(id.lowercased) exists in this store and belongs to another user.")
    }

    package static func memoryInOtherSession(_ id: UUID, _ session: UUID) -> MemoryHubError {
        .conflict("Memory \(id.lowercased) exists in this store in another session (\(session.lowercased)); memories do not move between sessions.")
    }

    package static func duplicateClientSession(_ otherID: String) -> MemoryHubError {
        MemoryHubError(
            kind: .conflict, code: .duplicateClientSessionID,
            detail: "The user already has another session (\(otherID)) with this client_session_id.")
    }
}

/// `POST /api/memory/context/feedback`: how useful a context's memories were.
package struct ContextFeedback: Sendable {
    package var userID: String
    package var memoryIDs: [UUID]
    /// 0...1.
    package var effectivenessScore: Double
    package var text: String?
    package var createdAt: Timestamp

    package init(userID: String, memoryIDs: [UUID], effectivenessScore: Double, text: String?, createdAt: Timestamp) {
        self.userID = userID
        self.memoryIDs = memoryIDs
        self.effectivenessScore = effectivenessScore
        self.text = text
        self.createdAt = createdAt
    }
}
