#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// One line of a MemoryHub export file: newline-delimited JSON (NDJSON), format version 1.
///
/// A file is a `header` line, then every `session` line, then every `memory` line (so a session
/// always comes before its memories), then an `end` line with the counts, which tells a complete
/// file from a cut one. Every line is one JSON object with a `type` member:
///
/// - `{"type":"header","format":"memoryhub-export","version":1,"exported_at":T,"embedding_model":M?,
///   "filter":{"user_id":U?,"project_id":P?,"since":T?}}`
/// - `{"type":"session", ...every Session field in API.md's names...}`
/// - `{"type":"memory", ...every Memory field..., "embedding":B?}` where B is the vector as base64
///   of little-endian float32 values (exact, and about a third of the size of decimal text)
/// - `{"type":"end","sessions":N,"memories":N}`
///
/// Timestamps are RFC 3339 with six fractional digits (`Timestamp.iso8601`), so microseconds
/// survive; doubles are written in their shortest exact form. Nothing derived (age, relevance) and
/// nothing store-internal (content hash, change sequence, whether a vector exists) is written:
/// the importing store derives them again.
package enum TransferRecord: Sendable, Equatable {
    case header(TransferHeader)
    case session(Session)
    /// A memory, with its vector when the export asked for vectors and it had one.
    case memory(Memory, embedding: [Float]?)
    case end(sessions: Int, memories: Int)

    /// The `format` of a header line.
    package static let format = "memoryhub-export"
    /// The newest format version this code writes and reads.
    package static let version = 1

    // MARK: Writing

    /// The record as one JSON object (no newline).
    package var json: JSONValue {
        switch self {
        case .header(let header):
            var filter: JSONObject = [:]
            if let user = header.filter.userID { filter["user_id"] = .string(user) }
            if let project = header.filter.projectID { filter["project_id"] = .string(project) }
            if let since = header.filter.since { filter["since"] = .string(since.iso8601) }
            var object: JSONObject = [
                "type": "header", "format": .string(Self.format), "version": .int(Int64(header.version)),
                "exported_at": .string(header.exportedAt.iso8601), "filter": .object(filter),
            ]
            if let model = header.embeddingModel { object["embedding_model"] = .string(model) }
            return .object(object)
        case .session(let session):
            return .object([
                "type": "session",
                "id": .string(session.id.lowercased),
                "user_id": .string(session.userID),
                "project_id": Self.optional(session.projectID),
                "client_session_id": Self.optional(session.clientSessionID),
                "parent_session_id": Self.optional(session.parentSessionID?.lowercased),
                "state": .string(session.state.rawValue),
                "started_at": .string(session.startedAt.iso8601),
                "ended_at": Self.optional(session.endedAt?.iso8601),
                "end_reason": Self.optional(session.endReason),
                "summary": Self.optional(session.summary),
                "metadata": .object(session.metadata),
                "tags": .array(session.tags.map(JSONValue.string)),
                "memory_count": .int(Int64(session.memoryCount)),
                "created_at": .string(session.createdAt.iso8601),
                "updated_at": .string(session.updatedAt.iso8601),
                "version": .int(session.version),
            ])
        case .memory(let memory, let embedding):
            var object: JSONObject = [
                "type": "memory",
                "id": .string(memory.id.lowercased),
                "session_id": .string(memory.sessionID.lowercased),
                "user_id": .string(memory.userID),
                "project_id": Self.optional(memory.projectID),
                "content": .string(memory.content),
                "summary": Self.optional(memory.summary),
                "memory_type": .string(memory.memoryType.rawValue),
                "importance": .double(memory.importance),
                "confidence": .double(memory.confidence),
                "entities": .array(memory.entities.map(JSONValue.string)),
                "tags": .array(memory.tags.map(JSONValue.string)),
                "related_memories": .array(memory.relatedMemories.map { .string($0.lowercased) }),
                "metadata": .object(memory.metadata),
                "access_count": .int(memory.accessCount),
                "last_accessed": Self.optional(memory.lastAccessed?.iso8601),
                "created_at": .string(memory.createdAt.iso8601),
                "updated_at": .string(memory.updatedAt.iso8601),
                "version": .int(memory.version),
                "superseded_by": Self.optional(memory.supersededBy?.lowercased),
            ]
            if let embedding { object["embedding"] = .string(VectorText.base64(embedding)) }
            return .object(object)
        case .end(let sessions, let memories):
            return .object(["type": "end", "sessions": .int(Int64(sessions)), "memories": .int(Int64(memories))])
        }
    }

    /// The record as one line of the file, newline included.
    package var line: [UInt8] {
        var bytes = JSONWriter.bytes(json)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func optional(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }

    // MARK: Reading

    /// Parses one line (without its newline). Throws `invalidField` naming the member for a
    /// missing or mistyped member, `malformed` for text that is not a JSON object or a `type`
    /// this version does not know. Semantic checks (sizes, identifiers, ownership) are the
    /// importer's.
    package static func parse<Bytes: Collection<UInt8>>(_ line: Bytes) throws -> TransferRecord {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw MemoryHubError.malformed("The line is not valid JSON: \(error).")
        }
        guard case .object(let object) = value else { throw MemoryHubError.malformed("The line is not a JSON object.") }
        let fields = JSONFields(object)
        switch try fields.requiredString("type") {
        case "header": return .header(try header(fields))
        case "session": return .session(try session(fields))
        case "memory": return try memory(fields)
        case "end":
            return .end(sessions: try count(fields, "sessions"), memories: try count(fields, "memories"))
        case let other:
            throw MemoryHubError.invalidField("type", "Unknown record type '\(other)'; expected header, session, memory or end.")
        }
    }

    private static func header(_ fields: JSONFields) throws -> TransferHeader {
        guard try fields.requiredString("format") == format else {
            throw MemoryHubError.invalidField("format", "This is not a MemoryHub export (format must be '\(format)').")
        }
        guard let version = try fields.int("version") else { throw MemoryHubError.invalidField("version", "The header has no version.") }
        guard (1...Self.version).contains(version) else {
            throw MemoryHubError.invalidField(
                "version", "Export format version \(version) is newer than this MemoryHub reads (up to \(Self.version)); upgrade MemoryHub.")
        }
        let filter = JSONFields(try fields.object("filter") ?? [:])
        return TransferHeader(
            version: version, exportedAt: try timestamp(fields, "exported_at") ?? Timestamp(microsecondsSinceEpoch: 0),
            embeddingModel: try fields.string("embedding_model"),
            filter: TransferFilter(
                userID: try filter.string("user_id"), projectID: try filter.string("project_id"), since: try timestamp(filter, "since")))
    }

    private static func session(_ fields: JSONFields) throws -> Session {
        let state = try fields.enumeration("state", SessionState.self) ?? .active
        let startedAt = try requiredTimestamp(fields, "started_at")
        return Session(
            id: try fields.requiredUUID("id"),
            userID: try fields.requiredString("user_id"),
            projectID: try fields.string("project_id"),
            clientSessionID: try fields.string("client_session_id"),
            parentSessionID: try fields.uuid("parent_session_id"),
            state: state,
            startedAt: startedAt,
            endedAt: try timestamp(fields, "ended_at"),
            endReason: try fields.string("end_reason"),
            summary: try fields.string("summary"),
            metadata: try fields.object("metadata") ?? [:],
            tags: try fields.strings("tags") ?? [],
            memoryCount: try count(fields, "memory_count"),
            createdAt: try timestamp(fields, "created_at") ?? startedAt,
            updatedAt: try timestamp(fields, "updated_at") ?? startedAt,
            version: try version(fields))
    }

    private static func memory(_ fields: JSONFields) throws -> TransferRecord {
        guard let memoryType = try fields.enumeration("memory_type", MemoryType.self) else {
            throw MemoryHubError.invalidField("memory_type", "memory_type is required.")
        }
        let createdAt = try requiredTimestamp(fields, "created_at")
        var embedding: [Float]?
        if let text = try fields.string("embedding") {
            guard let vector = VectorText.vector(base64: text), !vector.isEmpty, vector.allSatisfy(\.isFinite) else {
                throw MemoryHubError.invalidField("embedding", "embedding must be base64 of little-endian float32 values, all finite.")
            }
            embedding = vector
        }
        let memory = Memory(
            id: try fields.requiredUUID("id"),
            sessionID: try fields.requiredUUID("session_id"),
            userID: try fields.requiredString("user_id"),
            projectID: try fields.string("project_id"),
            content: try fields.requiredString("content"),
            summary: try fields.string("summary"),
            memoryType: memoryType,
            importance: try fields.double("importance") ?? Memory.defaultImportance,
            confidence: try fields.double("confidence") ?? Memory.defaultConfidence,
            entities: try fields.strings("entities") ?? [],
            tags: try fields.strings("tags") ?? [],
            relatedMemories: try fields.uuids("related_memories") ?? [],
            metadata: try fields.object("metadata") ?? [:],
            hasEmbedding: embedding != nil,
            accessCount: Int64(try count(fields, "access_count")),
            lastAccessed: try timestamp(fields, "last_accessed"),
            createdAt: createdAt,
            updatedAt: try timestamp(fields, "updated_at") ?? createdAt,
            version: try version(fields),
            supersededBy: try fields.uuid("superseded_by"))
        return .memory(memory, embedding: embedding)
    }

    private static func timestamp(_ fields: JSONFields, _ name: String) throws -> Timestamp? {
        guard let text = try fields.string(name) else { return nil }
        guard let timestamp = Timestamp(iso8601: text) else {
            throw MemoryHubError.invalidField(name, "\(name) must be an RFC 3339 date-time such as 2026-11-29T20:16:26.123456Z.")
        }
        return timestamp
    }

    private static func requiredTimestamp(_ fields: JSONFields, _ name: String) throws -> Timestamp {
        guard let timestamp = try timestamp(fields, name) else { throw MemoryHubError.invalidField(name, "\(name) is required.") }
        return timestamp
    }

    private static func count(_ fields: JSONFields, _ name: String) throws -> Int {
        guard let value = fields.value(name) else { return 0 }
        guard case .int(let number) = value, number >= 0, number <= Int64(Int32.max) * 1024 else {
            throw MemoryHubError.invalidField(name, "\(name) must be a whole number, 0 or more.")
        }
        return Int(number)
    }

    private static func version(_ fields: JSONFields) throws -> Int64 {
        guard let value = fields.value("version") else { return 1 }
        guard case .int(let number) = value, number >= 1 else {
            throw MemoryHubError.invalidField("version", "version must be a whole number, 1 or more.")
        }
        return number
    }
}

