public import MemoryCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The cached form of a session: one versioned JSON document holding every field, which shared
/// caches (Redis) store under `memoryhub:v1:session:{id}`. Decoding rebuilds a Session equal field
/// for field to the stored one; a document of another format, or garbage, decodes to nil (a miss).
public enum SessionDocument {
    /// Bumped whenever the shape changes; older documents are then misses, never errors.
    public static let formatVersion = 1
    public static let keyPrefix = "memoryhub:v1:session:"

    public static func key(for id: UUID) -> String { keyPrefix + id.lowercased }

    public static func encode(_ session: Session) throws -> String {
        try JSONText.encode(Body(session))
    }

    public static func decode(_ text: String) -> Session? {
        guard let body = try? JSONText.decode(Body.self, from: text), body.format == formatVersion else { return nil }
        return body.session
    }

    public static func decode(_ bytes: [UInt8]) -> Session? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        return decode(text)
    }

    private struct Body: Codable {
        var format: Int
        var id: String
        var user_id: String
        var project_id: String?
        var client_session_id: String?
        var parent_session_id: String?
        var state: String
        var started_at: Int64
        var ended_at: Int64?
        var end_reason: String?
        var summary: String?
        var metadata: JSONObject
        var tags: [String]
        var memory_count: Int
        var created_at: Int64
        var updated_at: Int64
        var version: Int64

        init(_ session: Session) {
            format = SessionDocument.formatVersion
            id = session.id.lowercased
            user_id = session.userID
            project_id = session.projectID
            client_session_id = session.clientSessionID
            parent_session_id = session.parentSessionID?.lowercased
            state = session.state.rawValue
            started_at = session.startedAt.microsecondsSinceEpoch
            ended_at = session.endedAt?.microsecondsSinceEpoch
            end_reason = session.endReason
            summary = session.summary
            metadata = session.metadata
            tags = session.tags
            memory_count = session.memoryCount
            created_at = session.createdAt.microsecondsSinceEpoch
            updated_at = session.updatedAt.microsecondsSinceEpoch
            version = session.version
        }

        var session: Session? {
            guard let id = UUID(uuidString: id), let state = SessionState(rawValue: state) else { return nil }
            var parent: UUID?
            if let text = parent_session_id {
                guard let value = UUID(uuidString: text) else { return nil }
                parent = value
            }
            return Session(
                id: id, userID: user_id, projectID: project_id, clientSessionID: client_session_id,
                parentSessionID: parent, state: state,
                startedAt: Timestamp(microsecondsSinceEpoch: started_at),
                endedAt: ended_at.map(Timestamp.init(microsecondsSinceEpoch:)),
                endReason: end_reason, summary: summary, metadata: metadata, tags: tags, memoryCount: memory_count,
                createdAt: Timestamp(microsecondsSinceEpoch: created_at),
                updatedAt: Timestamp(microsecondsSinceEpoch: updated_at), version: version)
        }
    }
}
