package import MemoryCore
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The cached form of a session: one versioned JSON document holding every field, which shared
/// caches (Redis) store under `memoryhub:v1:session:{id}`. Decoding rebuilds a Session equal field
/// for field to the stored one (timestamps as integer microseconds, metadata through the exact
/// JSON parser); a document of another format, or garbage, decodes to nil: a miss, not an error.
package enum SessionDocument {
    /// Bumped whenever the shape changes; older documents are then misses.
    package static let formatVersion: Int64 = 1
    package static let keyPrefix = "memoryhub:v1:session:"

    package static func key(for id: UUID) -> String { keyPrefix + id.lowercased }

    package static func encode(_ session: Session) -> [UInt8] {
        JSONWriter.bytes(.object([
            "format": .int(formatVersion),
            "id": .string(session.id.lowercased),
            "user_id": .string(session.userID),
            "project_id": session.projectID.map(JSONValue.string) ?? .null,
            "client_session_id": session.clientSessionID.map(JSONValue.string) ?? .null,
            "parent_session_id": session.parentSessionID.map { .string($0.lowercased) } ?? .null,
            "state": .string(session.state.rawValue),
            "started_at": .int(session.startedAt.microsecondsSinceEpoch),
            "ended_at": session.endedAt.map { .int($0.microsecondsSinceEpoch) } ?? .null,
            "end_reason": session.endReason.map(JSONValue.string) ?? .null,
            "summary": session.summary.map(JSONValue.string) ?? .null,
            "metadata": .object(session.metadata),
            "tags": .array(session.tags.map(JSONValue.string)),
            "memory_count": .int(Int64(session.memoryCount)),
            "created_at": .int(session.createdAt.microsecondsSinceEpoch),
            "updated_at": .int(session.updatedAt.microsecondsSinceEpoch),
            "version": .int(session.version),
        ]))
    }

    package static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Session? {
        guard case .object(let fields)? = try? JSONParser.parse(bytes), fields["format"] == .int(formatVersion) else { return nil }
        return Fields(fields).session
    }

    package static func decode(_ text: String) -> Session? { decode(Array(text.utf8)) }

    /// Typed access to the document's fields; any missing or mistyped field makes the whole
    /// document unreadable (nil).
    private struct Fields {
        let fields: JSONObject
        init(_ fields: JSONObject) { self.fields = fields }

        func string(_ key: String) -> String? { fields[key]?.stringValue }

        func int(_ key: String) -> Int64? {
            if case .int(let value)? = fields[key] { return value }
            return nil
        }

        /// .some(nil) for an explicit null, nil for a missing or mistyped field.
        func optionalString(_ key: String) -> String?? {
            switch fields[key] {
            case .null?: return .some(nil)
            case .string(let value)?: return .some(value)
            default: return nil
            }
        }

        func optionalInt(_ key: String) -> Int64?? {
            switch fields[key] {
            case .null?: return .some(nil)
            case .int(let value)?: return .some(value)
            default: return nil
            }
        }

        var session: Session? {
            guard let id = string("id").flatMap(UUID.init(uuidString:)), let userID = string("user_id"),
                  let projectID = optionalString("project_id"), let clientSessionID = optionalString("client_session_id"),
                  let parentText = optionalString("parent_session_id"),
                  let state = string("state").flatMap(SessionState.init(rawValue:)),
                  let startedAt = int("started_at"), let endedAt = optionalInt("ended_at"),
                  let endReason = optionalString("end_reason"), let summary = optionalString("summary"),
                  let metadata = fields["metadata"]?.objectValue, let tagValues = fields["tags"]?.arrayValue,
                  let memoryCount = int("memory_count"), let createdAt = int("created_at"),
                  let updatedAt = int("updated_at"), let version = int("version")
            else { return nil }
            let tags = tagValues.compactMap(\.stringValue)
            guard tags.count == tagValues.count else { return nil }
            var parentID: UUID?
            if let parentText {
                guard let parsed = UUID(uuidString: parentText) else { return nil }
                parentID = parsed
            }
            return Session(
                id: id, userID: userID, projectID: projectID, clientSessionID: clientSessionID, parentSessionID: parentID,
                state: state, startedAt: Timestamp(microsecondsSinceEpoch: startedAt),
                endedAt: endedAt.map(Timestamp.init(microsecondsSinceEpoch:)), endReason: endReason, summary: summary,
                metadata: metadata, tags: tags, memoryCount: Int(memoryCount),
                createdAt: Timestamp(microsecondsSinceEpoch: createdAt), updatedAt: Timestamp(microsecondsSinceEpoch: updatedAt),
                version: version)
        }
    }
}