/// The first line of an export file.
package struct TransferHeader: Sendable, Equatable {
    package var version: Int
    package var exportedAt: Timestamp
    /// The model the file's vectors come from (`name/dimension`, as `MemoryStore.embeddingModel()`
    /// records it); vectors of another model are not imported (the memories are embedded again).
    package var embeddingModel: String?
    /// What the export selected.
    package var filter: TransferFilter

    package init(version: Int = TransferRecord.version, exportedAt: Timestamp, embeddingModel: String?, filter: TransferFilter) {
        self.version = version
        self.exportedAt = exportedAt
        self.embeddingModel = embeddingModel
        self.filter = filter
    }
}

/// What an export selects: one user's or every user's data, optionally one project's, optionally
/// only what changed at or after `since` (sessions updated since then, memories created or
/// updated since then, and the sessions of those memories).
package struct TransferFilter: Sendable, Equatable {
    package var userID: String?
    package var projectID: String?
    package var since: Timestamp?

    package init(userID: String? = nil, projectID: String? = nil, since: Timestamp? = nil) {
        self.userID = userID
        self.projectID = projectID
        self.since = since
    }
}

/// What an import does with a record whose id the store already has.
package enum ConflictPolicy: String, Sendable, CaseIterable {
    /// Keep what the store has (the default: importing the same file twice changes nothing).
    case skip
    /// Take the file's record when its version is higher (or, at the same version, its
    /// `updated_at` is later).
    case newer
    /// Take the file's record whenever it differs.
    case replace
}

/// Vectors as text: base64 of little-endian float32 values (``VectorBytes``).
package enum VectorText {
    package static func base64(_ vector: [Float]) -> String {
        Data(VectorBytes.encode(vector)).base64EncodedString()
    }

    /// Nil when the text is not base64 or not a whole number of floats.
    package static func vector(base64 text: String) -> [Float]? {
        Data(base64Encoded: text).flatMap { VectorBytes.decode($0) }
    }
}
